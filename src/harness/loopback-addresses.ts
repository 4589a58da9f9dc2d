/**
 * Who plays on which loopback addresses: `sipcase regress`, every end-to-end suite and every
 * benchmark, in one table, so that any two can run side by side. Each owns one /24 of 127.0.0.0/8
 * (127.0.<net>.x: its peers, and its drachtio-server and balancer where they bind there) and the
 * port ranges it binds on 127.0.0.1, the host everyone shares (drachtio-server's SIP and admin
 * ports, sipcase's operations port). loopback-addresses.test.ts fails when two entries share a /24
 * or a port, or when a suite or benchmark spells a 127.0.x.y address of its own instead of asking here.
 */

export interface LoopbackLease {
  /** The third octet of its /24. */
  readonly net: number;
  /** Port ranges (first, last) it binds on 127.0.0.1. */
  readonly ports: readonly (readonly [number, number])[];
}

export const LOOPBACK = {
  /** test/sipp/e2e.test.ts (127.0.0.1 itself is everyone's shared host, not the suite's). */
  e2e: {
    net: 0,
    ports: [
      [25060, 25060],
      [29022, 29022],
      [29122, 29139],
    ],
  },
  operations: {
    net: 1,
    ports: [
      [26060, 26060],
      [30022, 30022],
      [30122, 30139],
    ],
  },
  tls: {
    net: 2,
    ports: [
      [27060, 27061],
      [31022, 31022],
      [31122, 31139],
    ],
  },
  hostile: {
    net: 3,
    ports: [
      [28060, 28060],
      [32022, 32022],
      [32122, 32139],
    ],
  },
  'bench:flood': {
    net: 4,
    ports: [
      [35560, 35560],
      [39522, 39523],
    ],
  },
  /** Its drachtio-servers bind on its own /24; its sipcases' operations ports are here. */
  scale: { net: 5, ports: [[25122, 25139]] },
  'bench:scale': { net: 6, ports: [[39600, 39621]] },
  replay: { net: 7, ports: [] },
  /** docker/sidecar.test.ts: compose.yml's admin port, and compose.scale.yml's fixed inner side (Kamailio 5060, drachtio-servers 5070/5080, admin 9022/9023). */
  docker: {
    net: 8,
    ports: [
      [33022, 33022],
      [5060, 5060],
      [5070, 5070],
      [5080, 5080],
      [9022, 9023],
    ],
  },
  /** sipcase regress binds all it starts on its own /24. */
  regress: { net: 9, ports: [] },
  'bench:limits': { net: 10, ports: [] },
  /** npm run bench: two drachtio-server + app pairs, 100 ports apart. */
  'bench:call-rate': {
    net: 11,
    ports: [
      [39022, 39023],
      [39122, 39123],
    ],
  },
  soak: {
    net: 12,
    ports: [
      [35660, 35660],
      [39722, 39723],
    ],
  },
  /** test/sipp/call-context.test.ts. */
  context: {
    net: 14,
    ports: [
      [34060, 34060],
      [38022, 38022],
      [38122, 38139],
    ],
  },
  /** test/sipp/liveness.test.ts. */
  liveness: {
    net: 15,
    ports: [
      [34160, 34160],
      [38222, 38222],
      [38322, 38339],
    ],
  },
  /** test/sipp/session-timers.test.ts. */
  'session-timers': {
    net: 16,
    ports: [
      [34260, 34260],
      [38422, 38422],
      [38522, 38539],
    ],
  },
  /** The conformance campaign (src/conformance: npm run conformance, and its short run in test/sipp/conformance.test.ts). */
  conformance: {
    net: 17,
    ports: [
      [34360, 34360],
      [38622, 38623],
    ],
  },
  /** test/sipp/handoff.test.ts. */
  handoff: {
    net: 18,
    ports: [
      [34460, 34460],
      [38722, 38722],
      [38822, 38839],
    ],
  },
  /** Unit specs that bind sockets (src/harness/processes.test.ts). */
  unit: { net: 13, ports: [] },
} as const satisfies Record<string, LoopbackLease>;

export type LoopbackUser = keyof typeof LOOPBACK;

/** The ports test/run keeps out of the ephemeral range (net.ipv4.ip_local_reserved_ports). */
export const RESERVED_PORTS = [25000, 39999] as const;

/** Host `host` of a user's /24: 127.0.<net>.<host>. */
export function lo(user: LoopbackUser, host: number): string {
  return `127.0.${LOOPBACK[user].net}.${host}`;
}
