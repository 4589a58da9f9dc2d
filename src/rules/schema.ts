/**
 * Structural validation of a rules file against config/rules.schema.json, the same schema editors
 * use. Errors are reported by JSON path in words a rules author can act on.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { jsonPath, pointerSegments, type RuleError } from './errors.js';
import type { RulesFileSpec } from './types.js';

export const SCHEMA_URL = new URL('../../config/rules.schema.json', import.meta.url);

let validator: ReturnType<Ajv['compile']> | undefined;

function validate(): ReturnType<Ajv['compile']> {
  if (validator === undefined) {
    const ajv = new Ajv({ allErrors: true, discriminator: true, strict: true, strictTuples: false });
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object);
  }
  return validator;
}

function describe(e: ErrorObject): RuleError {
  const segments = pointerSegments(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: jsonPath(segments), message: `missing required property "${String(p['missingProperty'])}"` };
    case 'additionalProperties':
      return { path: jsonPath([...segments, String(p['additionalProperty'])]), message: 'unknown property' };
    case 'enum':
      return { path: jsonPath(segments), message: `must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'discriminator':
      return { path: jsonPath([...segments, 'action']), message: actionMessage(p) };
    case 'pattern':
      return { path: jsonPath(segments), message: `does not match ${String(p['pattern'])}` };
    default:
      return { path: jsonPath(segments), message: e.message ?? e.keyword };
  }
}

const ACTIONS = ['case', 'remove', 'set', 'add', 'replace', 'to-uri', 'from-uri', 'single', 'embed', 'remember', 'number', 'allow'];

function actionMessage(p: Record<string, unknown>): string {
  return p['error'] === 'mapping'
    ? `unknown action ${JSON.stringify(p['tagValue'])}: must be one of ${ACTIONS.join(', ')}`
    : `must be a string naming the action`;
}

/** The oneOf wrapper around peer lists repeats its branches' errors; keep the most useful one. */
function dedupe(errors: RuleError[]): RuleError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function validateRulesShape(data: unknown): { ok: true; value: RulesFileSpec } | { ok: false; errors: RuleError[] } {
  const check = validate();
  if (check(data)) return { ok: true, value: data as RulesFileSpec };
  const errors = (check.errors ?? []).filter((e) => e.keyword !== 'oneOf' || e.instancePath === '').map(describe);
  return { ok: false, errors: dedupe(errors) };
}
