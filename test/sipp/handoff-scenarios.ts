/**
 * SIPp scenarios for the hand-off suite, written per test: Genesys calls Kore, Kore hands the call
 * back with a REFER, and Genesys answers it and reports on it with the NOTIFYs a test asks for
 * (RFC 3515: 202 then sipfrag NOTIFYs, the last `Subscription-State: terminated`), then hangs up.
 * Each side checks what it receives with SIPp's ereg (exact bytes): a check that fails fails the call.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOGS } from './stack.js';

/** One NOTIFY Genesys sends: its sipfrag status line, and whether it ends the subscription. */
export interface Notify {
  readonly frag: string;
  readonly final: boolean;
}

export interface Handoff {
  /** How Genesys answers the REFER: `202 Accepted`, `603 Decline`. */
  readonly answer: string;
  readonly notifies: readonly Notify[];
  /** Genesys' conversation id, on its INVITE as x-inin-cnv. */
  readonly conversation: string;
  /** What Kore's REFER carries: its Refer-To value and one more header line. */
  readonly referTo: string;
  readonly line: string;
  /** Regexes the REFER must match at Genesys, and ones it must not. */
  readonly referHas: readonly string[];
  readonly referLacks: readonly string[];
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const eregs = (has: readonly string[], lacks: readonly string[], prefix: string): { lines: string; names: string[] } => {
  const names: string[] = [];
  const line = (regexp: string, inverse: boolean) => {
    const name = `${prefix}${names.length}`;
    names.push(name);
    return `      <ereg regexp="${xml(regexp)}" search_in="msg" ${inverse ? 'check_it_inverse' : 'check_it'}="true" assign_to="${name}"/>`;
  };
  return { lines: [...has.map((r) => line(r, false)), ...lacks.map((r) => line(r, true))].join('\n'), names };
};

/** The callee answers 200 OK with SDP and takes the ACK. */
const ANSWER = `  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=callee 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
]]></send>
  <recv request="ACK"/>`;

/** SIPp warns of a variable set and never read; a scenario with no checks has none to name. */
const reference = (names: readonly string[]) => (names.length === 0 ? '' : `  <Reference variables="${names.join(',')}"/>`);

const OK_TO_REQUEST = `  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>`;

/** The caller's side of a call: `from` its address-of-record, `user` the Request-URI's user part. */
class Caller {
  constructor(
    private readonly from: string,
    private readonly user: string,
  ) {}

  /** INVITE (with `lines` and an SDP offer), the answer, and the ACK. */
  invite(lines: readonly string[]): string {
    return `  <send retrans="500"><![CDATA[
INVITE sip:${this.user}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
Max-Forwards: 70
From: <sip:${this.from}>;tag=[pid]SIPpTag00[call_number]
To: <sip:${this.user}@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:[local_ip]:[local_port]>
${lines.map((l) => `${l}\n`).join('')}Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
]]></send>
  <recv response="100" optional="true"/>
  <recv response="200" rrs="true"/>
${this.inDialog('ACK', 1, 'Content-Length: 0\n\n', false)}`;
  }

