import { describe, expect, it } from 'vitest';
import { parseTemplate } from './template.js';

describe('templates: text with ${...} slots, parsed once per load', () => {
  it('text alone is a literal, built at no cost', () => {
    expect(parseTemplate('XXcfo|abc;encoding=ascii')).toEqual({
      ok: true,
      template: { pieces: [{ kind: 'text', text: 'XXcfo|abc;encoding=ascii' }], literal: 'XXcfo|abc;encoding=ascii', memory: [] },
    });
    expect(parseTemplate('')).toEqual({ ok: true, template: { pieces: [], literal: '', memory: [] } });
  });

  it('slots read memory, headers, embedded headers and message parts, through encoders in order', () => {
    const r = parseTemplate('XX${memory.uui}|${header:X-Intent|hex}${embedded:User-to-User}${call-id}${from.user}${to.user}${ruri.user|uri}');
    if (!r.ok) throw new Error(r.message);
    expect(r.template.literal).toBeUndefined();
    expect(r.template.memory).toEqual(['uui']);
    expect(r.template.pieces.map((p) => (p.kind === 'text' ? p.text : [p.source, p.encoders]))).toEqual([
      'XX',
      [{ kind: 'memory', name: 'uui' }, []],
      '|',
      [{ kind: 'header', name: 'X-Intent' }, ['hex']],
      [{ kind: 'embedded', name: 'User-to-User' }, []],
      [{ kind: 'part', part: 'call-id' }, []],
      [{ kind: 'part', part: 'from.user' }, []],
      [{ kind: 'part', part: 'to.user' }, []],
      [{ kind: 'part', part: 'ruri.user' }, ['uri']],
    ]);
  });

  it('$${ writes ${, and a lone $ is text', () => {
    const r = parseTemplate('cost $5 $${memory.x}');
    expect(r.ok && r.template.literal).toBe('cost $5 ${memory.x}');
  });

  it.each([
    ['${memory.1x}', '"1x" is no memory name (a letter, then letters, digits, _ or -, at most 32) (at character 1)'],
    ['ab${headers:X}', 'unknown source "headers:X": use memory.NAME, header:NAME, embedded:NAME, call-id, from.user, to.user, ruri.user (at character 3)'],
    ['${header:X|base64}', 'unknown encoder "base64": use hex, ascii, uri (at character 1)'],
    ['${header:Bad Name}', '"Bad Name" is no header name (at character 1)'],
    ['x ${call-id', '"${" at character 3 is never closed by "}"'],
  ])('%s is refused: %s', (text, message) => {
    expect(parseTemplate(text)).toEqual({ ok: false, message });
  });
});
