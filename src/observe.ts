/**
 * One small seam for counting what happens: every reject, rewrite, lint finding and call goes
 * through `Observer.record`. Today it keeps counters in memory; metrics hang on it later.
 */
export type Observation =
  | { readonly type: 'rejected'; readonly reason: 'unknown-source' | 'max-calls' | 'loop' | 'method' }
  | { readonly type: 'rewrite'; readonly rule: string; readonly action: string }
  | { readonly type: 'uui-finding'; readonly code: string }
  | { readonly type: 'call'; readonly phase: 'started' | 'answered' | 'failed' | 'ended' }
  | { readonly type: 'relayed'; readonly method: string; readonly kind: 'request' | 'response' };

export interface Observer {
  record(o: Observation): void;
}

export class Counters implements Observer {
  private readonly counts = new Map<string, number>();

  record(o: Observation): void {
    const key = Object.values(o).join(':');
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
