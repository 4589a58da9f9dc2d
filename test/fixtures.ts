/** Shared test inputs: the SIP vectors, their golden outputs and the preset rules. */
import { readFileSync, readdirSync } from 'node:fs';
import { parseRulesText } from '../src/rules/load.js';
import type { CompiledRules } from '../src/rules/types.js';

const root = new URL('../', import.meta.url);

export const vectorNames = readdirSync(new URL('test/fixtures/vectors/', root)).filter((f) => f.endsWith('.sip'));

export function vector(name: string): Buffer {
  return readFileSync(new URL(`test/fixtures/vectors/${name}`, root));
}

export function golden(name: string): Buffer {
  return readFileSync(new URL(`test/fixtures/golden/${name}`, root));
}

export const PRESET_PATH = new URL('config/rules.json', root).pathname;

export function compile(text: string): CompiledRules {
  const r = parseRulesText(text);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.value;
}

export function presetRules(): CompiledRules {
  return compile(readFileSync(PRESET_PATH, 'utf8'));
}

/** Rules for two peers a and b with the given rules list. */
export function rulesFor(rules: unknown[]): CompiledRules {
  return compile(
    JSON.stringify({
      peers: {
        a: { sources: ['127.0.0.2'], target: 'sip:127.0.0.2:5090' },
        b: { sources: ['127.0.0.3'], target: 'sip:127.0.0.3:5090' },
      },
      rules,
    }),
  );
}

/** Builds a SIP message from lines, CRLF-joined, with an empty body. */
export function sip(...lines: string[]): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}
