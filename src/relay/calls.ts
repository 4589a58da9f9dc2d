/**
 * The call registry: the one place that knows which calls are live. A call is added when its
 * INVITE is accepted and removed exactly once when it ends, whatever ended it; drain waits on it
 * to empty and hangs up what is left. Observations of calls starting and ending are made here, so
 * live calls and the started/ended counters cannot disagree.
 */
import type { CallOutcome, Observer } from '../observe.js';
import type { Call } from './call.js';
import type { LIVE_STATES } from './call-state.js';

export class Calls {
  private readonly live = new Set<Call>();
  private waiters: (() => void)[] = [];

  constructor(private readonly observer: Observer) {}

  get size(): number {
    return this.live.size;
  }

  /** Live calls by state: how many are setting up, answered, or ending. */
  byState(): Record<(typeof LIVE_STATES)[number], number> {
    const counts = { 'setting-up': 0, answered: 0, ending: 0 };
    for (const c of this.live) if (c.state !== 'ended') counts[c.state]++;
    return counts;
  }

  /** Values the live calls remember, together: back to none when every call has ended. */
  rememberedValues(): number {
    let n = 0;
    for (const c of this.live) n += c.rememberedValues;
    return n;
  }

  all(): readonly Call[] {
    return [...this.live];
  }

  add(call: Call): void {
    this.live.add(call);
    this.observer.record({ type: 'call-started', way: call.way });
  }

  /** Forgets a call; a second removal of the same call does nothing. */
  remove(call: Call, outcome: CallOutcome): void {
    if (!this.live.delete(call)) return;
    this.observer.record({ type: 'call-ended', way: call.way, outcome });
    if (this.live.size === 0) {
      const waiting = this.waiters;
      this.waiters = [];
      for (const w of waiting) w();
    }
  }

  /** Resolves when no call is live (at once when none is). */
  whenEmpty(): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Forgets every live call and its dialogs without signalling (outcome lost): for when
   * drachtio-server, which holds their dialogs, is gone and nothing can be sent on them any more.
   */
  loseAll(): number {
    const gone = this.all();
    for (const c of gone) c.lose();
    return gone.length;
  }

  /** Hangs up every live call (BYE to both legs of answered calls, set-up abandoned). */
  async hangUpAll(outcome: CallOutcome): Promise<void> {
    await Promise.allSettled(this.all().map((c) => c.hangUp(outcome)));
  }
}
