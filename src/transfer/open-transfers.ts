/**
 * The transfers of one call still waiting for their outcome, and the one rule of which transfer a
 * message moves on: a REFER crossing opens one; a NOTIFY of `Event: refer` crossing the other way
 * reports on the open one it names (transfer.ts: reportsOn). The live relay (relay/transfers.ts)
 * and the replay of a capture (replay/transfers.ts) both keep their books here, and add around it
 * what each needs: timers, metrics and logs; capture frames and retransmissions.
 */
import type { Way } from '../observe.js';
import type { SipMessage } from '../sip/message.js';
import { referFacts } from './refer-facts.js';
import { transferEvent, type TransferEvent } from './transfer-event.js';
import { advance, asked, reportsOn, type TransferResult, type TransferState, type TransferStep } from './transfer.js';

/** One open transfer: the way its REFER went, what its keeper notes of it, and its state. */
export interface OpenTransfer<T> {
  readonly way: Way;
  readonly about: T;
  state: TransferState;
}

export interface TransferBookEvents<T> {
  /** A transfer's outcome is known: it has left the book. */
  readonly ended: (t: OpenTransfer<T>, result: TransferResult) => void;
  /** A NOTIFY of `Event: refer` that no open transfer of the call is waiting for. */
  readonly unmatched?: (event: Extract<TransferEvent, { kind: 'progress' }>) => void;
}

export class OpenTransfers<T> {
  private readonly open: OpenTransfer<T>[] = [];

  constructor(private readonly on: TransferBookEvents<T>) {}

  /**
   * A message crosses from `way.from` to `way.to`: a REFER opens a transfer, noted with `about()`,
   * and returned (its answer is given to it); a NOTIFY reports on one going the other way.
   */
  crossing(message: SipMessage, way: Way, about: () => T): OpenTransfer<T> | undefined {
    const event = transferEvent(message);
    if (event?.kind === 'refer') {
      const t: OpenTransfer<T> = { way, about: about(), state: asked(referFacts(message)) };
      this.open.push(t);
      return t;
    }
    if (event?.kind === 'progress') {
      const t = this.open.find((o) => o.way.from === way.to && reportsOn(o.state, event.id));
      if (t === undefined) this.on.unmatched?.(event);
      else this.step(t, { kind: 'notify', status: event.code, line: event.status, final: event.final });
    }
    return undefined;
  }

  /** Moves one open transfer on; one already ended takes no more steps. */
  step(t: OpenTransfer<T>, step: TransferStep): void {
    if (!this.open.includes(t)) return;
    const next = advance(t.state, step);
    t.state = next.state;
    if (next.result === undefined) return;
    this.open.splice(this.open.indexOf(t), 1);
    this.on.ended(t, next.result);
  }

  /** The same step for every open transfer (the call, or the capture, is over). */
  stepAll(step: TransferStep): void {
    for (const t of [...this.open]) this.step(t, step);
  }

  /** The open transfer a REFER answer coming from `peer` is for: the first one sent there still unanswered. */
  askedOf(peer: string): OpenTransfer<T> | undefined {
    return this.open.find((o) => o.way.to === peer && o.state.phase === 'asked');
  }
}
