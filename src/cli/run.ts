/**
 * `sipcase run [--config file]`: start the B2BUA and run until told to stop. SIGHUP (and a change
 * in the rules file's folder) reloads the rules. SIGTERM or SIGINT drains: no new calls, live calls
 * go on until they end or `drain.timeoutMs` runs out, then exit 0. A second SIGTERM or SIGINT
 * exits at once, with code 1.
 */
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { createLogger } from '../log.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { startB2bua, StartupError, type Running } from '../b2bua/server.js';
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

export async function runCommand(args: readonly string[], _io: CliIo): Promise<number> {
  const config = configFrom(args);
  const log = createLogger(config.log.level);
  // Until the B2BUA runs, SIGHUP has nothing to reload (and must not end the process).
  let onHangUp = (): void => undefined;
  process.on('SIGHUP', () => onHangUp());
  const stop = stopRequested(log);
  const started = start(config, log);
  const first = await Promise.race([started, stop]);
  if (typeof first === 'string') {
    log.info({ signal: first }, 'stopped before start-up finished');
    process.exit(0);
  }
  const running = first;
  onHangUp = () => {
    log.info('SIGHUP: reloading the rules');
    void running.reload('signal');
  };
  const watching = config.reload.watch ? watchRulesFile(config.rules, config.reload.debounceMs, () => void running.reload('file'), log) : undefined;
  const signal = await stop;
  log.info({ signal }, 'stop requested');
  watching?.close();
  await running.drain(config.drain.timeoutMs);
  await running.stop();
  log.info('stopped');
  // Anything still holding the event loop (a peer's half-finished transaction) must not keep a
  // drained process alive.
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}
