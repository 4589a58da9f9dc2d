/**
 * `sipcase rewrite`: the dry run. Feeds one raw SIP message through the rules for a direction and
 * prints it exactly as sipcase would send it (or, with --diff, what changed and why; with
 * --ladder, the same as a ladder diagram in self-contained HTML).
 */
import { parseArgs } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import type { CompiledRules } from '../rules/types.js';
import { rewrite } from '../rewrite/rewrite.js';
import { parseMessage, serializeToBuffer, SipParseError, type SipMessage } from '../sip/message.js';
import { lintMessageUui } from '../uui/in-message.js';
import { arrowLabel, ladderHtml, rewriteEntry } from '../report/ladder-diagram.js';
import { describeChange } from '../rewrite/change.js';
import { CliError, readInput, type CliIo } from './io.js';
import { rulesFrom } from './rules-file.js';

const USAGE = 'usage: sipcase rewrite --rules <file> --from <peer> --to <peer> [--diff | --ladder] [message-file | -]';

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

export async function rewriteCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { rules: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, diff: { type: 'boolean' }, ladder: { type: 'boolean' } },
    });
  } catch (e) {
    throw new CliError(`${(e as Error).message}; ${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.rules === undefined || positionals.length > 1) throw new CliError(USAGE, 2);
  const rules = await rulesFrom(values.rules);
  const context = { from: peerName(rules, values.from, '--from'), to: peerName(rules, values.to, '--to') };
  const input = parse(await readInput(io, positionals[0]));
  const result = rewrite(rules, input, context);
  const out = serializeToBuffer(result.message);
  const findings = lintMessageUui(result.message);
  for (const f of findings) io.stderr(`warning: uui ${f.code}: ${f.message}\n`);
  if (values.ladder === true) {
    const entry = rewriteEntry(context.from, context.to, arrowLabel(input), result.changes, findings);
    io.stdout(ladderHtml(`sipcase rewrite: ${context.from} -> ${context.to}`, [context.from, context.to], [entry]));
    return 0;
  }
  if (!values.diff) {
    io.stdout(out);
    return 0;
  }
  for (const c of result.changes) io.stdout(`# ${describeChange(c)}\n`);
  if (result.changes.length === 0) io.stdout('# no rule changed this message\n');
  io.stdout(createTwoFilesPatch(`${context.from} (in)`, `${context.to} (out)`, asLines(serializeToBuffer(input)), asLines(out), '', '', { context: 2 }));
  return 0;
}
