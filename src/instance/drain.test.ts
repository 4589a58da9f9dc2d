import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { answeringEngine, Channel, context, inviteRaw, KORE, placeInvite, request } from '../../test/fake-engine.js';
import { drain } from './drain.js';

const log = pino({ level: 'silent' });

describe('drain', () => {
  it('with no live call: done at once', async () => {
    const ctx = context(answeringEngine().engine);
    expect(await drain(ctx.calls, 60_000, log)).toBe('empty');
  });

  it('waits for the live call to end by itself', async () => {
    const { engine, uas } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    const draining = drain(ctx.calls, 60_000, log);
    uas.emit('destroy', request('BYE', KORE, 'BYE sip:x SIP/2.0\r\nCSeq: 3 BYE\r\n\r\n'));
    expect(await draining).toBe('empty');
    expect(ctx.observer.count('call-ended', { outcome: 'completed' })).toBe(1);
  });

  it('at the timeout, hangs up what is left (BYE on both legs)', async () => {
    const { engine, uac, uas } = answeringEngine();
    const ctx = context(engine);
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    expect(await drain(ctx.calls, 50, log)).toBe('timeout');
    expect([uac.destroyed, uas.destroyed, ctx.calls.size]).toEqual([true, true, 0]);
    expect(ctx.observer.count('call-ended', { outcome: 'drained' })).toBe(1);
  });

  it('does not wait on the dead: calls are probed as it starts, and one whose peer lost the dialog ends at once', async () => {
    const { engine, uac } = answeringEngine();
    // Liveness every hour: only the drain's own probe can find the call dead in time.
    const ctx = context(engine, 10_240, { watch: { livenessMs: 3_600_000, maxAgeMs: 0 }, maxSetupMs: 0 });
    await placeInvite(ctx, request('INVITE', KORE, inviteRaw), new Channel());
    uac.optionsAnswer = 481;
    expect(await drain(ctx.calls, 60_000, log)).toBe('empty');
    expect(ctx.observer.count('call-ended', { outcome: 'unreachable' })).toBe(1);
  });
});
