/**
 * `sipcase rewrite`: the dry run. Feeds one raw SIP message through the rules for a direction and
 * prints it exactly as sipcase would send it (or, with --diff, what changed and why; with
 * --ladder, the same as a ladder diagram in self-contained HTML). With --earlier, the call's
 * earlier messages go through first, in the order given, each from its peer toward the peer it
 * relays to: what they make the call remember is there for the message shown, as in a live call.
 */
import { describeArrival, reservedArrivals } from '../genesys/reserved-headers.js';
import { parseArgs } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import type { CompiledRules } from '../rules/types.js';
import { rewrite } from '../rewrite/rewrite.js';
import { parseMessage, serializeToBuffer, SipParseError, type SipMessage } from '../sip/message.js';
import { lintMessageUui } from '../uui/in-message.js';
import { arrowLabel, ladderHtml, rewriteEntry } from '../report/ladder-diagram.js';
import { describeChange, wireChanges, type Change } from '../rewrite/change.js';
import type { CallMemory } from '../rewrite/memory.js';
import { memoryLines, type LadderEntry, type TakenAt } from '../report/ladder-diagram.js';
import { CliError, readInput, type CliIo } from './io.js';
import { rulesFrom } from './rules-file.js';

const USAGE = 'usage: sipcase rewrite --rules <file> --from <peer> --to <peer> [--earlier <peer>:<message-file> ...] [--diff | --ladder] [message-file | -]';

function peerName(rules: CompiledRules, name: string | undefined, flag: string): string {
  if (name === undefined) throw new CliError(`${flag} is required; ${USAGE}`, 2);
  if (!rules.peers.has(name)) throw new CliError(`${flag} ${name}: no such peer (peers: ${[...rules.peers.keys()].join(', ')})`, 2);
  return name;
}

function parse(bytes: Buffer): SipMessage {
  try {
    return parseMessage(bytes);
  } catch (e) {
    if (e instanceof SipParseError) throw new CliError(`input is not a SIP message: ${e.message}`);
    throw e;
  }
}

/** Lines as a reader sees them: CRLF shown as line ends, the body's last bytes kept. */
function asLines(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/\r\n/g, '\n');
}

interface Earlier {
  readonly entry: LadderEntry;
  readonly changes: readonly Change[];
}

/** The call's earlier messages through the rules in order; the memory they leave, and each one's ladder entry. */
async function earlierMessages(
  rules: CompiledRules,
  specs: readonly string[],
  io: CliIo,
  takenAt: TakenAt,
): Promise<{ memory: CallMemory; earlier: Earlier[] }> {
  let memory: CallMemory = new Map();
  const earlier: Earlier[] = [];
  for (const spec of specs) {
    const colon = spec.indexOf(':');
    const from = peerName(rules, colon < 0 ? undefined : spec.slice(0, colon), `--earlier ${spec}: <peer>:<file>,`);
    const to = (rules.peers.get(from) as { relayTo: string }).relayTo;
    const input = parse(await readInput(io, spec.slice(colon + 1)));
    const r = rewrite(rules, input, { from, to, memory });
    memory = new Map([...memory, ...r.remembered]);
    earlier.push({ entry: rewriteEntry(from, to, arrowLabel(input), r.changes, lintMessageUui(r.message), earlier.length + 1, takenAt), changes: r.changes });
  }
  return { memory, earlier };
}

export async function rewriteCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        rules: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        earlier: { type: 'string', multiple: true },
        diff: { type: 'boolean' },
        ladder: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new CliError(`${(e as Error).message}; ${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.rules === undefined || positionals.length > 1) throw new CliError(USAGE, 2);
  const rules = await rulesFrom(values.rules);
  const context = { from: peerName(rules, values.from, '--from'), to: peerName(rules, values.to, '--to') };
  const takenAt: TakenAt = new Map();
  const { memory, earlier } = await earlierMessages(rules, values.earlier ?? [], io, takenAt);
  const input = parse(await readInput(io, positionals[0]));
  const result = rewrite(rules, input, { ...context, memory });
  const out = serializeToBuffer(result.message);
  const findings = lintMessageUui(result.message);
  for (const f of findings) io.stderr(`warning: uui ${f.code}: ${f.message}\n`);
  if (rules.peers.get(context.to)?.platform === 'genesys')
    for (const r of reservedArrivals(input, result.message)) io.stderr(`warning: reserved ${r.family}: ${describeArrival(r, context.from)}\n`);
  if (values.ladder === true) {
    const entry = rewriteEntry(context.from, context.to, arrowLabel(input), result.changes, findings, earlier.length + 1, takenAt);
    const peers: [string, string] =
      earlier.length > 0 ? [earlier[0]?.entry.from ?? context.from, earlier[0]?.entry.to ?? context.to] : [context.from, context.to];
    io.stdout(ladderHtml(`sipcase rewrite: ${context.from} -> ${context.to}`, peers, [...earlier.map((e) => e.entry), entry]));
    return 0;
  }
  if (!values.diff) {
    io.stdout(out);
    return 0;
  }
  for (const [name, value] of memory) io.stdout(`# the call remembers memory.${name} = ${JSON.stringify(value)}\n`);
  const changes = wireChanges(result.changes);
  for (const c of changes) io.stdout(`# ${describeChange(c)}${c.used === undefined ? '' : ` (built from ${c.used.map((n) => `memory.${n}`).join(', ')})`}\n`);
  for (const m of memoryLines(
    result.changes.filter((c) => c.action === 'remember'),
    earlier.length + 1,
    new Map(),
  ))
    io.stdout(`# ${m}\n`);
  for (const c of result.changes.filter((x) => x.skipped === true)) io.stdout(`# ${describeChange(c)}\n`);
  if (changes.length === 0) io.stdout('# no rule changed this message\n');
  io.stdout(createTwoFilesPatch(`${context.from} (in)`, `${context.to} (out)`, asLines(serializeToBuffer(input)), asLines(out), '', '', { context: 2 }));
  return 0;
}
