import type { ActionKind } from '../rules/types.js';

/** One thing a rule did to a message: for debug logs, metrics and the dry-run diff. */
export interface Change {
  readonly rule: string;
  readonly action: ActionKind;
  /** The header the action is about, spelled as the rule spells it. */
  readonly header: string;
  readonly detail: string;
  /** The action found nothing to build its value from (or refused it) and left the message alone. */
  readonly skipped?: true;
  /** The memory names the action's value was built from (the ladder shows where each was used). */
  readonly used?: readonly string[];
}

/** A change before it is attributed to a rule. */
export type ActionChange = Omit<Change, 'rule'>;

/** A change as a reader sees it: `rule: action header: detail`. */
export function describeChange(c: Change): string {
  return `${c.rule}: ${c.action} ${c.header}: ${c.detail}`;
}

/** The changes to the message itself: what a rule remembered, or skipped, changed nothing on the wire. */
export function wireChanges(changes: readonly Change[]): Change[] {
  return changes.filter((c) => c.action !== 'remember' && c.skipped !== true);
}
