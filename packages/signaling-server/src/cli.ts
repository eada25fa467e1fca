#!/usr/bin/env node
/**
 * `workbench-server` / `npm start`: parse flags, start the server, print where to point a browser,
 * and shut down cleanly on Ctrl+C or SIGTERM.
 */
import { lanIPv4Addresses } from './certificate.js';
import { CLI_USAGE, parseCliArgs, type CliOptions } from './cli-args.js';
import { CliArgsError, ServerError } from './errors.js';
import { redactRedisUrl } from './redis-seat-store.js';
import { startServer } from './server.js';

/** A stuck connection must not keep a Ctrl+C'd server alive; supervisors expect exit within 5 s. */
const SHUTDOWN_DEADLINE_MS = 4500;

function startupLines(url: string, port: number, host: string, options: CliOptions): string[] {
  const scheme = options.https ? 'https' : 'http';
  const lines = ['webrtc-workbench signaling server', `  Local:  ${url}/`];
  const onAllInterfaces = host === '0.0.0.0' || host === '::';
  if (onAllInterfaces) {
    const lan = lanIPv4Addresses();
    for (const address of lan) lines.push(`  LAN:    ${scheme}://${address}:${port}/`);
    if (lan.length === 0) lines.push('  LAN:    (no LAN IPv4 address found on this machine)');
    if (!options.https) {
      lines.push('  Phones: browsers allow the camera only on a secure origin; restart with --https to use one.');
    } else {
      lines.push('  Phones: accept the self-signed certificate warning once ("Advanced" → proceed).');
    }
  }
  lines.push(`  Diagnostics: ${url}/diagnostics/`);
  const stun = options.iceServers?.stun ?? [];
  const turn = options.iceServers?.turn;
  if (options.redisUrl !== undefined) lines.push(`  Redis:  ${redactRedisUrl(options.redisUrl)} (rooms shared with the other processes using it)`);
  if (options.redisCluster !== undefined) {
    lines.push(`  Redis:  cluster at ${options.redisCluster.join(', ')} (rooms shared with the other processes using it, spread over its masters)`);
  }
  lines.push(`  ICE:    STUN ${stun.length > 0 ? stun.join(', ') : 'none'}; TURN ${turn ? turn.urls.join(', ') : 'none'}`);
  if (options.trustProxy?.length) {
    lines.push(`  Proxy:  client addresses from X-Forwarded-For / Forwarded when the connection comes from ${options.trustProxy.join(', ')}`);
  }
  const loopbackOnly = host === 'localhost' || host === '::1' || host.startsWith('127.');
  if (!loopbackOnly) {
    // Anyone who can reach the port can use what follows; say what protects it.
    lines.push(
      `  Open to the network: pages only under localhost, this machine's addresses${options.publicHosts?.length ? ` and ${options.publicHosts.join(', ')}` : ''} (--public-host adds names);`,
      `    /metrics ${options.metricsToken !== undefined ? 'needs the --metrics-token' : 'answers only this machine (--metrics-token to read it remotely)'};`,
      `    /api/ice-servers${turn?.secret ? ', which mints TURN credentials,' : ''} is rate-limited per address; connections and joins are capped per address.`,
    );
  }
  lines.push('Press Ctrl+C to stop.');
  return lines;
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CliArgsError) {
      console.error(`workbench-server: ${error.message}\n\n${CLI_USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  if (options.help) {
    console.log(CLI_USAGE);
    return;
  }

  // A person at a terminal reads text; a supervisor or log shipper collecting stdout gets JSON lines.
  options.logFormat ??= process.stdout.isTTY ? 'text' : 'json';

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(options);
  } catch (error) {
    console.error(`workbench-server: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof ServerError ? 1 : 70);
  }
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(1); // a second Ctrl+C means now
    }
    stopping = true;
    console.log(`\n${signal}: closing connections…`);
    setTimeout(() => {
      console.error('Connections did not close in time; exiting anyway.');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // Printed whatever the log level: it is the command's answer, and scripts read the URL from it.
  // Only now: a supervisor that signals as soon as it reads the URL must find the handlers in place.
  console.log(startupLines(server.url, server.port, server.host, options).join('\n'));
}

await main();
