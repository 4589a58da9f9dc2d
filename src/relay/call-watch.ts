/**
 * No call lives for ever. Media never crosses sipcase, so it cannot see a dead call the way an SBC
 * watching RTP does; it uses SIP's own means, on every answered call:
 *
 * - liveness: every `livenessMs`, an in-dialog OPTIONS on each leg (as Kamailio's dialog
 *   keep-alives). A leg that answers 408 or 481, or not at all (drachtio-server gives up after
 *   Timer F, 32 s over UDP), has lost the call: the call ends on both sides. A 503 is what
 *   drachtio-server makes of a transport failure (measured: a peer whose port is closed, ICMP
 *   port unreachable, gets 503 at once), but also what a busy peer may answer: two in a row end
 *   the call. Any other answer (200, 405, 501...) shows the dialog is there. A dead call is reaped
 *   within livenessMs + 32 s (2 x livenessMs when its port refuses).
 * - session timers (RFC 4028): when the call's 2xx states a Session-Expires, the peers' refreshes
 *   (re-INVITE or UPDATE answered 2xx, relayed by call.ts) must keep coming; an interval that
 *   passes with none means the refresher is gone, and the call ends on both sides (`expired`).
 *   drachtio-server enforces the same interval on the caller's leg itself (call.ts recognises its
 *   BYE as `expired` too): sipcase's own deadline is a backstop, a grace later (sessionDeadlineMs),
 *   so the two never race to end one call.
 * - a ceiling on age: a call answered `maxAgeMs` ago ends on both sides.
 *
 * The watch only decides when; what ending means (BYE on both legs, counted by outcome) is the
 * call's (call.ts). Timers are unref'd: a watch never keeps the process alive.
 */

import { deadline, type Deadline } from './deadline.js';

/** Why sipcase ended an answered call on its own. */
export type Reaped = 'unreachable' | 'max_age' | 'expired';

export interface WatchSettings {
  /** Between OPTIONS probes of an answered call; 0: no probes. */
  readonly livenessMs: number;
  /** Longest a call may stay answered; 0: no ceiling. */
  readonly maxAgeMs: number;
}

export interface Watched {
  /** One OPTIONS on each leg: each leg's status, or 0 when the request failed outright. */
  probe(): Promise<readonly number[]>;
  /** Ends the call on both sides; `leg` is the index of the leg found gone, if one was. */
  reap(outcome: Reaped, detail: string, leg?: number): void;
}

export type LegHealth = 'gone' | 'doubtful' | 'there';

/** What an answer to in-dialog OPTIONS says of the leg (0: the request failed outright). */
export function legHealth(status: number): LegHealth {
  if (status === 0 || status === 408 || status === 481) return 'gone';
  return status === 503 ? 'doubtful' : 'there';
}

/**
 * A drain probes every live call, but not at once: 2 OPTIONS a call, for up to limits.maxCalls
 * calls, in one burst would trip a peer's rate limit and make healthy calls look dead. Probes go
 * out at most this many calls a second, and all within `windowMs` (each call's next probe then
 * follows its own, so the burst does not come back every interval either).
 */
const DRAIN_PROBES_PER_S = 50;

/** When each of `count` calls is probed, in ms from now: evenly spaced, the last before `windowMs`. */
export function probeSpread(count: number, windowMs: number): number[] {
  const spacing = count === 0 ? 0 : Math.min(1000 / DRAIN_PROBES_PER_S, windowMs / count);
  return Array.from({ length: count }, (_, i) => Math.floor(i * spacing));
}

/**
 * When sipcase ends a session nobody refreshed: its interval, then the grace RFC 4028 §10 gives a
 * non-refresher's BYE (a third of the interval, 32 s at most), now on the far side of expiry.
 * drachtio-server tears down at the interval itself; the grace makes it the first, by far.
 */
export function sessionDeadlineMs(seconds: number): number {
  return (seconds + Math.min(32, seconds / 3)) * 1000;
}

/** Doubtful answers in a row that make a leg gone. */
const DOUBTS = 2;

export interface Watch {
  /** Probes `inMs` from now rather than at the next interval (a drain wants the dead gone soon). */
  probeNow(inMs?: number): void;
  /** The session was refreshed (or first set up) for `seconds`; undefined: no session timer. */
  refreshed(seconds: number | undefined): void;
  stop(): void;
}

export function watchCall(settings: WatchSettings, watched: Watched, sessionSeconds?: number): Watch {
  let stopped = false;
  let probing = false;
  let doubts: number[] = [];
  let next: Deadline | undefined;

  const probe = async (): Promise<void> => {
    if (stopped || probing) return;
    probing = true;
    const statuses = await watched.probe();
    probing = false;
    if (stopped) return;
    const health = statuses.map(legHealth);
    doubts = health.map((h, i) => (h === 'doubtful' ? (doubts[i] ?? 0) + 1 : 0));
    const gone = health.findIndex((h, i) => h === 'gone' || (doubts[i] ?? 0) >= DOUBTS);
    if (gone >= 0) {
      const status = statuses[gone] as number;
      const how = status === 0 ? 'no answer to OPTIONS' : status === 503 ? `OPTIONS answered 503 ${DOUBTS} times in a row` : `OPTIONS answered ${status}`;
      watched.reap('unreachable', how, gone);
      return;
    }
    schedule();
  };
  const schedule = () => {
    if (settings.livenessMs > 0) next = deadline(settings.livenessMs, () => void probe());
  };

  let session: Deadline | undefined;
  const refreshed = (seconds: number | undefined) => {
    session?.clear();
    if (stopped || seconds === undefined || seconds <= 0) return;
    session = deadline(sessionDeadlineMs(seconds), () => !stopped && watched.reap('expired', `no session refresh within its ${seconds} s interval`));
  };

  schedule();
  refreshed(sessionSeconds);
  const ceiling =
    settings.maxAgeMs > 0 ? deadline(settings.maxAgeMs, () => !stopped && watched.reap('max_age', `answered ${settings.maxAgeMs / 1000} s ago`)) : undefined;
  return {
    probeNow: (inMs = 0) => {
      if (settings.livenessMs <= 0 || stopped) return;
      next?.clear();
      next = deadline(inMs, () => void probe());
    },
    refreshed,
    stop: () => {
      stopped = true;
      next?.clear();
      ceiling?.clear();
      session?.clear();
    },
  };
}
