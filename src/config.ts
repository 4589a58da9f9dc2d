/**
 * Start-up settings (convict): config/default.json, then a file given with --config, then
 * environment variables. A wrong value stops start-up with a message naming the setting.
 */
import { existsSync } from 'node:fs';
import convict from 'convict';
import { parseSource } from './rules/peers.js';
import { isHeaderName } from './sip/header-name.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A list of IP addresses or CIDR ranges: an array in a file, comma-separated in the environment. */
const cidrList = {
  name: 'cidr-list',
  coerce: (v: unknown) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '')
      : v,
  validate: (v: unknown) => {
    if (!Array.isArray(v)) throw new Error('must be a list of IP addresses or CIDR ranges');
    for (const x of v) if (typeof x !== 'string' || parseSource(x) === undefined) throw new Error(`${JSON.stringify(x)} is not an IP address or CIDR range`);
  },
};
convict.addFormat(cidrList);

/**
 * A whole number from 0 to `max`, as a named convict format (which also turns an environment
 * variable's text into a number). Every setting that becomes a timer has a ceiling: Node fires a
 * setTimeout over 2^31-1 ms (24.8 days) after 1 ms, so an unbounded one could reap every call the
 * moment it is answered, or end a drain before it began.
 */
function natUpTo(max: number, unit: string): string {
  const name = `nat-up-to-${max}`;
  convict.addFormat({
    name,
    coerce: (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v),
    validate: (v: unknown) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new Error(`must be a whole number from 0 to ${max} (${unit})`);
    },
  });
  return name;
}

const DAY_S = 86_400;

