/** `sipcase uui '<value>'`: parse a User-to-User value and print it with its lint findings. */
import { parseUui, uuiOctets, type UuiValue } from '../uui/codec.js';
import { lintUuiValues } from '../uui/lint.js';
import { CliError, type CliIo } from './io.js';

function describe(v: UuiValue, i: number): string {
  const params = v.params.map((p) => (p.value === undefined ? p.name : `${p.name}=${p.value}`)).join(' ');
  const octets = uuiOctets(v);
  const lines = [
    `value ${i + 1}: data=${v.data}`,
    `  encoding: ${v.encoding}${v.encodingDeclared ? '' : ' (no encoding parameter: hex)'}`,
    `  params: ${params || '(none)'}`,
  ];
  if (octets !== undefined) {
    lines.push(`  octets (${octets.length}): ${octets.toString('hex').replace(/(..)(?=.)/g, '$1 ')}`);
    lines.push(`  as text: ${JSON.stringify(octets.toString('latin1'))}`);
  }
  return lines.join('\n');
}

export function uuiCommand(args: readonly string[], io: CliIo): number {
  const strict = args.includes('--strict');
  const rest = args.filter((a) => a !== '--strict');
  const [value, ...extra] = rest;
  if (value === undefined || extra.length > 0) throw new CliError(`usage: sipcase uui [--strict] '<User-to-User value>'`, 2);
  if (/[\r\n\0]/.test(value)) throw new CliError('a UUI value cannot contain CR, LF or NUL');
  if (value.trim() === '') throw new CliError('empty UUI value');
  const values = parseUui(value);
  const findings = lintUuiValues(values);
  io.stdout(`${values.map(describe).join('\n')}\n`);
  io.stdout(findings.length === 0 ? 'findings: none\n' : `findings:\n${findings.map((f) => `  ${f.code}: ${f.message}`).join('\n')}\n`);
  return strict && findings.length > 0 ? 1 : 0;
}
