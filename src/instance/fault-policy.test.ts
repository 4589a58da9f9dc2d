import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Recorder } from '../observe.js';
import { watchFaults } from './fault-policy.js';

/** A logger whose lines land in a list, parsed. */
function lines(): { log: pino.Logger; read: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const log = pino({ level: 'trace' }, { write: (l: string) => void out.push(l) });
  return { log, read: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('a fault nobody handled', () => {
  it('the first is logged fatal with the live-call count and the error, counted, and ends the wait for a stop', async () => {
    const proc = new EventEmitter();
    const { log, read } = lines();
    const observed = new Recorder();
    const watch = watchFaults(proc, log, observed, () => 12);
    proc.emit('unhandledRejection', new Error('no handler for this'));
    expect(await watch.first).toBe('unhandled_rejection');
    expect(observed.count('fault', { kind: 'unhandled_rejection' })).toBe(1);
    const [line] = read();
    expect(line).toMatchObject({
      level: 60,
      kind: 'unhandled_rejection',
      liveCalls: 12,
      msg: 'unhandled rejection: draining the live calls, then exiting 70 for a clean restart',
    });
    expect((line?.['err'] as { message: string }).message).toBe('no handler for this');
  });

  it('later ones, while stopping, are logged as errors and counted, and change nothing', async () => {
    const proc = new EventEmitter();
    const { log, read } = lines();
    const observed = new Recorder();
    const watch = watchFaults(proc, log, observed, () => 0);
    proc.emit('uncaughtException', new Error('first'));
    proc.emit('uncaughtException', 'a thrown string');
    expect(await watch.first).toBe('uncaught_exception');
    expect(observed.count('fault', { kind: 'uncaught_exception' })).toBe(2);
    expect(read().map((l) => [l['level'], l['msg']])).toEqual([
      [60, 'uncaught exception: draining the live calls, then exiting 70 for a clean restart'],
      [50, 'uncaught exception while stopping: the drain goes on'],
    ]);
  });

  it('close() takes the handlers off the process', () => {
    const proc = new EventEmitter();
    const watch = watchFaults(proc, lines().log, new Recorder(), () => 0);
    expect(proc.listenerCount('uncaughtException') + proc.listenerCount('unhandledRejection')).toBe(2);
    watch.close();
    expect(proc.listenerCount('uncaughtException') + proc.listenerCount('unhandledRejection')).toBe(0);
  });
});
