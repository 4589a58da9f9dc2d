/**
 * The container's health check, with node alone (the image has no curl): exit 0 when sipcase's
 * /readyz answers 200 within 2 s, 1 otherwise. It asks the port in SIPCASE_HTTP_PORT (default
 * 8080) on loopback, or the URL given as its argument.
 */
const port = process.env['SIPCASE_HTTP_PORT'] ?? '8080';
const url = process.argv[2] ?? `http://127.0.0.1:${port}/readyz`;

try {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  process.stdout.write(`${r.status} ${await r.text()}`);
  process.exitCode = r.status === 200 ? 0 : 1;
} catch (e) {
  process.stdout.write(`${url}: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
