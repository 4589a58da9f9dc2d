/**
 * The connection to drachtio-server. drachtio-srf reconnects by itself, with a growing delay that
 * sipcase caps (`drachtio.reconnectMaxDelayMs`); this module turns its socket events into one state
 * (connecting, connected, disconnected), logged once per change and observed, and tells the shell
 * each time the connection comes (back) up, so it can prove header case again: a restarted
 * drachtio-server may have been started with other settings.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Observer } from '../observe.js';

/** The connection to drachtio-server, as the instance's status and /readyz say it. */
export type DrachtioState = 'connecting' | 'connected' | 'disconnected';

export interface ConnectionEvents {
  /** drachtio-server accepted us (first time and every reconnection), with its SIP address. */
  readonly up: (hostport: string, first: boolean) => void;
  readonly state: (state: DrachtioState) => void;
}

export interface TrackedConnection {
  /** sipcase is about to close the connection itself (it stops): that close is no loss. */
  closing(): void;
}

export function trackConnection(srf: EventEmitter, where: string, log: Logger, observer: Observer, events: ConnectionEvents): TrackedConnection {
  let state: DrachtioState = 'connecting';
  let closing = false;
  let everConnected = false;
  let toldWaiting = false;
  const set = (next: DrachtioState): void => {
    if (next === state) return;
    state = next;
    events.state(next);
  };
  srf.on('connect', (err: unknown, hostport: string) => {
    if (err) {
      log.error({ err: (err as Error).message }, `drachtio-server ${where} refused sipcase (check drachtio.secret)`);
      return;
    }
    const first = !everConnected;
    everConnected = true;
    set('connected');
    observer.record({ type: 'drachtio', connected: true });
    log.info({ sip: hostport }, first ? 'connected to drachtio-server' : 'reconnected to drachtio-server');
    events.up(hostport, first);
  });
  srf.on('close', () => {
    if (state !== 'connected') return;
    set('disconnected');
    if (closing) return void log.info(`closed the connection to drachtio-server ${where}`);
    observer.record({ type: 'drachtio', connected: false });
    log.warn(`lost the connection to drachtio-server ${where}: not ready, reconnecting with backoff`);
  });
  srf.on('error', (err: Error) => {
    if (!everConnected && !toldWaiting) {
      toldWaiting = true;
      log.warn({ err: err.message }, `drachtio-server ${where}: not connected yet, retrying`);
    } else {
      log.debug({ err: err.message }, 'drachtio-server connection attempt failed');
    }
  });
  return { closing: () => void (closing = true) };
}
