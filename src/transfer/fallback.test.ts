import { describe, expect, it } from 'vitest';
import { RecentHandoffs, type UnfinishedHandoff } from './fallback.js';

const handoff = (callId: string, at: number): UnfinishedHandoff => ({ from: 'kore', callId, conversationId: 'cnv-1', outcome: 'failed', at });

describe("linking a bot's fallback INVITE to the hand-off that did not complete", () => {
  it('finds the hand-off by its context, from the peer that asked for it, once', () => {
    const recent = new RecentHandoffs();
    recent.note('00AB', handoff('call-1', 1000));
    expect(recent.take('00AB', 'genesys', 2000)).toBeUndefined();
    expect(recent.take('00AB', 'kore', 2000)).toEqual(handoff('call-1', 1000));
    expect(recent.take('00AB', 'kore', 2000)).toBeUndefined();
  });

  it('forgets a hand-off older than its keep time', () => {
    const recent = new RecentHandoffs(10, 60_000);
    recent.note('00AB', handoff('call-1', 0));
    expect(recent.take('00AB', 'kore', 60_001)).toBeUndefined();
  });

  it('holds at most its bound, letting the oldest go first, and drops expired ones as new ones come', () => {
    const recent = new RecentHandoffs(2, 60_000);
    recent.note('a', handoff('1', 0));
    recent.note('b', handoff('2', 1));
    recent.note('c', handoff('3', 2));
    expect(recent.size).toBe(2);
    expect(recent.take('a', 'kore', 3)).toBeUndefined();
    recent.note('d', handoff('4', 70_000));
    expect(recent.size).toBe(1);
    expect(recent.take('d', 'kore', 70_000)?.callId).toBe('4');
  });
});
