/** Where the other leg's INVITE goes: the request-URI's user part, at the target peer's address. */
import type { PeerTarget } from '../rules/types.js';

const USER = /^sips?:([^@;?>]+)@/i;

export function userPart(requestUri: string): string | undefined {
  return USER.exec(requestUri)?.[1];
}

export function legUri(requestUri: string, target: PeerTarget): string {
  const user = userPart(requestUri);
  const port = target.port === undefined ? '' : `:${target.port}`;
  const transport = target.transport === undefined ? '' : `;transport=${target.transport}`;
  return `${target.scheme}:${user === undefined ? '' : `${user}@`}${target.host}${port}${transport}`;
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
