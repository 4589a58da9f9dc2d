/** What a CLI command may touch, so that tests can run commands in-process. */
export interface CliIo {
  readonly stdout: (text: string | Buffer) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<Buffer>;
}

/** A user-facing failure: printed as one line, never with a stack. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export async function readInput(io: CliIo, file: string | undefined): Promise<Buffer> {
  if (file === undefined || file === '-') return io.readStdin();
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(file);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
