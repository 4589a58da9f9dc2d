/**
 * `sipcase run [--config file]`: the settings, the logger, then the instance's life
 * (instance/instance.ts: SIGHUP and saves reload, SIGTERM/SIGINT drain then exit 0, a fault nobody
 * handled drains then exits 70, a second stop signal exits 1 at once).
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../log.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { run, StartupError } from '../instance/instance.js';
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

/** `sipcase run`: the instance's life (instance/instance.ts); a start-up failure is one line and exit 1. */
export async function runCommand(args: readonly string[], _io: CliIo): Promise<number> {
  const config = configFrom(args);
  const log = createLogger(config.log.level);
  try {
    return await run(config, log);
  } catch (e) {
    if (e instanceof StartupError) {
      log.fatal(e.message);
      throw new CliError(e.message);
    }
    throw e;
  }
}
