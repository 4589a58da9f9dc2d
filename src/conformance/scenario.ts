/**
 * A flow (flow.ts) as the two SIPp scenarios that play it: the caller's (UAC) and the callee's
 * (UAS). Each side expects exactly what the other sent, status code and reason phrase, so a status
 * sipcase invented or changed fails the call; the callee toward Genesys also checks the UUI's
 * exact spelling. Both scenarios run over UDP or TCP alike (SIPp's [transport]).
 */
import type { Flow, MidCall, Side, Status } from './flow.js';

/** SIPp XML, one element or message at a time. (Regexes are written with \\r\\n escapes: a raw CR LF in an XML attribute reads as spaces.) */
type Xml = string[];

const SDP = ['v=0', 'o=sipp 1 1 IN IP[local_ip_type] [local_ip]', 's=-', 'c=IN IP[media_ip_type] [media_ip]', 't=0 0', 'm=audio [media_port] RTP/AVP 0'];

/** What Kore's gateway sends (drachtio re-cases the name) and what Genesys sends. */
const UUI_FROM = { kore: 'User-To-User: 0048656C6C6F;encoding=hex', genesys: 'User-to-User: 00476F6F64;encoding=hex' } as const;

function send(lines: readonly string[], attrs = ''): string {
  return `  <send${attrs}><![CDATA[\n${lines.join('\n')}\n]]></send>`;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Expects a response with exactly this status line (SIPp matches the code; the regex the phrase). */
function recvStatus(s: Status, extra = ''): string {
  const line = xmlAttr(`^SIP/2\\.0 ${s.status} ${escapeRegex(s.reason)}\\r`);
  return `  <recv response="${s.status}"${extra}><action><ereg regexp="${line}" search_in="msg" check_it="true" assign_to="status_line"/></action></recv>`;
}

const LOCAL_CONTACT = '<sip:[local_ip]:[local_port];transport=[transport]>';

/** The To tag an answer to an INVITE adds: the callee's own, none, or another fork's. */
type ToTag = 'own' | 'none' | 'fork' | 'as-is';
const TO: Readonly<Record<ToTag, string>> = {
  own: '[last_To:];tag=[pid]SIPpTag01[call_number]',
  fork: '[last_To:];tag=[pid]SIPpFork09[call_number]',
  none: '[last_To:]',
  'as-is': '[last_To:]',
};

function response(s: Status, tag: ToTag, more: readonly string[] = [], body: readonly string[] = [], contact = LOCAL_CONTACT): string {
  return send([
    `SIP/2.0 ${s.status} ${s.reason}`,
    '[last_Via:]',
    '[last_From:]',
    TO[tag],
    '[last_Call-ID:]',
    '[last_CSeq:]',
    `Contact: ${contact}`,
    ...more,
    ...(body.length > 0 ? ['Content-Type: application/sdp'] : []),
    'Content-Length: [len]',
    '',
    ...body,
  ]);
}

/**
 * One side of the call: how it addresses a request inside the dialog, and its CSeq. The caller
 * sends to the callee's Contact (SIPp's [next_url], Record-Route kept); the callee to the caller's
 * Contact and From it read off the INVITE.
 */
class Party {
  private cseq: number;
  private branches = 0;

  constructor(
    readonly side: Side,
    private readonly label: string,
  ) {
    this.cseq = side === 'caller' ? 1 : 100;
  }

  nextCseq(): number {
    return ++this.cseq;
  }

  /** A branch this side can send again (the ACK of a non-2xx answer must reuse its INVITE's). */
  branch(): string {
    return `z9hG4bK-${this.label}-${this.side === 'caller' ? 'a' : 'b'}${++this.branches}-[pid]-[call_number]`;
  }

  request(method: string, cseq: number, opts: { branch?: string; more?: readonly string[]; body?: readonly string[]; type?: string } = {}): string {
    const caller = this.side === 'caller';
    const body = opts.body ?? [];
    return send(
      [
        `${method} ${caller ? '[next_url]' : '[$peer_contact]'} SIP/2.0`,
        `Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${opts.branch ?? '[branch]'};rport`,
        'Max-Forwards: 70',
        caller ? 'From: <sip:caller@[local_ip]>;tag=[pid]SIPpTag00[call_number]' : 'From: <sip:callee@[local_ip]>;tag=[pid]SIPpTag01[call_number]',
        caller ? 'To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]' : 'To: [$peer_from]',
        'Call-ID: [call_id]',
        `CSeq: ${cseq} ${method}`,
        'Contact: <sip:[local_ip]:[local_port];transport=[transport]>',
        ...(opts.more ?? []),
        ...(body.length > 0 ? [`Content-Type: ${opts.type ?? 'application/sdp'}`] : []),
        'Content-Length: [len]',
        '',
        ...body,
      ],
      method === 'ACK' ? '' : ' retrans="500"',
    );
  }
}

const REQUEST_BODIES: Readonly<Record<string, { readonly type: string; readonly body: readonly string[]; readonly more?: readonly string[] }>> = {
  INFO: { type: 'application/dtmf-relay', body: ['Signal=5', 'Duration=160'] },
  MESSAGE: { type: 'text/plain', body: ['conformance'] },
  OPTIONS: { type: '', body: [] },
  UPDATE: { type: '', body: [] },
  NOTIFY: { type: 'text/plain', body: ['state'], more: ['Event: x-conformance', 'Subscription-State: active;expires=60'] },
};

const sipfrag = (line: string, state: string): { more: string[]; body: string[]; type: string } => ({
  more: ['Event: refer', `Subscription-State: ${state}`],
  body: [line],
  type: 'message/sipfrag;version=2.0',
});

/** One mid-call step, as `me` plays it (sending when it is `step.from`, receiving otherwise). */
function midCall(step: MidCall, me: Party): Xml {
  const sending = step.from === me.side;
  switch (step.kind) {
    case 'reinvite': {
      if (!sending) {
        const ok = step.answer.status < 300;
        // A refusal is ACKed twice: in the transaction, then again at drachtio-srf's request (drachtio/engine.ts).
        const stray = ok ? [] : [`  <recv request="ACK" optional="true"/>`];
        return [`  <recv request="INVITE"/>`, response(step.answer, 'as-is', [], ok ? SDP : []), `  <recv request="ACK"/>`, ...stray];
      }
      const cseq = me.nextCseq();
      const branch = me.branch();
      const ok = step.answer.status < 300;
      return [
        me.request('INVITE', cseq, { branch, body: SDP }),
        `  <recv response="100" optional="true"/>`,
        recvStatus(step.answer),
        me.request('ACK', cseq, ok ? {} : { branch }),
      ];
    }
    case 'request': {
      const spec = REQUEST_BODIES[step.method] ?? { type: '', body: [] };
      if (!sending) return [`  <recv request="${step.method}"/>`, response(step.answer, 'as-is')];
      return [me.request(step.method, me.nextCseq(), { body: spec.body, type: spec.type, more: spec.more ?? [] }), recvStatus(step.answer)];
    }
    case 'refer': {
      const accepted = step.answer.status === 202;
      if (sending) {
        const notifies =
          step.notify && accepted ? [notifyIn('SIP/2.0 100 Trying'), response(OK, 'as-is'), notifyIn('SIP/2.0 200 OK'), response(OK, 'as-is')] : [];
        const refer = me.request('REFER', me.nextCseq(), { more: ['Refer-To: <sip:agent@transfer.example>', 'Referred-By: <sip:bot@example>'] });
        return [refer, recvStatus(step.answer), ...notifies];
      }
      const notifies =
        step.notify && accepted
          ? [
              me.request('NOTIFY', me.nextCseq(), sipfrag('SIP/2.0 100 Trying', 'active;expires=60')),
              recvStatus(OK),
              me.request('NOTIFY', me.nextCseq(), sipfrag('SIP/2.0 200 OK', 'terminated;reason=noresource')),
              recvStatus(OK),
            ]
          : [];
      return [`  <recv request="REFER"/>`, response(step.answer, 'as-is'), ...notifies];
    }
    case 'unknown': {
      // drachtio-srf answers a method it does not know itself, and nothing reaches the other side:
      // an OPTIONS after it tells that side the step is over (or its next request would race this one).
      if (!sending) return [`  <recv request="OPTIONS"/>`, response(OK, 'as-is')];
      return [me.request('FOO', me.nextCseq()), recvStatus({ status: 501, reason: 'Not Implemented' }), me.request('OPTIONS', me.nextCseq()), recvStatus(OK)];
    }
  }
}

const OK: Status = { status: 200, reason: 'OK' };

const REDIRECT_CONTACT = '<sip:elsewhere@redirect.example>';

function notifyIn(frag: string): string {
  return `  <recv request="NOTIFY"><action><ereg regexp="${xmlAttr(`\\r\\n\\r\\n${escapeRegex(frag)}`)}" search_in="msg" check_it="true" assign_to="frag"/></action></recv>`;
}

function sessionLines(flow: Flow, offer: boolean): string[] {
  if (flow.sessionExpires === undefined) return [];
  return offer
    ? [`Session-Expires: ${flow.sessionExpires}`, 'Min-SE: 90', 'Supported: timer']
    : [`Session-Expires: ${flow.sessionExpires};refresher=uac`, 'Require: timer'];
}

function wrap(name: string, body: Xml): string {
  // SIPp refuses a variable assigned and never read, and a reference to one never assigned.
  const assigned = new Set(body.flatMap((x) => [...x.matchAll(/assign_to="([^"]+)"/g)].flatMap((m) => (m[1] as string).split(','))));
  return [
    '<?xml version="1.0" encoding="ISO-8859-1" ?>',
    `<scenario name="${name}">`,
    ...body,
    ...(assigned.size > 0 ? [`  <Reference variables="${[...assigned].join(',')}"/>`] : []),
    '</scenario>',
    '',
  ].join('\n');
}

/** The caller's scenario (UAC). */
export function callerScenario(flow: Flow, name: string): string {
  const me = new Party('caller', 'cf');
  const inviteBranch = me.branch();
  const from = flow.direction === 'kore->genesys' ? 'kore' : 'genesys';
  const out: Xml = [
    send(
      [
        'INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0',
        `Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${inviteBranch};rport`,
        'Max-Forwards: 70',
        'From: <sip:+15550001111@[local_ip]>;tag=[pid]SIPpTag00[call_number]',
        'To: <sip:[service]@[remote_ip]:[remote_port]>',
        'Call-ID: [call_id]',
        'CSeq: 1 INVITE',
        'Contact: <sip:[local_ip]:[local_port];transport=[transport]>',
        UUI_FROM[from],
        ...sessionLines(flow, true),
        ...(flow.padding > 0 ? [`X-Padding: ${'p'.repeat(flow.padding)}`] : []),
        'Content-Type: application/sdp',
        'Content-Length: [len]',
        '',
        ...SDP,
      ],
      ' retrans="500"',
    ),
    `  <recv response="100" optional="true"/>`,
    ...flow.provisionals.map((p) => recvStatus(p)),
  ];
  const ackFailure = (cseq: number) =>
    send([
      'ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0',
      `Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${inviteBranch};rport`,
      'Max-Forwards: 70',
      'From: <sip:+15550001111@[local_ip]>;tag=[pid]SIPpTag00[call_number]',
      'To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]',
      'Call-ID: [call_id]',
      `CSeq: ${cseq} ACK`,
      'Content-Length: 0',
      '',
    ]);
  const end = flow.ending;
  if (end.kind === 'refused') {
    // A redirect's Contact is where to call next (RFC 3261 §21.3): it must cross as the callee wrote it.
    const contact = `<ereg regexp="${xmlAttr(`\\r\\nContact: ${escapeRegex(REDIRECT_CONTACT)}\\r\\n`)}" search_in="msg" check_it="true" assign_to="contact_all"/>`;
    out.push(end.final.status < 400 ? recvStatus(end.final).replace('</action>', `${contact}</action>`) : recvStatus(end.final), ackFailure(1));
  } else if (end.kind === 'cancel') {
    out.push(
      send([
        'CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0',
        `Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${inviteBranch};rport`,
        'Max-Forwards: 70',
        'From: <sip:+15550001111@[local_ip]>;tag=[pid]SIPpTag00[call_number]',
        'To: <sip:[service]@[remote_ip]:[remote_port]>',
        'Call-ID: [call_id]',
        'CSeq: 1 CANCEL',
        'Content-Length: 0',
        '',
      ]),
      recvStatus(OK),
      recvStatus({ status: 487, reason: 'Request Terminated' }),
      ackFailure(1),
    );
  } else if (end.kind === 'bye-before-ack') {
    out.push(recvStatus(OK, ' rrs="true"'), ...bye('caller', me));
  } else {
    out.push(recvStatus(OK, ' rrs="true"'), me.request('ACK', 1));
    for (const step of flow.midCall) out.push(...midCall(step, me));
    out.push(...bye(end.from, me));
  }
  out.push('  <pause milliseconds="100"/>');
  return wrap(`${name}, caller`, out);
}

/** The callee's scenario (UAS). */
export function calleeScenario(flow: Flow, name: string): string {
  const me = new Party('callee', 'cf');
  const toGenesys = flow.direction === 'kore->genesys';
  const checks = toGenesys
    ? [
        `<ereg regexp="${xmlAttr('\\r\\nUser-to-User: 0048656C6C6F;encoding=hex\\r\\n')}" search_in="msg" check_it="true" assign_to="uui_exact"/>`,
        `<ereg regexp="${xmlAttr('\\r\\nUser-To-User:')}" search_in="msg" check_it_inverse="true" assign_to="uui_miscased"/>`,
      ]
    : [];
  const out: Xml = [
    `  <recv request="INVITE"><action>`,
    `    <ereg regexp="&lt;([^&gt;]*)&gt;" search_in="hdr" header="Contact:" assign_to="contact_all,peer_contact"/>`,
    `    <ereg regexp=".*" search_in="hdr" header="From:" assign_to="peer_from"/>`,
    `    <ereg regexp="CSeq:[ ]*([0-9]+)" search_in="msg" assign_to="cseq_all,invite_cseq"/>`,
    ...checks.map((c) => `    ${c}`),
    `  </action></recv>`,
    // Each 1xx its own X-Step: SIPp takes a copy identical to the one before for a retransmission.
    ...flow.provisionals.map((p, i) => response(p, p.tag, [`X-Step: ${i + 1}`], p.sdp ? SDP : [])),
  ];
  const end = flow.ending;
  if (end.kind === 'refused') {
    out.push(response(end.final, 'own', [], [], end.final.status < 400 ? REDIRECT_CONTACT : LOCAL_CONTACT), `  <recv request="ACK"/>`);
  } else if (end.kind === 'cancel') {
    out.push(
      `  <recv request="CANCEL"/>`,
      response(OK, 'own'),
      send([
        'SIP/2.0 487 Request Terminated',
        '[last_Via:]',
        '[last_From:]',
        '[last_To:];tag=[pid]SIPpTag01[call_number]',
        '[last_Call-ID:]',
        'CSeq: [$invite_cseq] INVITE',
        'Content-Length: 0',
        '',
      ]),
      `  <recv request="ACK"/>`,
    );
  } else {
    out.push(response(OK, 'own', sessionLines(flow, false), SDP).replace('<send>', '<send retrans="500">'), `  <recv request="ACK"/>`);
    for (const step of flow.midCall) out.push(...midCall(step, me));
    out.push(...bye(end.kind === 'bye' ? end.from : 'caller', me));
  }
  return wrap(`${name}, callee`, out);
}

function bye(from: Side, me: Party): Xml {
  if (from === me.side) return [me.request('BYE', me.nextCseq()), recvStatus(OK)];
  return [`  <recv request="BYE"/>`, response(OK, 'as-is')];
}
