/**
 * Watches the rules file's folder, not the file: editors save by writing a new file and renaming
 * it over the old one, and Kubernetes swaps a ConfigMap through a symlink, and either way a watch on
 * the old file's inode would go quiet. Any change in the folder, once it has been still for
 * `debounceMs`, asks for a reload; the reload itself skips a file whose bytes did not change.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';

export interface Watching {
  close(): void;
}

export function watchRulesFile(file: string, debounceMs: number, onChange: () => void, log: Logger): Watching {
  const dir = dirname(resolve(file));
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on('error', (err) => log.warn({ err: err.message, dir }, 'watching the rules folder failed: reload with SIGHUP'));
    log.info({ dir, debounceMs }, 'watching the rules folder for changes');
  } catch (err) {
    log.warn({ err: (err as Error).message, dir }, 'cannot watch the rules folder: reload with SIGHUP');
  }
  return {
    close: () => {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
