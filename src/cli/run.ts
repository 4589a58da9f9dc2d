/**
 * `sipcase run [--config file]`: start the B2BUA and run until told to stop. SIGHUP (and a change
 * in the rules file's folder) reloads the rules. SIGTERM or SIGINT drains: no new calls, live calls
 * go on until they end or `drain.timeoutMs` runs out, then exit 0. A second SIGTERM or SIGINT
 * exits at once, with code 1. A fault nobody handled drains the same way, then exits 70
 * (ops/fault-policy.ts).
 */
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { createLogger } from '../log.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { startB2bua, StartupError, type Running } from '../b2bua/server.js';
import { FAULT_EXIT_CODE, watchFaults } from '../ops/fault-policy.js';
import { watchRulesFile } from '../ops/rules-watch.js';
import { CliError, type CliIo } from './io.js';

function configFrom(args: readonly string[]): Config {
  let configFile: string | undefined;
  try {
    configFile = parseArgs({ args: [...args], options: { config: { type: 'string' } } }).values.config;
  } catch (e) {
    throw new CliError(`${(e as Error).message}; usage: sipcase run [--config <file>]`, 2);
  }
  try {
    return loadConfig(configFile, process.env);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`configuration: ${e.message}`, 2);
    throw e;
  }
}

async function start(config: Config, log: Logger): Promise<Running> {
  try {
    return await startB2bua(config, log);
  } catch (e) {
    if (e instanceof StartupError) {
      log.fatal(e.message);
      throw new CliError(e.message);
    }
    throw e;
  }
}

/** Resolves at the first SIGTERM or SIGINT; a second one ends the process at once. */
function stopRequested(log: Logger): Promise<string> {
  return new Promise((resolve) => {
    let asked = false;
    const onSignal = (signal: string): void => {
      if (asked) {
        log.warn({ signal }, 'second stop signal: exiting now, live calls are cut');
        process.exit(1);
      }
      asked = true;
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** Why the process stops: a stop signal, or a fault nobody handled. */
type StopCause = { readonly by: 'signal'; readonly signal: string } | { readonly by: 'fault' };

export async function runCommand(args: readonly string[], _io: CliIo): Promise<number> {
  const config = configFrom(args);
  const log = createLogger(config.log.level);
  // The B2BUA once it runs: what a fault counts into and reads the live calls of.
  const live: { app?: Running } = {};
  const faults = watchFaults(process, log, { record: (o) => live.app?.metrics.record(o) }, () => live.app?.ctx.calls.size ?? 0);
  // Until the B2BUA runs, SIGHUP has nothing to reload (and must not end the process).
  let onHangUp = (): void => undefined;
  process.on('SIGHUP', () => onHangUp());
  const stop = Promise.race([stopRequested(log).then((signal): StopCause => ({ by: 'signal', signal })), faults.first.then((): StopCause => ({ by: 'fault' }))]);
  const started = start(config, log);
  const first = await Promise.race([started, stop]);
  if (!('ctx' in first)) {
    log.info(first, 'stopped before start-up finished');
    process.exit(first.by === 'fault' ? FAULT_EXIT_CODE : 0);
  }
  const app = (live.app = first);
  onHangUp = () => {
    log.info('SIGHUP: reloading the rules');
    void app.reload('signal');
  };
  const watching = config.reload.watch ? watchRulesFile(config.rules, config.reload.debounceMs, () => void app.reload('file'), log) : undefined;
  const cause = await stop;
  log.info(cause, 'stop requested');
  watching?.close();
  await app.drain(config.drain.timeoutMs);
  await app.stop();
  const code = cause.by === 'fault' ? FAULT_EXIT_CODE : 0;
  log.info({ code }, 'stopped');
  // Anything still holding the event loop (a peer's half-finished transaction) must not keep a
  // drained process alive.
  setTimeout(() => process.exit(code), 1000).unref();
  return code;
}
