/**
 * The benchmark's chart as a self-contained SVG: calls per second against INVITE->200 p99 (left)
 * and against CPU (right: node solid, drachtio-server dashed), one colour per target.
 */
export interface ChartPoint {
  readonly target: string;
  readonly rate: number;
  readonly p99Ms: number;
  readonly nodeCpuPct: number;
  readonly drachtioCpuPct: number;
  readonly failed: number;
  /** Calls the far side failed (its checks, or a message it did not expect). */
  readonly uasFailed: number;
}

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
const W = 420;
const H = 300;
const PAD = { left: 55, right: 15, top: 30, bottom: 45 };

function niceMax(v: number): number {
  if (!Number.isFinite(v) || v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v) ?? v;
}

function panel(
  x0: number,
  title: string,
  points: readonly ChartPoint[],
  series: readonly { key: (p: ChartPoint) => number; dash: string; label: string }[],
  targets: readonly string[],
  log: boolean,
): string {
  const rates = points.map((p) => p.rate);
  const xMax = niceMax(Math.max(...rates));
  const values = points.flatMap((p) => series.map((s) => s.key(p))).filter((v) => Number.isFinite(v) && v > 0);
  const yMax = log ? 10 ** Math.ceil(Math.log10(Math.max(10, ...values))) : niceMax(Math.max(...values));
  const yMin = log ? 1 : 0;
  const scale = (v: number) => (log ? Math.log10(Math.max(v, yMin)) / Math.log10(yMax) : v / yMax);
  const sx = (r: number) => x0 + PAD.left + (r / xMax) * (W - PAD.left - PAD.right);
  const sy = (v: number) => PAD.top + (1 - scale(v)) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [`<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${title}</text>`];
  const ticks = log ? Array.from({ length: Math.log10(yMax) + 1 }, (_, i) => 10 ** i) : [0, 1, 2, 3, 4].map((i) => (yMax * i) / 4);
  for (const v of ticks) {
    parts.push(
      `<line x1="${sx(0)}" x2="${sx(xMax)}" y1="${sy(v)}" y2="${sy(v)}" stroke="#ddd"/>`,
      `<text x="${sx(0) - 6}" y="${sy(v) + 4}" text-anchor="end">${+v.toFixed(2)}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const r = (xMax * i) / 4;
    parts.push(`<text x="${sx(r)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${+r.toFixed(0)}</text>`);
  }
  parts.push(`<text x="${x0 + W / 2}" y="${H - 8}" text-anchor="middle">calls per second</text>`);
  targets.forEach((t, ti) => {
    const mine = points.filter((p) => p.target === t).sort((a, b) => a.rate - b.rate);
    for (const s of series) {
      const pts = mine.filter((p) => Number.isFinite(s.key(p))).map((p) => `${sx(p.rate).toFixed(1)},${sy(s.key(p)).toFixed(1)}`);
      parts.push(`<polyline fill="none" stroke="${COLOURS[ti % COLOURS.length]}" stroke-width="2" stroke-dasharray="${s.dash}" points="${pts.join(' ')}"/>`);
      for (const p of mine.filter((q) => q.failed + q.uasFailed > 0 && Number.isFinite(s.key(q)))) {
        parts.push(`<circle cx="${sx(p.rate)}" cy="${sy(s.key(p))}" r="4" fill="none" stroke="#d62728"/>`);
      }
    }
  });
  return parts.join('\n');
}

export function renderChart(points: readonly ChartPoint[], caption: string): string {
  const targets = [...new Set(points.map((p) => p.target))];
  const legend = targets.map((t, i) => `<text x="${15 + i * 160}" y="${H + 20}" fill="${COLOURS[i % COLOURS.length]}">■ ${t}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 50}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${panel(0, 'INVITE->200 p99 (ms, log scale)', points, [{ key: (p) => p.p99Ms, dash: '', label: 'p99' }], targets, true)}
${panel(
  W,
  'CPU, % of one core (node solid, drachtio dashed)',
  points,
  [
    { key: (p) => p.nodeCpuPct, dash: '', label: 'node' },
    { key: (p) => p.drachtioCpuPct, dash: '5,4', label: 'drachtio' },
  ],
  targets,
  false,
)}
${legend}<text x="${15 + targets.length * 160}" y="${H + 20}" fill="#d62728">○ rate with failed calls</text>
<text x="15" y="${H + 40}" fill="#555">${caption}</text>
</svg>
`;
}
