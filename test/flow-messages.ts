/**
 * Every message the end-to-end flows send: each `<send>` of the SIPp scenarios the suites, the
 * benchmarks and regress play, with SIPp's keywords filled in as one call would fill them. A test
 * that must hold for whatever a flow puts on the wire runs over these.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../', import.meta.url).pathname;
const DIRS = ['test/sipp/scenarios', 'test/sipp/bench', 'src/regress/flows'];

/** SIPp's keywords as one call fills them; any other `[...]` (a test's own template slot) becomes `v`. */
const KEYWORDS: Readonly<Record<string, string>> = {
  local_ip: '198.51.100.20',
  local_port: '5070',
  remote_ip: '203.0.113.10',
  remote_port: '5060',
  media_ip: '198.51.100.20',
  media_port: '6000',
  local_ip_type: '4',
  media_ip_type: '4',
  transport: 'UDP',
  service: '+14445556666',
  pid: '77',
  call_number: '1',
  call_id: '1-77@198.51.100.20',
  branch: 'z9hG4bK-77-1',
  peer_tag_param: ';tag=peer-1',
  next_url: 'sip:+14445556666@203.0.113.10:5060',
  'last_Via:': 'Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-last',
  'last_From:': 'From: <sip:+15550001111@198.51.100.20>;tag=from-1',
  'last_To:': 'To: <sip:+14445556666@203.0.113.10>',
  'last_Call-ID:': 'Call-ID: last-1@203.0.113.10',
  'last_CSeq:': 'CSeq: 1 INVITE',
  'last_Record-Route:': 'Record-Route: <sip:203.0.113.10;lr>',
  hdrs: '',
  lines: '',
};

export interface FlowMessage {
  /** The scenario file and the `<send>`'s place in it. */
  readonly name: string;
  readonly bytes: Buffer;
}

function fill(template: string): Buffer {
  const text = template
    .replace(/^\s*\n/, '')
    .replace(/\[([^\]\s]+)\]/g, (whole, key: string) => (key === 'len' ? whole : (KEYWORDS[key] ?? 'v')))
    .replace(/\r?\n/g, '\r\n');
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? `${text.trimEnd()}\r\n\r\n` : text.slice(0, split + 4);
  const body = split < 0 ? '' : text.slice(split + 4);
  return Buffer.from(head.replace('[len]', String(Buffer.byteLength(body, 'latin1'))) + body, 'latin1');
}

export function flowMessages(): FlowMessage[] {
  return DIRS.flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.xml'))
      .sort()
      .flatMap((file) =>
        [...readFileSync(join(root, dir, file), 'latin1').matchAll(/<send[^>]*>\s*<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m, i) => ({
          name: `${dir}/${file}#${i + 1}`,
          bytes: fill(m[1] as string),
        })),
      ),
  );
}
