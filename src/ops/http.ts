/**
 * The operations endpoints on `http.port`, with node's own http server: /healthz (the process
 * runs), /readyz (200 only when ready; 503 with the failing checks otherwise) and /metrics
 * (Prometheus text). Nothing else is served.
 */
import { createServer, type Server } from 'node:http';

export interface Endpoints {
  /** Whether the instance is ready, with whatever else /readyz shows (instance/readiness.ts). */
  readonly readiness: () => { readonly ready: boolean };
  readonly metrics: () => Promise<{ readonly contentType: string; readonly text: string }>;
}

export interface OpsServer {
  /** The port it listens on (the configured one, or the kernel's pick for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

function json(status: number, body: unknown): { status: number; type: string; text: string } {
  return { status, type: 'application/json', text: `${JSON.stringify(body)}\n` };
}

async function answer(path: string, endpoints: Endpoints): Promise<{ status: number; type: string; text: string }> {
  switch (path) {
    case '/healthz':
      return json(200, { status: 'ok' });
    case '/readyz': {
      const r = endpoints.readiness();
      return json(r.ready ? 200 : 503, r);
    }
    case '/metrics': {
      const m = await endpoints.metrics();
      return { status: 200, type: m.contentType, text: m.text };
    }
    default:
      return json(404, { error: 'not found: /healthz, /readyz and /metrics are served' });
  }
}

export function startOpsServer(host: string, port: number, endpoints: Endpoints): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    answer(path, endpoints).then(
      (a) => res.writeHead(a.status, { 'Content-Type': a.type, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : a.text),
      (err: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${(err as Error).message}\n`),
    );
  });
  // Scrapes and probes are short; an idle keep-alive socket must not hold up a drained exit.
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
