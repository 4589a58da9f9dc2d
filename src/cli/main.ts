/** The `sipcase` command line: dispatch, help, and one-line errors with an exit code. */
import { readFileSync } from 'node:fs';
import { describeSettings } from '../config.js';
import { checkCommand } from './check.js';
import { CliError, type CliIo } from './io.js';
import { regressCommand } from './regress.js';
import { replayCommand } from './replay.js';
import { rewriteCommand } from './rewrite.js';
import { runCommand } from './run.js';
import { uuiCommand } from './uui.js';

const HELP = `sipcase: a SIP B2BUA that relays calls between two peers and emits header names in exact case

usage:
  sipcase run [--config <file>]
      run the B2BUA: connect to drachtio-server, prove header case, relay calls
  sipcase check <rules.json>
      validate a rules file; errors name the JSON path
  sipcase rewrite --rules <file> --from <peer> --to <peer> [--earlier <peer>:<file> ...] [--diff | --ladder] [message-file | -]
      dry run: print a raw SIP message as sipcase would send it from one peer to the other
      (--earlier: the call's earlier messages first, in order, each from its peer, so what they
      make the call remember is there; --diff: what changed and why; --ladder: a ladder diagram)
  sipcase replay --rules <file> [--strict] [--html <report.html>] <capture.pcap | capture.pcapng>
      a capture (SIP over UDP and TCP) through the rules: each message's direction by its source,
      what would change (each call's memory followed by Call-ID), a summary; --strict: exit 1 when
      a message would still leave wrong
  sipcase regress --rules <file> [--scenarios <dir>] [--work <dir>]
      the SIPp regression flows against these rules on loopback (drachtio-server and SIPp on the
      PATH): each direction's call, re-INVITE, INFO, REFER + NOTIFY, failure, CANCEL, a stranger,
      and your own pairs (<dir>/<caller>-to-<callee>/<name>-uac.xml and -uas.xml); exit 1 on a failure
  sipcase uui [--strict] '<User-to-User value>'
      parse a UUI value and lint it (--strict: exit 1 when there are findings)
  sipcase --version

settings for run (config/default.json, then --config <file>, then environment):
  name                        environment variable                     default        meaning
${describeSettings()}
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export type Command = (args: readonly string[], io: CliIo) => Promise<number> | number;

const COMMANDS: Readonly<Record<string, Command>> = {
  run: runCommand,
  check: checkCommand,
  rewrite: rewriteCommand,
  replay: replayCommand,
  regress: regressCommand,
  uui: uuiCommand,
};

export async function runCli(argv: readonly string[], io: CliIo, extra: Readonly<Record<string, Command>> = {}): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout(HELP);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      io.stdout(`${version()}\n`);
      return 0;
    }
    const command = extra[name] ?? COMMANDS[name];
    if (command === undefined) throw new CliError(`unknown command "${name}"; try sipcase --help`, 2);
    return await command(args, io);
  } catch (e) {
    const message = e instanceof CliError ? e.message : `internal error: ${(e as Error).message ?? String(e)}`;
    io.stderr(`sipcase: ${message.split('\n')[0]}\n`);
    return e instanceof CliError ? e.exitCode : 70;
  }
}