  /** An in-dialog request, `more` its remaining lines and body; its 200 awaited unless it is an ACK. */
  inDialog(method: string, cseq: number, more: string, answered = true): string {
    return `  <send${answered ? ' retrans="500"' : ''}><![CDATA[
${method} [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
Max-Forwards: 70
From: <sip:${this.from}>;tag=[pid]SIPpTag00[call_number]
To: <sip:${this.user}@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: ${cseq} ${method}
${more}]]></send>${answered ? '\n  <recv response="200"/>' : ''}`;
  }
}

/** Genesys' side: it calls Kore, takes the REFER, answers, notifies and hangs up. */
function genesysSide(h: Handoff): string {
  const checks = eregs(h.referHas, h.referLacks, 'refer');
  const code = Number(h.answer.slice(0, 3));
  const genesys = new Caller('+13125550100@byoc.example.pure.cloud', '[service]');
  const notifies = h.notifies.map((n, i) =>
    genesys.inDialog(
      'NOTIFY',
      2 + i,
      `Contact: <sip:[local_ip]:[local_port]>
Event: refer
Subscription-State: ${n.final ? 'terminated;reason=noresource' : 'active;expires=60'}
Content-Type: message/sipfrag;version=2.0
Content-Length: [len]

SIP/2.0 ${n.frag}
`,
    ),
  );
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="genesys takes a hand-off: ${xml(h.answer)}, ${h.notifies.map((n) => xml(n.frag)).join(', ') || 'no NOTIFY'}">
${genesys.invite([`x-inin-cnv: ${h.conversation}`])}
  <recv request="REFER">
    <action>
${checks.lines}
    </action>
  </recv>
  <send><![CDATA[
SIP/2.0 ${h.answer}
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
${code < 300 ? 'Contact: <sip:[local_ip]:[local_port]>\n' : ''}Content-Length: 0

]]></send>
${notifies.join('\n')}
${genesys.inDialog('BYE', 2 + h.notifies.length, 'Content-Length: 0\n\n')}
${reference(checks.names)}
</scenario>
`;
}

/** Kore's side: it answers, REFERs, expects Genesys' answer and each NOTIFY's sipfrag, then the BYE. */
function koreSide(h: Handoff): string {
  const notifies = h.notifies.map((n, i) => {
    const frag = eregs([`\\r\\n\\r\\nSIP/2\\.0 ${n.frag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`], [], `notify${i}_`);
    return `  <recv request="NOTIFY">
    <action>
${frag.lines}
    </action>
  </recv>
${OK_TO_REQUEST}`;
  });
  const names = h.notifies.map((_, i) => `notify${i}_0`);
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="kore hands off and hears: ${xml(h.answer)}, ${h.notifies.map((n) => xml(n.frag)).join(', ') || 'no NOTIFY'}">
  <recv request="INVITE">
    <action>
      <ereg regexp="&lt;([^&gt;]*)&gt;" search_in="hdr" header="Contact:" assign_to="contact_all,peer_contact"/>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="peer_from"/>
    </action>
  </recv>
${ANSWER}
  <send retrans="500"><![CDATA[
REFER [$peer_contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
Max-Forwards: 70
From: <sip:+14445556666@kore-vg.example.com>;tag=[pid]SIPpTag01[call_number]
To: [$peer_from]
Call-ID: [call_id]
CSeq: 3 REFER
Contact: <sip:[local_ip]:[local_port]>
Refer-To: ${h.referTo}
Referred-By: <sip:bot@kore-vg.example.com>
${h.line}
Content-Length: 0

]]></send>
  <recv response="${h.answer.slice(0, 3)}"/>
${notifies.join('\n')}
  <recv request="BYE"/>
${OK_TO_REQUEST}
  <Reference variables="contact_all,peer_contact,peer_from${names.map((n) => `,${n}`).join('')}"/>
</scenario>
`;
}

/** Both sides' scenario files for one hand-off, written to the logs folder. */
export function handoffScenarios(label: string, h: Handoff): { genesys: string; kore: string } {
  const genesys = join(LOGS, `${label}-genesys.xml`);
  const kore = join(LOGS, `${label}-kore.xml`);
  writeFileSync(genesys, genesysSide(h), 'latin1');
  writeFileSync(kore, koreSide(h), 'latin1');
  return { genesys, kore };
}

/** A plain call whose INVITE the callee checks: `user` the Request-URI's user part, `from` the caller's, `lines` more header lines. */
export interface CheckedCall {
  readonly user: string;
  readonly from: string;
  readonly lines: readonly string[];
  readonly has: readonly string[];
  readonly lacks: readonly string[];
}

/** Caller and callee scenarios of a checked call, written to the logs folder. */
export function checkedCallScenarios(label: string, c: CheckedCall): { uac: string; uas: string } {
  const checks = eregs(c.has, c.lacks, 'invite');
  const caller = new Caller(`${c.from}@caller.example.com`, c.user);
  const uac = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="a call to ${xml(c.user)}">
${caller.invite(c.lines)}
${caller.inDialog('BYE', 2, 'Content-Length: 0\n\n')}
</scenario>
`;
  const uas = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="the callee checks the INVITE">
  <recv request="INVITE">
    <action>
${checks.lines}
    </action>
  </recv>
${ANSWER}
  <recv request="BYE"/>
${OK_TO_REQUEST}
${reference(checks.names)}
</scenario>
`;
  const files = { uac: join(LOGS, `${label}-uac.xml`), uas: join(LOGS, `${label}-uas.xml`) };
  writeFileSync(files.uac, uac, 'latin1');
  writeFileSync(files.uas, uas, 'latin1');
  return files;
}
