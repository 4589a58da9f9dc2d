/** `sipcase check <rules.json>`: validate and compile a rules file; errors name the JSON path. */
import { formatErrors } from '../rules/errors.js';
import { loadRulesFile } from '../rules/load.js';
import { CliError, type CliIo } from './io.js';

export async function checkCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [file, ...extra] = args;
  if (file === undefined || extra.length > 0) throw new CliError('usage: sipcase check <rules.json>', 2);
  const result = await loadRulesFile(file);
  if (!result.ok) {
    io.stderr(`${file}: ${result.errors.length} error(s)\n${formatErrors(result.errors)}\n`);
    return 1;
  }
  const r = result.value;
  io.stdout(
    `${file}: ok (${r.peers.size} peers, ${r.ruleCount} rules; names emitted verbatim: ${r.emittedNames.join(', ') || 'none'}${
      r.memoryNames.length > 0 ? `; remembered per call: ${r.memoryNames.join(', ')}` : ''
    })\n`,
  );
  return 0;
}
