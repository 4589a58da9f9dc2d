import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { until } from '../harness/processes.js';
import { watchRulesFile } from './rules-watch.js';

const DEBOUNCE_MS = 100;

describe('watching the rules file', () => {
  it("an editor's saves (new file renamed over the old) ask for one reload once the folder is still; a later save, for one more", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipcase-watch-'));
    const file = join(dir, 'rules.json');
    writeFileSync(file, '{}');
    const asks: number[] = [];
    const w = watchRulesFile(file, DEBOUNCE_MS, () => asks.push(Date.now()), pino({ level: 'silent' }));
    try {
      let lastSave = 0;
      for (let i = 0; i < 3; i++) {
        writeFileSync(join(dir, '.rules.json.swp'), `{"v":${i}}`);
        renameSync(join(dir, '.rules.json.swp'), file);
        lastSave = Date.now();
        await new Promise((r) => setTimeout(r, 20)); // a burst: saves closer together than the debounce
      }
      await until('the reload asked for', () => asks.length > 0, 2000);
      // Asked once the folder had been still for the debounce (timer granularity aside), not per save.
      expect((asks[0] as number) - lastSave).toBeGreaterThanOrEqual(DEBOUNCE_MS - 10);
      const saved = Date.now();
      writeFileSync(file, '{"v":9}'); // and a save in place
      await until('the second reload asked for', () => asks.length > 1, 2000);
      // The second ask is the second save's: none was left over from the burst.
      expect(asks).toHaveLength(2);
      expect((asks[1] as number) - saved).toBeGreaterThanOrEqual(DEBOUNCE_MS - 10);
    } finally {
      w.close();
    }
  });
});
