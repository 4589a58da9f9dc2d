/**
 * A rewritten flow as a SIP ladder diagram: one lifeline per peer and one for sipcase, each
 * message an arrow into sipcase and (unless refused) an arrow out to the other peer, with what the
 * rules changed, what the call remembered or used from its memory, and what would still be wrong
 * written under it. Self-contained HTML: one inline
 * SVG and a few lines of inline script, nothing fetched. The script measures what the browser drew
 * and records it on <body data-rendered>, which is how a headless browser test reads it back.
 */

import { describeChange, wireChanges, type Change } from '../rewrite/change.js';
import type { SipMessage } from '../sip/message.js';

/** What an arrow is labelled with: the method, or the status and reason. */
export function arrowLabel(m: SipMessage): string {
  return m.start.kind === 'request' ? m.start.method : `${m.start.status} ${m.start.reason}`.trim();
}

export interface LadderEntry {
  /** A peer's name (a lifeline), or an address that is no peer (drawn from the left edge). */
  readonly from: string;
  /** The peer it is relayed to; undefined when sipcase would refuse it. */
  readonly to: string | undefined;
  /** Start line, short: `INVITE` or `200 OK`. */
  readonly label: string;
  /** What the rules changed, one line each. */
  readonly changes: readonly string[];
  /** Values the call remembered here, and memory a change here was built from, one line each. */
  readonly memory: readonly string[];
  /** What would still be wrong as it leaves, one line each. */
  readonly findings: readonly string[];
}

/** Where each remembered name was last taken, as `message N`: what the ladder's memory lines point back to. */
export type TakenAt = Map<string, number>;

export function memoryLines(changes: readonly Change[], index: number, takenAt: TakenAt): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    if (c.skipped === true) continue;
    if (c.action === 'remember') {
      lines.push(`remembered ${c.header} = ${c.detail}`);
      takenAt.set(c.header, index);
    }
    for (const name of c.used ?? []) {
      const at = takenAt.get(`memory.${name}`);
      lines.push(`${c.header} built from memory.${name}${at === undefined ? '' : ` (remembered at ${at})`}`);
    }
  }
  return lines;
}

/**
 * A relayed message's entry (message `index` of the ladder, counted from 1): what the rules changed,
 * what the call remembered or used, and what would still leave wrong.
 */
export function rewriteEntry(
  from: string,
  to: string,
  label: string,
  changes: readonly Change[],
  left: readonly { readonly code: string; readonly message: string }[],
  index = 1,
  takenAt: TakenAt = new Map(),
): LadderEntry {
  return {
    from,
    to,
    label,
    changes: wireChanges(changes).map(describeChange),
    memory: memoryLines(changes, index, takenAt),
    findings: left.map((f) => `still ${f.code}: ${f.message}`),
  };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const COLUMN = 300;
const ROW = 44;
const LINE = 16;
/** Room right of the last lifeline for the lines written under an arrow toward it. */
const MARGIN = 360;

/** A table shown under the ladder (replay's transfers). */
export interface LadderTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function tableHtml(t: LadderTable): string {
  const row = (cells: readonly string[], tag: string) => `<tr>${cells.map((c) => `<${tag}>${escape(c)}</${tag}>`).join('')}</tr>`;
  return `<h2>${escape(t.title)}</h2>
<table class="transfers">
${row(t.columns, 'th')}
${t.rows.map((r) => row(r, 'td')).join('\n')}
</table>`;
}

export function ladderHtml(title: string, peers: readonly [string, string], entries: readonly LadderEntry[], table?: LadderTable): string {
  const x = new Map<string, number>([
    [peers[0], 150],
    ['sipcase', 150 + COLUMN],
    [peers[1], 150 + 2 * COLUMN],
  ]);
  const mid = x.get('sipcase') as number;
  const parts: string[] = [];
  let y = 70;
  entries.forEach((e, i) => {
    const fromX = x.get(e.from) ?? 20;
    const toX = e.to === undefined ? undefined : x.get(e.to);
    const arrow = (x1: number, x2: number, at: number, cls: string, text: string) =>
      `<line class="arrow ${cls}" x1="${x1}" y1="${at}" x2="${x2}" y2="${at}" marker-end="url(#head)"/><text class="label" x="${(x1 + x2) / 2}" y="${at - 5}" text-anchor="middle">${escape(text)}</text>`;
    parts.push(`<g class="message" data-index="${i + 1}">`);
    parts.push(arrow(fromX, mid, y, e.to === undefined ? 'refused' : 'in', `${i + 1}. ${e.label}${x.has(e.from) ? '' : ` from ${e.from}`}`));
    if (toX === undefined) parts.push(`<text class="finding" x="${mid + 8}" y="${y + 4}">would be refused: no configured peer</text>`);
    else parts.push(arrow(mid, toX, y + 18, e.changes.length > 0 ? 'out changed' : 'out', e.label));
    let line = y + 18 + LINE;
    const under = Math.min(mid, toX ?? mid) + 8;
    for (const c of e.changes) parts.push(`<text class="change" x="${under}" y="${(line += LINE) - LINE}">${escape(c)}</text>`);
    for (const m of e.memory) parts.push(`<text class="memory" x="${under}" y="${(line += LINE) - LINE}">${escape(m)}</text>`);
    for (const f of e.findings) parts.push(`<text class="finding" x="${under}" y="${(line += LINE) - LINE}">${escape(f)}</text>`);
    parts.push('</g>');
    y = Math.max(y + ROW, line + 8);
  });
  const height = y + 20;
  const lifelines = [...x.entries()].map(
    ([name, at]) =>
      `<line class="lifeline" x1="${at}" y1="40" x2="${at}" y2="${height - 10}"/><text class="peer" x="${at}" y="30" text-anchor="middle">${escape(name)}</text>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 16px; }
.lifeline { stroke: #999; stroke-dasharray: 4 4; }
.peer { font-weight: bold; }
.arrow { stroke: #246; stroke-width: 1.5; }
.arrow.changed { stroke: #0a6; }
.arrow.refused { stroke: #c22; stroke-dasharray: 6 3; }
.label { font: 12px ui-monospace, monospace; }
.change { font: 12px ui-monospace, monospace; fill: #0a6; }
.finding { font: 12px ui-monospace, monospace; fill: #c22; }
.memory { font: 12px ui-monospace, monospace; fill: #63c; }
table.transfers { border-collapse: collapse; font: 12px ui-monospace, monospace; }
table.transfers th, table.transfers td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; }
</style></head>
<body>
<h1>${escape(title)}</h1>
<svg xmlns="http://www.w3.org/2000/svg" width="${150 * 2 + COLUMN * 2 + MARGIN}" height="${height}">
<defs><marker id="head" markerWidth="10" markerHeight="8" refX="10" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#246"/></marker></defs>
${lifelines.join('\n')}
${parts.join('\n')}
</svg>
${table === undefined ? '' : tableHtml(table)}
<script>
// What the browser drew: arrows with a length, texts with a width.
const drawn = (sel, size) => [...document.querySelectorAll(sel)].filter((e) => size(e) > 0).length;
document.body.dataset.rendered = JSON.stringify({
  arrows: drawn('.arrow', (e) => e.getBBox().width),
  changes: drawn('.change', (e) => e.getComputedTextLength()),
  memory: drawn('.memory', (e) => e.getComputedTextLength()),
  findings: drawn('.finding', (e) => e.getComputedTextLength()),
  transfers: document.querySelectorAll('table.transfers td:first-child').length,
});
</script>
</body></html>
`;
}
