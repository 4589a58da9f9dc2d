/** Deadlines longer than Node's setTimeout keeps fire when they are due, not 1 ms later. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadline, MAX_TIMEOUT_MS } from './deadline.js';

const DAY_MS = 86_400_000;

describe('a deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a 9-digit Session-Expires (999,999,999 s, about 31 years) is not due after a second, a day or 24.8 days', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    deadline(999_999_999 * 1000, fired);
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(DAY_MS);
    vi.advanceTimersByTime(MAX_TIMEOUT_MS);
    expect(fired).not.toHaveBeenCalled();
  });

  it('fires once when due, across the steps it waits in', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    deadline(60 * DAY_MS, fired); // about 2.4 steps of 24.8 days
    vi.advanceTimersByTime(60 * DAY_MS - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100 * DAY_MS);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('a cleared deadline never fires, in whichever step it was cleared', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const d = deadline(60 * DAY_MS, fired);
    vi.advanceTimersByTime(30 * DAY_MS);
    d.clear();
    vi.advanceTimersByTime(60 * DAY_MS);
    expect(fired).not.toHaveBeenCalled();
  });
});
