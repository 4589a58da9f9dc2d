/**
 * `sipcase replay`: a capture (pcap or pcapng, SIP over UDP and TCP) through the rules, as sipcase
 * would have relayed it: per message, its direction and what would change; then a summary. With
 * --strict, exit 1 when a message would still leave with a finding (a UUI lint finding, or a name
 * the rules emit spelled otherwise); with --html, the flow as a ladder diagram.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { sipMessagesOf } from '../capture/sip-messages.js';
import type { CompiledRules } from '../rules/types.js';
import { replayMessages, summarize, type Replayed, type ReplaySummary } from '../replay/replay.js';
import { outcomeCounts, TRANSFER_COLUMNS, transferRows, transfersOf, type ReplayedTransfer } from '../replay/transfers.js';
import { ladderHtml, memoryLines, rewriteEntry, type LadderEntry, type TakenAt } from '../report/ladder-diagram.js';
import { describeChange, wireChanges } from '../rewrite/change.js';
import { CliError, type CliIo } from './io.js';
import { rulesFrom } from './rules-file.js';

const USAGE = 'usage: sipcase replay --rules <file> [--strict] [--html <report.html>] <capture.pcap|.pcapng>';

function describe(r: Replayed, n: number, takenAt: TakenAt): string[] {
  const where = `#${n} frame ${r.at.frame + 1} ${r.at.transport} ${r.at.src}:${r.at.srcPort} -> ${r.at.dst}:${r.at.dstPort}`;
  if (r.kind === 'unreadable') return [`${where}  unreadable: ${r.error}`];
  if (r.kind === 'refused') return [`${where}  ${r.label}  would be refused: ${r.at.src} is no configured peer`];
  const changes = wireChanges(r.changes);
  const head = `${where}  ${r.from}->${r.to} ${r.label}${changes.length === 0 ? '  (unchanged)' : ''}`;
  return [
    head,
    ...changes.map((c) => `    ${describeChange(c)}`),
    ...memoryLines(r.changes, n, takenAt).map((m) => `    memory: ${m}`),
    ...r.changes.filter((c) => c.skipped === true).map((c) => `    skipped: ${describeChange(c).replace(': skipped: ', ': ')}`),
    ...r.remaining.map((f) => `    still: ${f.code}: ${f.message}`),
  ];
}

function table(title: string, rows: ReadonlyMap<string, number>): string[] {
  if (rows.size === 0) return [`  ${title}: none`];
  return [`  ${title}:`, ...[...rows].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, v]) => `    ${String(v).padStart(6)}  ${k}`)];
}

function summaryLines(s: ReplaySummary, skipped: number): string[] {
  const relayed = s.messages - s.refused - s.unreadable;
  const wrong = [...s.stillWrong.values()].reduce((a, b) => a + b, 0);
  return [
    'summary',
    `  messages: ${s.messages} (${relayed} relayed, ${s.refused} would be refused, ${s.unreadable} unreadable; ${skipped} frames carried no SIP)`,
    ...table('messages by direction and method', s.byDirection),
    ...table('rewrites by rule', s.rewrites),
    ...table('findings on messages as they would leave', s.remaining),
    wrong === 0
      ? '  messages that would still leave wrong: none'
      : `  messages that would still leave wrong: ${wrong} (${[...s.stillWrong].map(([peer, n]) => `toward ${peer}: ${n}`).join(', ')})`,
  ];
}

/** The capture's transfers as a table, columns padded to their widest cell (the target cut at 60). */
function transferLines(transfers: readonly ReplayedTransfer[]): string[] {
  if (transfers.length === 0) return ['transfers: none'];
  const rows = [
    [...TRANSFER_COLUMNS],
    ...transferRows(transfers).map((r) => r.map((cell, i) => (i === 3 && cell.length > 60 ? `${cell.slice(0, 57)}...` : cell))),
  ];
  const widths = TRANSFER_COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  return [
    `transfers: ${transfers.length} (${outcomeCounts(transfers)})`,
    ...rows.map(
      (r) =>
        `  ${r
          .map((c, i) => c.padEnd(widths[i] as number))
          .join('  ')
          .trimEnd()}`,
    ),
  ];
}

export function ladderEntries(replayed: readonly Replayed[]): LadderEntry[] {
  const takenAt: TakenAt = new Map();
  return replayed
    .filter((r) => r.kind !== 'unreadable')
    .map((r, i): LadderEntry => {
      if (r.kind === 'refused') return { from: r.at.src, to: undefined, label: r.label, changes: [], memory: [], findings: [] };
      return rewriteEntry(r.from, r.to, r.label, r.changes, r.remaining, i + 1, takenAt);
    });
}

export function ladderPeers(rules: CompiledRules): [string, string] {
  const names = [...rules.peers.keys()];
  return [names[0] ?? 'a', names[1] ?? 'b'];
}

export async function replayCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { rules: { type: 'string' }, strict: { type: 'boolean' }, html: { type: 'string' } },
    });
  } catch (e) {
    throw new CliError(`${(e as Error).message}; ${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (values.rules === undefined || file === undefined || positionals.length > 1) throw new CliError(USAGE, 2);
  const rules = await rulesFrom(values.rules);
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${file}: ${e.code ?? 'error'}`);
  });
  const capture = sipMessagesOf(bytes);
  if (!capture.ok) throw new CliError(`${file}: ${capture.error}`);
  const { messages, frames, skipped, truncated } = capture.value;
  io.stdout(`capture ${file}: ${frames} frames, ${messages.length} SIP messages${truncated ? '; the last record is cut short and was left out' : ''}\n`);
  const replayed = replayMessages(rules, messages);
  const takenAt: TakenAt = new Map();
  replayed.forEach((r, i) => io.stdout(`${describe(r, i + 1, takenAt).join('\n')}\n`));
  const summary = summarize(replayed);
  io.stdout(`${summaryLines(summary, skipped).join('\n')}\n`);
  const transfers = transfersOf(replayed);
  io.stdout(`${transferLines(transfers).join('\n')}\n`);
  if (values.html !== undefined) {
    const table = {
      title: `Transfers: ${transfers.length}${transfers.length === 0 ? '' : ` (${outcomeCounts(transfers)})`}`,
      columns: [...TRANSFER_COLUMNS],
      rows: transferRows(transfers),
    };
    await writeFile(values.html, ladderHtml(`sipcase replay: ${file}`, ladderPeers(rules), ladderEntries(replayed), table));
    io.stdout(`ladder: ${values.html}\n`);
  }
  const wrong = [...summary.stillWrong.values()].reduce((a, b) => a + b, 0);
  return values.strict === true && wrong > 0 ? 1 : 0;
}
