/**
 * A call's life as states and the moves between them, the one place that says which moves exist:
 *
 *   setting-up --answered--> answered --BYE / hang-up--> ending --> ended
 *        \______________________________ ended (failed, canceled, lost...) ____/
 *
 * Every change goes through move(); a move not in the table is a bug in the relay, and throws
 * (the process's fault policy then drains it: instance/fault-policy.ts) instead of leaving a call in a
 * state nothing else expects. Moving to the state a call is already in is not a move: ended twice
 * (a BYE crossing a drain's hang-up) is the common case, and asking is how callers stay idempotent.
 */

/** `setting-up` until both legs are joined; `ending` while BYEs are under way; then `ended`. */
export type CallState = 'setting-up' | 'answered' | 'ending' | 'ended';

/** The states a live call can be in (what sipcase_live_calls_by_state counts). */
export const LIVE_STATES = ['setting-up', 'answered', 'ending'] as const satisfies readonly CallState[];

const MOVES: Readonly<Record<CallState, readonly CallState[]>> = {
  'setting-up': ['answered', 'ended'],
  answered: ['ending', 'ended'],
  ending: ['ended'],
  ended: [],
};

export class IllegalCallMove extends Error {
  override readonly name = 'IllegalCallMove';
}

export class CallLife {
  private current: CallState = 'setting-up';

  get state(): CallState {
    return this.current;
  }

  /** Whether `to` is a move from here (the same state is not one). */
  can(to: CallState): boolean {
    return MOVES[this.current].includes(to);
  }

  /** Moves to `to`; throws IllegalCallMove when the table has no such move. */
  move(to: CallState): void {
    if (!this.can(to)) throw new IllegalCallMove(`a call cannot go from ${this.current} to ${to}`);
    this.current = to;
  }
}
