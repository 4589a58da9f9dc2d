import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpsServer, type OpsServer } from './http.js';
import { initialStatus, readiness } from '../instance/readiness.js';

describe('the operations endpoints', () => {
  const status = initialStatus('rules.json');
  let server: OpsServer;
  const get = (path: string, method = 'GET') => fetch(`http://127.0.0.1:${server.port}${path}`, { method });

  beforeAll(async () => {
    server = await startOpsServer('127.0.0.1', 0, {
      readiness: () => readiness(status),
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', text: 'sipcase_ready 0\n' }),
    });
  });
  afterAll(() => server.close());

  it('/healthz is 200 whatever the state', async () => {
    expect((await get('/healthz')).status).toBe(200);
  });

  it('/readyz is 503 with the failing checks, then 200 once they pass', async () => {
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ ready: false, failing: ['drachtio', 'rules', 'probe'] });
    Object.assign(status, { drachtio: 'connected', rules: { file: 'rules.json', loaded: true, count: 1 }, probe: { state: 'passed' } });
    expect((await get('/readyz')).status).toBe(200);
  });

  it('/metrics serves the exposition text with its content type', async () => {
    const r = await get('/metrics');
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await r.text()).toBe('sipcase_ready 0\n');
  });

  it('anything else is 404, and only GET and HEAD are served', async () => {
    expect((await get('/admin')).status).toBe(404);
    expect((await get('/readyz', 'POST')).status).toBe(405);
    expect((await get('/healthz?x=1', 'HEAD')).status).toBe(200);
  });
});
