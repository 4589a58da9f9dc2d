/**
 * Via headers as a proxy leaves them (RFC 3261 §18.2.1): each hop adds its own Via on top, and the
 * next hop records on it where the request really came from, `received=` when the address differs
 * from the Via's sent-by. So the address a hop received a request from is its `received`, else its
 * sent-by host when that is an IP address.
 */
import { splitList } from './name-addr.js';

/** Every Via value of a message's head, top (the last hop's) first, in any spelling or compact form. */
export function viaValues(raw: string): string[] {
  const head = raw.slice(0, Math.max(0, raw.search(/\r?\n\r?\n/)) || raw.length);
  const values: string[] = [];
  for (const line of head.split(/\r?\n/)) {
    const m = /^(?:via|v)[ \t]*:(.*)$/i.exec(line);
    if (m) values.push(...splitList(m[1] as string).map((v) => v.trim()));
  }
  return values;
}

const VIA = /^SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*[A-Za-z]+[ \t]+(\[[0-9A-Fa-f:.]+\]|[^\s;:]+)(?::\d+)?[ \t]*((?:;[^;]*)*)$/i;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** The address a Via says its hop sent from, or undefined when it names a host by domain only. */
export function viaAddress(via: string): string | undefined {
  const m = VIA.exec(via);
  if (m === null) return undefined;
  const received = /;[ \t]*received[ \t]*=[ \t]*([^;\s]+)/i.exec(m[2] ?? '')?.[1];
  const host = received ?? (m[1] as string);
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  return IPV4.test(bare) || bare.includes(':') ? bare : undefined;
}
