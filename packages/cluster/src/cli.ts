#!/usr/bin/env node
/**
 * `npm run cluster`: redis-server, N server processes and nginx in front of them, until Ctrl+C.
 * Prints where to go and each process's own port; each process's log lines come prefixed with its
 * number. If any of them dies, the rest are stopped and the command fails, saying which and why.
 */
import { createServer } from 'node:net';

import { HarnessError } from '@workbench/testing';

import { CLUSTER_USAGE, ClusterArgsError, parseClusterArgs, type ClusterCliOptions } from './cli-args.js';
import { missingProgramsLine, startCluster, type Cluster } from './cluster.js';

const NAME = 'workbench-cluster';

function fail(line: string, code = 1): never {
  console.error(`${NAME}: ${line}`);
  process.exit(code);
}

/** Whether 127.0.0.1:port can be bound now: nginx would otherwise fail with a less direct message. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * Each process prints its own banner (its address, ICE servers, "Press Ctrl+C"); the cluster prints
 * one for all of them instead, so those lines are left out and everything else is passed on.
 */
function serverLinePrinter(): (processNumber: number, line: string) => void {
  const inBanner = new Map<number, boolean>();
  return (processNumber, line) => {
    if (line.startsWith('webrtc-workbench signaling server')) inBanner.set(processNumber, true);
    const skip = inBanner.get(processNumber) === true;
    if (line.startsWith('Press Ctrl+C to stop.')) inBanner.set(processNumber, false);
    if (!skip && line.trim() !== '') console.log(`[process ${processNumber}] ${line}`);
  };
}

function banner(cluster: Cluster, options: ClusterCliOptions): string[] {
  const lines = [
    `webrtc-workbench: nginx in front of ${cluster.processes.length} server process${cluster.processes.length === 1 ? '' : 'es'} sharing rooms through Redis`,
    `  Open:       ${cluster.url}/   (nginx; each client address sticks to one process)`,
  ];
  for (const p of cluster.processes) lines.push(`  Process ${p.number}:  ${p.url}/   pid ${p.proc.child.pid ?? '?'}`);
  lines.push(
    `  Redis:      ${cluster.redis.url}`,
    `  nginx:      ${cluster.nginx.configPath} (includes ${cluster.nginx.sitePath})`,
    `              ${cluster.nginx.accessLogPath} names the process that served each request`,
  );
  if (options.https) lines.push('  HTTPS:      self-signed certificate: accept the browser warning once ("Advanced" → proceed).');
  lines.push('Press Ctrl+C to stop.');
  return lines;
}

async function main(): Promise<void> {
  let options: ClusterCliOptions;
  try {
    options = parseClusterArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ClusterArgsError) fail(`${error.message} (--help lists the flags)`, 2);
    throw error;
  }
  if (options.help) {
    console.log(CLUSTER_USAGE);
    return;
  }
  const missing = missingProgramsLine();
  if (missing !== undefined) fail(missing);
  if (options.port !== 0 && !(await portIsFree(options.port))) {
    fail(`port ${options.port} on 127.0.0.1 is in use: stop what holds it or pick another with --port.`);
  }

  let cluster: Cluster;
  try {
    cluster = await startCluster({
      processes: options.processes,
      port: options.port,
      https: options.https,
      ...(options.certDir !== undefined ? { certDir: options.certDir } : {}),
      // Text logs for a person; the flags after -- come later and win.
      serverArgs: ['--log-format', 'text', ...options.serverArgs],
      onServerLine: serverLinePrinter(),
    });
  } catch (error) {
    // A harness error already says what to do; anything else is shown whole.
    fail(error instanceof HarnessError || error instanceof Error ? error.message : String(error));
  }

  let stopping = false;
  const stop = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping nginx, the server processes and Redis…`);
    await cluster.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => {
    // A second Ctrl+C means now: the exit hook kills what is left.
    if (stopping) process.exit(1);
    void stop('SIGINT', 0);
  });
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  for (const proc of [cluster.nginx.proc, ...cluster.processes.map((p) => p.proc)]) {
    void proc.exited.then((exit) => {
      if (stopping) return;
      const tail = proc.output().trim().split('\n').slice(-10).join('\n');
      console.error(`${NAME}: ${proc.name} exited (code ${exit.code}, signal ${exit.signal})${tail ? `; its last output:\n${tail}` : ''}`);
      void stop(`${proc.name} is gone`, 1);
    });
  }
  console.log(banner(cluster, options).join('\n'));
}

await main();
