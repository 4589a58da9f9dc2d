import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Recorder } from '../observe.js';
import type { DrachtioState, TrackedConnection } from './connection.js';
import { trackConnection } from './connection.js';

function tracked(): { srf: EventEmitter; states: DrachtioState[]; ups: boolean[]; seen: Recorder; lines: string[]; connection: TrackedConnection } {
  const srf = new EventEmitter();
  const states: DrachtioState[] = [];
  const ups: boolean[] = [];
  const seen = new Recorder();
  const lines: string[] = [];
  const log = pino(
    { level: 'debug' },
    { write: (l: string) => lines.push((JSON.parse(l) as { msg: string; level: number }).level >= 30 ? (JSON.parse(l) as { msg: string }).msg : '') },
  );
  const connection = trackConnection(srf, '127.0.0.1:9022', log, seen, { state: (s) => states.push(s), up: (_h, first) => ups.push(first) });
  return { srf, states, ups, seen, lines, connection };
}

describe('the drachtio-server connection', () => {
  it('goes connecting -> connected -> disconnected -> connected, telling each change once', () => {
    const { srf, states, ups, seen, lines } = tracked();
    for (let i = 0; i < 3; i++) srf.emit('error', new Error('ECONNREFUSED'));
    srf.emit('connect', null, 'udp/127.0.0.1:5060');
    srf.emit('close');
    for (let i = 0; i < 5; i++) {
      srf.emit('error', new Error('ECONNREFUSED'));
      srf.emit('close');
    }
    srf.emit('connect', null, 'udp/127.0.0.1:5060');
    expect(states).toEqual(['connected', 'disconnected', 'connected']);
    expect(ups).toEqual([true, false]);
    expect(seen.seen).toEqual([
      { type: 'drachtio', connected: true },
      { type: 'drachtio', connected: false },
      { type: 'drachtio', connected: true },
    ]);
    expect(lines.filter((l) => l !== '')).toEqual([
      'drachtio-server 127.0.0.1:9022: not connected yet, retrying',
      'connected to drachtio-server',
      'lost the connection to drachtio-server 127.0.0.1:9022: not ready, reconnecting with backoff',
      'reconnected to drachtio-server',
    ]);
  });

  it('a close sipcase makes itself (it stops) is no loss: not counted, not warned about', () => {
    const { srf, states, seen, lines, connection } = tracked();
    srf.emit('connect', null, 'udp/127.0.0.1:5060');
    connection.closing();
    srf.emit('close');
    expect(states).toEqual(['connected', 'disconnected']);
    expect(seen.seen).toEqual([{ type: 'drachtio', connected: true }]);
    expect(lines.filter((l) => l !== '')).toEqual(['connected to drachtio-server', 'closed the connection to drachtio-server 127.0.0.1:9022']);
  });

  it('a refused secret is an error, not a connection', () => {
    const { srf, states, lines } = tracked();
    srf.emit('connect', new Error('failed to authenticate to server'));
    expect(states).toEqual([]);
    expect(lines).toContain('drachtio-server 127.0.0.1:9022 refused sipcase (check drachtio.secret)');
  });
});
