/**
 * `sipcase regress`: the SIPp regression flows against the user's own rules, on loopback, with one
 * command (src/regress/run.ts). Exit 0 when every flow passes, 1 when one fails, and a one-line
 * error when something it needs is missing.
 */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { regress, RegressSetupError } from '../regress/run.js';
import type { RulesFileSpec } from '../rules/types.js';
import { CliError, type CliIo } from './io.js';
import { rulesFrom } from './rules-file.js';

const USAGE = 'usage: sipcase regress --rules <file> [--scenarios <dir>] [--work <dir>]';

export async function regressCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { rules: { type: 'string' }, scenarios: { type: 'string' }, work: { type: 'string' } } });
  } catch (e) {
    throw new CliError(`${(e as Error).message}; ${USAGE}`, 2);
  }
  const { values } = parsed;
  if (values.rules === undefined) throw new CliError(USAGE, 2);
  const rules = await rulesFrom(values.rules);
  // Already valid (rulesFrom checked it): the spec as written, for moving its peers onto loopback.
  const spec = JSON.parse(await readFile(values.rules, 'utf8')) as RulesFileSpec;
  const work = values.work ?? join(tmpdir(), `sipcase-regress-${process.pid}`);
  try {
    const results = await regress({
      rulesFile: values.rules,
      spec,
      rules,
      work,
      ...(values.scenarios === undefined ? {} : { scenarios: values.scenarios }),
      say: (line) => io.stdout(`${line}\n`),
    });
    const failed = results.filter((r) => !r.ok).length;
    io.stdout(`regress: ${results.length - failed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof RegressSetupError) throw new CliError(e.message);
    throw e;
  }
}
