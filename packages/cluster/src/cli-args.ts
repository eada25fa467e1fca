/** `npm run cluster` flags. Anything after `--` goes to every server process unchanged. */
import { parseArgs } from 'node:util';

export const CLUSTER_USAGE = `Usage: npm run cluster -- [options] [-- <server flags>]

Starts redis-server, N signaling server processes sharing rooms through it (--redis-url,
--trust-proxy 127.0.0.1) and nginx in front of them on 127.0.0.1 with sticky sessions, WebSocket
upgrade and X-Forwarded-For (the configuration: packages/cluster/deploy/nginx-workbench.conf).
Ctrl+C stops everything.

  --processes <n>   server processes, 1 to 16                       default 2
  --port <n>        nginx's port on 127.0.0.1; 0 = any free port    default 8080
  --https           TLS at nginx with the self-signed certificate npm start -- --https uses
  --cert-dir <dir>  where that certificate is kept                 default <repo>/.certs
  -h, --help        show this help

Needs nginx and redis-server (npm run system-deps as root installs both; NGINX_PATH and
REDIS_SERVER_PATH point at other binaries).

Examples:
  npm run cluster                                      two processes behind http://127.0.0.1:8080/
  npm run cluster -- --processes 3 --https             three, behind https://127.0.0.1:8080/
  npm run cluster -- -- --turn-url turn:127.0.0.1:3478 --turn-secret-file ./turn-secret`;

export interface ClusterCliOptions {
  processes: number;
  port: number;
  https: boolean;
  certDir: string | undefined;
  serverArgs: string[];
  help: boolean;
}

export class ClusterArgsError extends Error {
  override readonly name = 'ClusterArgsError';
}

function wholeNumber(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ClusterArgsError(`${flag} must be a whole number from ${min} to ${max}, got "${value}".`);
  return n;
}

export function parseClusterArgs(argv: readonly string[]): ClusterCliOptions {
  const split = argv.indexOf('--');
  const own = split < 0 ? [...argv] : argv.slice(0, split);
  const serverArgs = split < 0 ? [] : argv.slice(split + 1);
  let values;
  try {
    ({ values } = parseArgs({
      args: own,
      strict: true,
      allowPositionals: false,
      options: {
        processes: { type: 'string' },
        port: { type: 'string' },
        https: { type: 'boolean' },
        'cert-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Server flags given without the `--` are the likely mistake; say where they go.
    throw new ClusterArgsError(`${message.replace(/\.$/, '')}. Flags for the server processes go after --: npm run cluster -- --processes 2 -- --turn-url …`);
  }
  return {
    processes: values.processes === undefined ? 2 : wholeNumber(values.processes, '--processes', 1, 16),
    port: values.port === undefined ? 8080 : wholeNumber(values.port, '--port', 0, 65535),
    https: values.https ?? false,
    certDir: values['cert-dir'],
    serverArgs,
    help: values.help ?? false,
  };
}
