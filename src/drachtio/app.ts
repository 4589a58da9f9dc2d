/**
 * The drachtio-srf application object, and everything the instance does with it: made here, connected,
 * disconnected, given its request handlers, asked to send the header-case probe. The instance owns
 * the life of the process and none of drachtio-srf's API; the relay sees the same object as an
 * Engine (engine.ts).
 */
import type { EventEmitter } from 'node:events';
import Srf from 'drachtio-srf';
import { dialogsHeld, fromSrf, type Engine, type HeaderMap, type InboundRequest, type ResponseChannel } from './engine.js';

type Next = (err?: unknown) => void;
/** A request handler as drachtio-srf runs them, in the order they were mounted. */
export type Handler = (req: InboundRequest, res: ResponseChannel, next: Next) => void;

/** The out-of-dialog handlers, mounted in this order: the guard first, whatever is left last. */
export interface Handlers {
  readonly guard: Handler;
  readonly invite: Handler;
  readonly options: Handler;
  readonly prack: Handler;
  readonly other: Handler;
}

export interface DrachtioApp {
  /** drachtio-srf's own events (connect, error, close...), for connection.ts. */
  readonly events: EventEmitter;
  readonly engine: Engine;
  connect(to: { host: string; port: number; secret: string; retryMaxDelayMs: number }): void;
  disconnect(): void;
  mount(handlers: Handlers): void;
  /** An out-of-dialog OPTIONS to `uri` (the header-case probe); rejects when it fails. */
  sendOptions(uri: string, headers: HeaderMap): Promise<void>;
  /** Dialogs drachtio-srf holds now (undefined if a later version hides them). */
  dialogsHeld(): number | undefined;
}

/** The drachtio-srf calls made here beyond the Engine interface. */
interface SrfApp extends EventEmitter {
  connect(opts: { host: string; port: number; secret: string; reconnect: { retryMaxDelay: number } }): void;
  disconnect(): void;
  use(handler: Handler): void;
  invite(handler: Handler): void;
  options(handler: Handler): void;
  prack(handler: Handler): void;
  request(uri: string, opts: { method: string; headers: HeaderMap }, cb: (err: unknown, req: EventEmitter) => void): void;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export function createApp(): DrachtioApp {
  const srf = new Srf() as unknown as SrfApp;
  return {
    events: srf,
    engine: fromSrf(srf),
    connect: (to) => srf.connect({ host: to.host, port: to.port, secret: to.secret, reconnect: { retryMaxDelay: to.retryMaxDelayMs } }),
    disconnect: () => srf.disconnect(),
    mount: (h) => {
      srf.use(h.guard);
      srf.invite(h.invite);
      srf.options(h.options);
      srf.prack(h.prack);
      srf.use(h.other);
    },
    // drachtio-srf throws for some input before it calls back: both ways end as a rejection.
    sendOptions: (uri, headers) =>
      new Promise((resolve, reject) => {
        try {
          srf.request(uri, { method: 'OPTIONS', headers }, (err) => (err ? reject(asError(err)) : resolve()));
        } catch (e) {
          reject(asError(e));
        }
      }),
    dialogsHeld: () => dialogsHeld(srf),
  };
}