const schema = {
  drachtio: {
    host: { doc: 'drachtio-server admin address', format: String, default: '127.0.0.1', env: 'SIPCASE_DRACHTIO_HOST' },
    port: { doc: 'drachtio-server admin port', format: 'port', default: 9022, env: 'SIPCASE_DRACHTIO_PORT' },
    secret: { doc: 'drachtio-server admin secret', format: String, default: 'cymru', env: 'SIPCASE_DRACHTIO_SECRET', sensitive: true },
    reconnectMaxDelayMs: {
      doc: 'longest wait between reconnection attempts to drachtio-server',
      format: natUpTo(3_600_000, 'ms, 1 hour'),
      default: 5000,
      env: 'SIPCASE_DRACHTIO_RECONNECT_MAX_DELAY_MS',
    },
  },
  rules: { doc: 'path of the rules file (peers and header rules)', format: String, default: 'config/rules.json', env: 'SIPCASE_RULES' },
  proxies: {
    doc: 'SIP proxies or balancers in front of sipcase (IPs or CIDRs, comma-separated): a request from one comes from the address it recorded on the Via below its own',
    format: 'cidr-list',
    default: [] as string[],
    env: 'SIPCASE_PROXIES',
  },
  outboundProxy: {
    doc: 'SIP URI every call sipcase places toward a peer is sent through (a balancer in front of several instances, so peers only ever talk to it); empty: straight to the peer',
    format: (v: unknown) => {
      if (typeof v !== 'string' || (v !== '' && !/^sips?:[^\s]+$/.test(v))) throw new Error('must be a SIP URI, e.g. sip:10.0.0.10:5060, or empty');
    },
    default: '',
    env: 'SIPCASE_OUTBOUND_PROXY',
  },
  reload: {
    watch: {
      doc: "reload the rules when the rules file's folder changes (SIGHUP always reloads)",
      format: Boolean,
      default: true,
      env: 'SIPCASE_RELOAD_WATCH',
    },
    debounceMs: {
      doc: 'how long the folder must be still before a reload',
      format: natUpTo(60_000, 'ms, 1 minute'),
      default: 300,
      env: 'SIPCASE_RELOAD_DEBOUNCE_MS',
    },
  },
  log: {
    level: { doc: 'log level', format: [...LOG_LEVELS], default: 'info', env: 'SIPCASE_LOG_LEVEL' },
  },
  http: {
    host: { doc: 'address of the /healthz, /readyz and /metrics endpoints', format: String, default: '0.0.0.0', env: 'SIPCASE_HTTP_HOST' },
    port: { doc: 'port of the /healthz, /readyz and /metrics endpoints', format: 'port', default: 8080, env: 'SIPCASE_HTTP_PORT' },
  },
  limits: {
    maxCalls: { doc: 'live calls at most; a new INVITE beyond gets 503', format: 'nat', default: 2000, env: 'SIPCASE_MAX_CALLS' },
    retryAfterS: { doc: 'Retry-After of the 503 for a call over maxCalls', format: 'nat', default: 5, env: 'SIPCASE_RETRY_AFTER_S' },
    maxMessageBytes: {
      doc: 'largest message handed to drachtio-server (header lines and body): a larger request gets 513, a larger answer or BYE crosses without its headers and body. drachtio-server 0.9.10 drops app messages over 12,012 bytes and then carries nothing more (npm run bench:limits)',
      format: 'nat',
      default: 10240,
      env: 'SIPCASE_MAX_MESSAGE_BYTES',
    },
    sourceRate: {
      doc: 'new (out-of-dialog) requests per second one source address may send; more gets 503 + Retry-After; 0: no limit',
      format: 'nat',
      default: 500,
      env: 'SIPCASE_SOURCE_RATE',
    },
    sourceBurst: {
      doc: 'how many new requests one source may send at once before sourceRate applies',
      format: 'nat',
      default: 1000,
      env: 'SIPCASE_SOURCE_BURST',
    },
    maxCallSeconds: {
      doc: 'longest an answered call may last: then sipcase sends BYE on both legs (outcome max_age); 0: no limit',
      format: natUpTo(7 * DAY_S, 's, 7 days'),
      default: 14400,
      env: 'SIPCASE_MAX_CALL_SECONDS',
    },
    maxSetupSeconds: {
      doc: 'longest a call may take to be answered: then the caller gets 408 and the other leg a CANCEL (outcome setup_timeout); 0: no limit',
      format: natUpTo(3600, 's, 1 hour'),
      default: 180,
      env: 'SIPCASE_MAX_SETUP_SECONDS',
    },
  },
  liveness: {
    intervalS: {
      doc: 'between in-dialog OPTIONS on both legs of each answered call; a leg answering 408 or 481, or not at all, ends the call on both sides (outcome unreachable); 0: no probes',
      format: natUpTo(DAY_S, 's, 1 day'),
      default: 30,
      env: 'SIPCASE_LIVENESS_INTERVAL_S',
    },
  },
  drain: {
    timeoutMs: {
      doc: 'on SIGTERM, how long live calls may go on before sipcase hangs them up and exits',
      format: natUpTo(DAY_S * 1000, 'ms, 1 day'),
      default: 300000,
      env: 'SIPCASE_DRAIN_TIMEOUT_MS',
    },
    retryAfterS: {
      doc: 'Retry-After of the 503 for new calls and OPTIONS while draining or not ready',
      format: 'nat',
      default: 60,
      env: 'SIPCASE_DRAIN_RETRY_AFTER_S',
    },
  },
  transfers: {
    resultSeconds: {
      doc: 'how long a transfer (REFER) may wait for its final NOTIFY before it is counted no_result; 0: until its call ends',
      format: natUpTo(3600, 's, 1 hour'),
      default: 120,
      env: 'SIPCASE_TRANSFER_RESULT_S',
    },
    conversationHeader: {
      doc: "header carrying the platform's conversation id, logged with each transfer (Genesys: x-inin-cnv)",
      format: (v: unknown) => {
        if (typeof v !== 'string' || !isHeaderName(v)) throw new Error('must be a SIP header name');
      },
      default: 'x-inin-cnv',
      env: 'SIPCASE_CONVERSATION_HEADER',
    },
  },
  probe: {
    enabled: {
      doc: 'prove that drachtio-server emits rule header names in exact case (start-up, reload, reconnect)',
      format: Boolean,
      default: true,
      env: 'SIPCASE_PROBE',
    },
    host: { doc: 'address sipcase listens on for the probe (drachtio-server must reach it)', format: String, default: '127.0.0.1', env: 'SIPCASE_PROBE_HOST' },
    timeoutMs: { doc: 'how long the probe waits', format: natUpTo(60_000, 'ms, 1 minute'), default: 3000, env: 'SIPCASE_PROBE_TIMEOUT_MS' },
  },
};

