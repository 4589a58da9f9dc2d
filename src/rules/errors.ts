/** A problem in a rules file, named by the JSON path of the value at fault. */
export interface RuleError {
  /** JSONPath of the value at fault, e.g. `$.rules[2].actions[0].header`. */
  readonly path: string;
  readonly message: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly RuleError[] };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Builds `$.a.b[0]['odd key']` from path segments. */
export function jsonPath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((path, s) => {
    if (typeof s === 'number') return `${path}[${s}]`;
    return IDENTIFIER.test(s) ? `${path}.${s}` : `${path}[${JSON.stringify(s)}]`;
  }, '$');
}

/** Turns an ajv instancePath (`/rules/0/name`) into segments. */
export function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

export function formatErrors(errors: readonly RuleError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('\n');
}
