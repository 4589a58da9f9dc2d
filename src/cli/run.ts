/** `sipcase run [--config file]`: start the B2BUA and run until SIGTERM or SIGINT. */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.js';
import { startB2bua, StartupError } from '../b2bua/server.js';
import { CliError, type CliIo } from './io.js';

export async function runCommand(args: readonly string[], _io: CliIo): Promise<number> {
  let configFile: string | undefined;
  try {
    configFile = parseArgs({ args: [...args], options: { config: { type: 'string' } } }).values.config;
  } catch (e) {
    throw new CliError(`${(e as Error).message}; usage: sipcase run [--config <file>]`, 2);
  }
  let config;
  try {
    config = loadConfig(configFile, process.env);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`configuration: ${e.message}`, 2);
    throw e;
  }
  const log = pino({ level: config.log.level, base: { app: 'sipcase' } });
  let running;
  try {
    running = await startB2bua(config, log);
  } catch (e) {
    if (e instanceof StartupError) {
      log.fatal(e.message);
      throw new CliError(e.message);
    }
    throw e;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  log.info('stopping');
  await running.stop();
  return 0;
}
