/**
 * Per-call memory: the `remember` action keeps a value a message of the call carried (a header, a
 * part of one by a regex group, a URI part, anything a template builds) under a name, for any later
 * message of the same call on either leg. The core only reads a call's memory and reports what a
 * message adds to it; the call (relay/call.ts) holds it and lets it go when the call ends.
 *
 * Bounds, so no peer can grow it: the names are the rules file's (at most MAX_MEMORY_NAMES), and a
 * value longer than MAX_MEMORY_VALUE characters is not kept (the earlier value stays).
 */
import type { Action } from '../rules/types.js';
import type { ActionChange } from './change.js';
import { buildValue, type ValueScope } from './values.js';

/** A call's remembered values by name. */
export type CallMemory = ReadonlyMap<string, string>;

export const NO_MEMORY: CallMemory = new Map();

/** Longer than any UUI a carrier accepts (Genesys: 128), far shorter than a message. */
export const MAX_MEMORY_VALUE = 1024;

type Remember = Extract<Action, { kind: 'remember' }>;

export interface Remembered {
  readonly value: string | undefined;
  readonly change: ActionChange;
}

/** The value a `remember` takes from this message: the built value, or its regex's first group (the whole match without one). */
export function applyRemember(a: Remember, scope: ValueScope): Remembered {
  const header = `memory.${a.name}`;
  const built = buildValue(a.value, scope);
  if (!built.ok) return { value: undefined, change: { action: 'remember', header, detail: `skipped: ${built.detail}`, skipped: true } };
  let value = built.value;
  if (a.match !== undefined) {
    a.match.lastIndex = 0;
    const m = a.match.exec(value);
    if (m === null) return { value: undefined, change: { action: 'remember', header, detail: 'skipped: the value does not match', skipped: true } };
    value = m[1] ?? m[0];
  }
  if (value.length > MAX_MEMORY_VALUE) {
    return { value: undefined, change: { action: 'remember', header, detail: `skipped: ${value.length} characters, over ${MAX_MEMORY_VALUE}`, skipped: true } };
  }
  return { value, change: { action: 'remember', header, detail: JSON.stringify(value) } };
}
