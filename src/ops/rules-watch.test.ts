import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { watchRulesFile } from './rules-watch.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watching the rules file', () => {
  it('an editor\'s save (new file renamed over the old) asks for one reload once the folder is still', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipcase-watch-'));
    const file = join(dir, 'rules.json');
    writeFileSync(file, '{}');
    let asked = 0;
    const w = watchRulesFile(file, 100, () => asked++, pino({ level: 'silent' }));
    try {
      for (let i = 0; i < 3; i++) {
        writeFileSync(join(dir, '.rules.json.swp'), `{"v":${i}}`);
        renameSync(join(dir, '.rules.json.swp'), file);
        await wait(20);
      }
      await wait(400);
      expect(asked).toBe(1);
      writeFileSync(file, '{"v":9}'); // and a save in place, again after a pause
      await wait(400);
      expect(asked).toBe(2);
    } finally {
      w.close();
    }
  });
});
