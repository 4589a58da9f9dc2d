import { describe, expect, it } from 'vitest';
import { CallLife, IllegalCallMove, type CallState } from './call-state.js';

const from = (...path: CallState[]) => {
  const life = new CallLife();
  for (const s of path) life.move(s);
  return life;
};

describe("a call's life", () => {
  it('starts setting up, and goes through answered and ending to ended', () => {
    const life = new CallLife();
    expect(life.state).toBe('setting-up');
    for (const s of ['answered', 'ending', 'ended'] as const) life.move(s);
    expect(life.state).toBe('ended');
  });

  it('may end from any state that is not ended (failed set-up, lost connection, drain)', () => {
    for (const path of [[], ['answered'], ['answered', 'ending']] as CallState[][]) expect(() => from(...path).move('ended')).not.toThrow();
  });

  it.each([
    [[], 'ending'],
    [['answered'], 'setting-up'],
    [['answered', 'ending'], 'answered'],
    [['ended'], 'answered'],
    [['ended'], 'ended'],
    [['answered'], 'answered'],
  ] as [CallState[], CallState][])('refuses a move the table does not have: after %j, to %s', (path, to) => {
    const life = from(...path);
    expect(life.can(to)).toBe(false);
    expect(() => life.move(to)).toThrow(IllegalCallMove);
    expect(life.state).toBe(path.at(-1) ?? 'setting-up');
  });
});
