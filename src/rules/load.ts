/** Reading a rules file: JSON syntax, then shape (JSON Schema), then meaning (compile). */
import { readFile } from 'node:fs/promises';
import { compileRules } from './compile.js';
import type { Result } from './errors.js';
import { validateRulesShape } from './schema.js';
import type { CompiledRules } from './types.js';

export function parseRulesText(text: string): Result<CompiledRules> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [{ path: '$', message: `not valid JSON: ${(e as Error).message}` }] };
  }
  const shape = validateRulesShape(data);
  return shape.ok ? compileRules(shape.value) : shape;
}

/** The file's text, or the reason it cannot be read (as an error at `$`). */
export async function readRulesText(file: string): Promise<Result<string>> {
  try {
    return { ok: true, value: await readFile(file, 'utf8') };
  } catch (e) {
    return { ok: false, errors: [{ path: '$', message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
}

export async function loadRulesFile(file: string): Promise<Result<CompiledRules>> {
  const text = await readRulesText(file);
  return text.ok ? parseRulesText(text.value) : text;
}
