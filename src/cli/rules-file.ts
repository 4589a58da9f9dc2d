/** A rules file for a command that needs one: loaded and compiled, or one line naming what is wrong. */
import { formatErrors } from '../rules/errors.js';
import { loadRulesFile } from '../rules/load.js';
import type { CompiledRules } from '../rules/types.js';
import { CliError } from './io.js';

export async function rulesFrom(file: string): Promise<CompiledRules> {
  const result = await loadRulesFile(file);
  if (!result.ok) throw new CliError(`${file}: ${formatErrors(result.errors).replace(/\n/g, '; ')}`);
  return result.value;
}
