/**
 * Kore's fallback: when a hand-off by REFER fails, the bot may place a new call to Genesys with the
 * same context (UUI) on its INVITE. That INVITE is a new call to sipcase, with nothing in SIP that
 * ties it to the first; the context does. Transfers that ended without reaching their target are
 * kept here a while by their UUI payload, and a new INVITE carrying that payload is linked to the
 * call it came from, in the log. Bounded in count and age: keys come from the network.
 */
import type { TransferOutcome } from './transfer.js';

export interface UnfinishedHandoff {
  /** The peer that asked for the transfer: its fallback INVITE comes from it. */
  readonly from: string;
  /** The Call-ID of the call that tried to hand off (its caller's leg). */
  readonly callId: string;
  readonly conversationId: string | undefined;
  readonly outcome: Exclude<TransferOutcome, 'completed'>;
  /** When the transfer ended, ms since the epoch. */
  readonly at: number;
}

export class RecentHandoffs {
  /** In insertion order: the oldest first, which is the one to let go when full. */
  private readonly byContext = new Map<string, UnfinishedHandoff>();

  constructor(
    private readonly maxEntries = 1024,
    private readonly keepMs = 10 * 60_000,
  ) {}

  note(context: string, handoff: UnfinishedHandoff): void {
    this.byContext.delete(context);
    this.byContext.set(context, handoff);
    for (const [key, old] of this.byContext) {
      if (this.byContext.size <= this.maxEntries && handoff.at - old.at <= this.keepMs) break;
      this.byContext.delete(key);
    }
  }

  /**
   * The unfinished hand-off this context was last seen on, when `from` asked for it and it ended
   * within the last keepMs; it is found once.
   */
  take(context: string, from: string, now: number): UnfinishedHandoff | undefined {
    const found = this.byContext.get(context);
    if (found === undefined || found.from !== from) return undefined;
    this.byContext.delete(context);
    return now - found.at <= this.keepMs ? found : undefined;
  }

  get size(): number {
    return this.byContext.size;
  }
}
