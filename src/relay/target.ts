/**
 * Where the other leg's INVITE goes: the caller's request-URI user part, with its parameters, at the
 * target peer's address, with the target's parameters. Both carry what a carrier may need to
 * terminate the call: the number (DNIS), RFC 4904 trunk-group parameters in the user part
 * (`+13175551212;tgrp=TG-1;trunk-context=example.com`), or parameters written on the peer's target
 * (`sip:byoc.example.com;tgrp=TG-1;trunk-context=example.com`, kept as written).
 */
import type { PeerTarget } from '../rules/types.js';

const USER = /^sips?:([^@?>]+)@/i;

/** The request-URI's user part with its parameters (RFC 4904 tgrp, trunk-context), or undefined when it has none. */
export function userPart(requestUri: string): string | undefined {
  return USER.exec(requestUri)?.[1];
}

export function legUri(requestUri: string, target: PeerTarget): string {
  const user = userPart(requestUri);
  const port = target.port === undefined ? '' : `:${target.port}`;
  return `${target.scheme}:${user === undefined ? '' : `${user}@`}${target.host}${port}${target.params}`;
}

export interface Caller {
  readonly number: string | undefined;
  readonly name: string | undefined;
}

/** The calling number and display name of a From header value, for the other leg's From. */
export function callerOf(from: string | undefined): Caller {
  if (from === undefined) return { number: undefined, name: undefined };
  const name = /^\s*"((?:[^"\\]|\\.)*)"/.exec(from)?.[1] ?? /^\s*([^<"]+?)\s*</.exec(from)?.[1];
  const number = /sips?:([^@;>]+)@/i.exec(from)?.[1];
  return { number, name: name === '' ? undefined : name };
}
