/**
 * `webrtc-workbench ice` arguments: what a person typed, checked before anything is sent. Every
 * mistake is a UsageError with one line saying what is wrong and what to type instead (exit 64).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { iceCheckTargets, type IcePolicy } from '@workbench/core/ice-diagnostics';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type OutputFormat = 'table' | 'json' | 'prometheus';

export interface IceCommand {
  urls: string[];
  username?: string;
  credential?: string;
  secret?: string;
  ttlSeconds: number;
  /** The `<user>` part of minted REST usernames. */
  restUser: string;
  from?: string;
  budgetMs: number;
  policy: IcePolicy;
  loopback: boolean;
  ca?: Buffer;
  caPath?: string;
  format: OutputFormat;
  color: boolean;
  help: boolean;
}

export const USAGE = `Usage: webrtc-workbench ice [options] <url>...

Tests STUN/TURN servers as the workbench's /diagnostics/ice/ page does, with a real ICE stack
(libwebrtc): a verdict per server and transport, each error code explained, then every TURN
server that allocates proven end to end (two relay-only peer connections, RTT, 1 MiB).

URLs:  stun:host[:port]   turn:host[:port][?transport=udp|tcp]   turns:host[:port]
       (turn: without ?transport= is tested over UDP and TCP; turns: gets a TLS check first)

Options:
  --username <u> --credential <p>  TURN long-term credentials
  --secret <s>                     coturn static-auth-secret: mint TURN REST credentials as the
                                   workbench server does ([--ttl <s>] default 3600, [--user <name>])
  --from <http(s)://host/api/ice-servers>
                                   test what a running workbench hands out
  --budget <seconds>               time to a verdict per check (0.5-60, default 5)
  --relay-only                     gather relay candidates only (iceTransportPolicy "relay")
  --no-loopback                    skip the end-to-end relay proof
  --ca <file.pem>                  trust this CA for turns: servers (a private CA)
  --json                           the report as JSON: the page's "Import report" reads it
  --format table|json|prometheus   prometheus: gauges for a node_exporter textfile collector
  --no-color                       plain text even on a terminal
  -h, --help                       this text

Exit status: 0 every check passed, 1 some failed or degraded, 2 none work, 64 usage error.

Examples:
  webrtc-workbench ice stun:stun.l.google.com:19302
  webrtc-workbench ice turn:turn.example.org:3478 --secret "$TURN_SECRET"
  webrtc-workbench ice turns:turn.example.org:443 --username alice --credential s3cret
  webrtc-workbench ice --from https://workbench.example.org/api/ice-servers --json > report.json
  webrtc-workbench ice turn:10.0.0.5 --secret "$S" --format prometheus > /var/lib/node_exporter/turn.prom
  npm run ice -- turn:127.0.0.1:3478 --secret s3cret      (from the repository, builds first)
`;

function number(name: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got "${value}".`);
  }
  return parsed;
}

/** Parses `ice`'s arguments (without the `ice` word). Throws UsageError. */
export function parseIceArgs(argv: readonly string[], options: { isTTY?: boolean; env?: NodeJS.ProcessEnv } = {}): IceCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        username: { type: 'string' },
        credential: { type: 'string' },
        secret: { type: 'string' },
        ttl: { type: 'string' },
        user: { type: 'string' },
        from: { type: 'string' },
        budget: { type: 'string' },
        'relay-only': { type: 'boolean' },
        'no-loopback': { type: 'boolean' },
        ca: { type: 'string' },
        json: { type: 'boolean' },
        format: { type: 'string' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // parseArgs' messages are good ("Unknown option '--x'"); drop its hint about `--` for positionals.
    const message = (error instanceof Error ? error.message : String(error)).split('. To specify a positional')[0] ?? '';
    throw new UsageError(`${message.replace(/\.$/, '')}. See webrtc-workbench ice --help.`);
  }
  const { values, positionals } = parsed;
  const env = options.env ?? process.env;
  const help = values.help ?? false;
  const format: OutputFormat = values.json ? 'json' : ((values.format ?? 'table') as OutputFormat);
  if (!['table', 'json', 'prometheus'].includes(format)) throw new UsageError(`--format must be table, json or prometheus, got "${values.format}".`);
  if (values.json && values.format !== undefined && values.format !== 'json') throw new UsageError('--json and --format disagree: give one of them.');

  if (values.secret !== undefined && (values.username !== undefined || values.credential !== undefined)) {
    throw new UsageError('Give either --secret (REST credentials are minted from it) or --username/--credential, not both.');
  }
  if ((values.username === undefined) !== (values.credential === undefined)) {
    throw new UsageError('--username and --credential go together: TURN needs both.');
  }
  if (values.secret === '') throw new UsageError('--secret is empty: give coturn\'s static-auth-secret.');
  if (values.from !== undefined) {
    if (!/^https?:\/\/[^/\s]+/i.test(values.from)) throw new UsageError(`--from must be an http(s) URL such as http://localhost:8080/api/ice-servers, got "${values.from}".`);
    if (values.secret !== undefined || values.username !== undefined) throw new UsageError('--from brings its own credentials: leave out --secret/--username/--credential.');
  }
  if (!help && positionals.length === 0 && values.from === undefined) {
    throw new UsageError('Give at least one stun:/turn:/turns: URL, or --from <url of /api/ice-servers>. See webrtc-workbench ice --help.');
  }
  for (const url of positionals) {
    let targets;
    try {
      targets = iceCheckTargets(url);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (targets[0]?.kind === 'turn' && values.secret === undefined && values.username === undefined) {
      throw new UsageError(`${url} is a TURN URL: give --secret <static-auth-secret> or --username and --credential.`);
    }
  }
  let ca: Buffer | undefined;
  if (values.ca !== undefined) {
    try {
      ca = readFileSync(values.ca);
    } catch (error) {
      throw new UsageError(`--ca ${values.ca}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
    }
    if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca ${values.ca} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  const color = format === 'table' && !values['no-color'] && (options.isTTY ?? false) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return {
    urls: positionals,
    ...(values.username !== undefined ? { username: values.username } : {}),
    ...(values.credential !== undefined ? { credential: values.credential } : {}),
    ...(values.secret !== undefined ? { secret: values.secret } : {}),
    ttlSeconds: number('ttl', values.ttl, 1, 7 * 86400, 3600),
    restUser: values.user ?? 'webrtc-workbench',
    ...(values.from !== undefined ? { from: values.from } : {}),
    budgetMs: Math.round(number('budget', values.budget, 0.5, 60, 5) * 1000),
    policy: values['relay-only'] ? 'relay' : 'all',
    loopback: !values['no-loopback'],
    ...(ca ? { ca, caPath: values.ca } : {}),
    format,
    color,
    help,
  };
}
