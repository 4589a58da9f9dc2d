/**
 * The per-source request rate: one token bucket per source address, filled at `perSecond` up to
 * `burst`. A peer's address that floods sipcase with new requests gets 503 + Retry-After for what
 * is over its rate, so one misbehaving source cannot degrade every other caller. Only configured
 * peers' addresses get a bucket (strangers are refused before), and at most `maxSources` are kept,
 * least recently seen dropped first, so memory stays bounded whatever the peer ranges.
 */

/** `first`: the source was within its rate until this request, which is worth one log line. */
export type RateVerdict = 'allowed' | 'refused' | 'first-refused';

interface Bucket {
  tokens: number;
  at: number;
  refused: boolean;
}

export class SourceRate {
  private readonly buckets = new Map<string, Bucket>();

  /** `perSecond` 0 turns the limit off. */
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxSources = 10_000,
  ) {}

  /** Takes one request from `source`'s allowance at time `nowMs`. */
  take(source: string, nowMs: number): RateVerdict {
    if (this.perSecond <= 0) return 'allowed';
    const bucket = this.refill(source, nowMs);
    // Delete and set again: the Map's order is then least recently seen first.
    this.buckets.delete(source);
    this.buckets.set(source, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.refused = false;
      return 'allowed';
    }
    const first = !bucket.refused;
    bucket.refused = true;
    return first ? 'first-refused' : 'refused';
  }

  /** Sources tracked now (bounded by maxSources). */
  get size(): number {
    return this.buckets.size;
  }

  private refill(source: string, nowMs: number): Bucket {
    const known = this.buckets.get(source);
    if (known !== undefined) {
      known.tokens = Math.min(this.burst, known.tokens + ((nowMs - known.at) * this.perSecond) / 1000);
      known.at = nowMs;
      return known;
    }
    if (this.buckets.size >= this.maxSources) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return { tokens: this.burst, at: nowMs, refused: false };
  }
}
