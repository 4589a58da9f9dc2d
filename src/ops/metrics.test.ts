import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';

const promtool = spawnSync('sh', ['-c', 'command -v promtool']).status === 0;

describe('Prometheus metrics from observations', () => {
  it('counts each observation under its labels, and reads live calls and readiness when scraped', async () => {
    let live = 3;
    const m = new Metrics({
      liveCalls: () => live,
      rememberedValues: () => 2,
      dialogsHeld: () => 4,
      callsByState: () => ({ 'setting-up': 1, answered: 5, ending: 1 }),
      ready: () => false,
    });
    const way = { from: 'kore', to: 'genesys' };
    m.record({ type: 'call-started', way });
    m.record({ type: 'call-ended', way, outcome: 'completed' });
    m.record({ type: 'rewrite', rule: 'uui-exact-case-to-genesys', action: 'case' });
    m.record({ type: 'rewrite', rule: 'uui-exact-case-to-genesys', action: 'case' });
    m.record({ type: 'uui-finding', code: 'high-octet' });
    m.record({ type: 'rejected', reason: 'unknown_source' });
    m.record({ type: 'relayed', method: 'REFER', kind: 'request' });
    m.record({ type: 'reload', result: 'invalid' });
    m.record({ type: 'drachtio', connected: true });
    m.record({ type: 'drachtio', connected: false });
    m.record({ type: 'rewrite-time', seconds: 0.000004 });
    live = 7;
    const text = await m.text();
    for (const line of [
      'sipcase_calls_started_total{from="kore",to="genesys"} 1',
      'sipcase_calls_ended_total{from="kore",to="genesys",outcome="completed"} 1',
      'sipcase_rewrites_total{rule="uui-exact-case-to-genesys",action="case"} 2',
      'sipcase_uui_findings_total{kind="high-octet"} 1',
      'sipcase_requests_rejected_total{reason="unknown_source"} 1',
      'sipcase_requests_rejected_total{reason="draining"} 0',
      'sipcase_requests_relayed_total{method="REFER"} 1',
      'sipcase_rules_reloads_total{result="invalid"} 1',
      'sipcase_rules_reloads_total{result="ok"} 0',
      'sipcase_drachtio_connected 0',
      'sipcase_drachtio_disconnects_total 1',
      'sipcase_rewrite_duration_seconds_bucket{le="0.000005"} 1',
      'sipcase_rewrite_duration_seconds_count 1',
      'sipcase_live_calls 7',
      'sipcase_remembered_values 2',
      'sipcase_drachtio_dialogs 4',
      'sipcase_live_calls_by_state{state="answered"} 5',
      'sipcase_live_calls_by_state{state="setting-up"} 1',
      'sipcase_ready 0',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it.skipIf(!promtool)('passes promtool check metrics, default process metrics included', async () => {
    const m = new Metrics({
      liveCalls: () => 0,
      rememberedValues: () => 0,
      dialogsHeld: () => 0,
      callsByState: () => ({ 'setting-up': 0, answered: 0, ending: 0 }),
      ready: () => true,
    });
    m.record({ type: 'call-started', way: { from: 'a', to: 'b' } });
    const text = await m.text();
    expect(text).toContain('process_resident_memory_bytes');
    // What holds the event loop (a GC pause, a long task) is what a caller hears as set-up time.
    for (const name of ['nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_max_seconds', 'nodejs_gc_duration_seconds']) expect(text).toContain(name);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });
});
