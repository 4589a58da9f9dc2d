/**
 * The process's answer to a fault nobody handled: an exception thrown out of an event handler, or a
 * rejected promise without a handler. After one, the process's state can no longer be trusted; but
 * its live calls are real, and their dialogs live in drachtio-server: dying at once (Node's default)
 * would leave every one of them half-open, the caller's BYE answered 481 and the callee never told.
 * So the first fault is logged fatal with the live-call count and counted, and the process stops the
 * way SIGTERM stops it: a drain bounded by drain.timeoutMs, then exit code 70 (EX_SOFTWARE), so a
 * supervisor (Docker's restart policy) starts a clean one. Faults while stopping are logged and
 * counted, and change nothing.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { FaultKind, Observer } from '../observe.js';

/** The exit code of a process that stopped because of a fault (sysexits' EX_SOFTWARE). */
export const FAULT_EXIT_CODE = 70;

export interface FaultWatch {
  /** Resolves with the first fault's kind. */
  readonly first: Promise<FaultKind>;
  /** Takes the handlers off the process again. */
  close(): void;
}

/** Handles faults on `proc` (the process) from now on; `liveCalls` is read when one happens. */
export function watchFaults(proc: EventEmitter, log: Logger, observer: Observer, liveCalls: () => number): FaultWatch {
  let seen = 0;
  let first: (kind: FaultKind) => void = () => undefined;
  const firstFault = new Promise<FaultKind>((resolve) => (first = resolve));
  const on = (kind: FaultKind) => (error: unknown) => {
    seen++;
    observer.record({ type: 'fault', kind });
    const err = error instanceof Error ? error : new Error(String(error));
    if (seen === 1)
      log.fatal(
        { err, kind, liveCalls: liveCalls() },
        `${kind.replace('_', ' ')}: draining the live calls, then exiting ${FAULT_EXIT_CODE} for a clean restart`,
      );
    else log.error({ err, kind, faults: seen }, `${kind.replace('_', ' ')} while stopping: the drain goes on`);
    first(kind);
  };
  const exception = on('uncaught_exception');
  const rejection = on('unhandled_rejection');
  proc.on('uncaughtException', exception);
  proc.on('unhandledRejection', rejection);
  return {
    first: firstFault,
    close: () => {
      proc.off('uncaughtException', exception);
      proc.off('unhandledRejection', rejection);
    },
  };
}