export interface Config {
  readonly drachtio: { readonly host: string; readonly port: number; readonly secret: string; readonly reconnectMaxDelayMs: number };
  readonly rules: string;
  readonly proxies: readonly string[];
  readonly outboundProxy: string;
  readonly reload: { readonly watch: boolean; readonly debounceMs: number };
  readonly log: { readonly level: (typeof LOG_LEVELS)[number] };
  readonly http: { readonly host: string; readonly port: number };
  readonly limits: {
    readonly maxCalls: number;
    readonly retryAfterS: number;
    readonly maxMessageBytes: number;
    readonly sourceRate: number;
    readonly sourceBurst: number;
    readonly maxCallSeconds: number;
    readonly maxSetupSeconds: number;
  };
  readonly liveness: { readonly intervalS: number };
  readonly drain: { readonly timeoutMs: number; readonly retryAfterS: number };
  readonly transfers: { readonly resultSeconds: number; readonly conversationHeader: string };
  readonly probe: { readonly enabled: boolean; readonly host: string; readonly timeoutMs: number };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_CONFIG_FILE = new URL('../config/default.json', import.meta.url).pathname;

/** Loads and validates; `env` is passed in so tests do not depend on the process's. */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv): Config {
  const config = convict(schema, { env, args: [] });
  try {
    if (existsSync(DEFAULT_CONFIG_FILE)) config.loadFile(DEFAULT_CONFIG_FILE);
    if (file !== undefined) {
      if (!existsSync(file)) throw new Error(`config file ${file} does not exist`);
      config.loadFile(file);
    }
    config.load(Object.fromEntries(Object.entries(envOverrides(env))));
    config.validate({ allowed: 'strict' });
  } catch (e) {
    throw new ConfigError((e as Error).message.split('\n')[0] ?? 'invalid configuration');
  }
  return config.getProperties() as Config;
}

/** Environment variables win over files; convict applies them only at construction, so again here. */
function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, Record<string, unknown> | unknown> = {};
  const walk = (node: Record<string, unknown>, target: Record<string, unknown>): void => {
    for (const [key, spec] of Object.entries(node)) {
      const s = spec as { env?: string; doc?: string };
      if (typeof s.doc === 'string') {
        if (s.env !== undefined && env[s.env] !== undefined) target[key] = env[s.env];
      } else {
        const child: Record<string, unknown> = {};
        walk(spec as Record<string, unknown>, child);
        if (Object.keys(child).length > 0) target[key] = child;
      }
    }
  };
  walk(schema as unknown as Record<string, unknown>, out);
  return out;
}

/** The settings as help text: name, environment variable, default, meaning. */
export function describeSettings(): string {
  const lines: string[] = [];
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [key, spec] of Object.entries(node)) {
      const s = spec as { env?: string; doc?: string; default?: unknown };
      if (typeof s.doc === 'string') {
        lines.push(`  ${`${prefix}${key}`.padEnd(27)} ${(s.env ?? '').padEnd(40)} ${JSON.stringify(s.default).padEnd(14)} ${s.doc}`);
      } else walk(spec as Record<string, unknown>, `${prefix}${key}.`);
    }
  };
  walk(schema as unknown as Record<string, unknown>, '');
  return lines.join('\n');
}
