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

export async function loadRulesFile(file: string): Promise<Result<CompiledRules>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: [{ path: '$', message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
  return parseRulesText(text);
}
