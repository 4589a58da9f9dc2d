/**
 * The container's health check, with node alone (the image has no curl): exit 0 when sipcase's
 * /readyz answers 200 within 2 s, 1 otherwise. It asks where sipcase listens (SIPCASE_HTTP_HOST
 * and SIPCASE_HTTP_PORT, defaults 0.0.0.0 and 8080; an any-address is asked on loopback), or the
 * URL given as its argument.
 */
const port = process.env['SIPCASE_HTTP_PORT'] ?? '8080';
const url = process.argv[2] ?? `http://${askable(process.env['SIPCASE_HTTP_HOST'] ?? '0.0.0.0')}:${port}/readyz`;

/** The address to ask for one sipcase listens on: loopback for an any-address, IPv6 in brackets. */
function askable(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

try {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  process.stdout.write(`${r.status} ${await r.text()}`);
  process.exitCode = r.status === 200 ? 0 : 1;
} catch (e) {
  process.stdout.write(`${url}: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
