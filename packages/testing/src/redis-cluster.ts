import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { HarnessError, HarnessErrorCode } from './errors.js';
import { findRedisCli, findRedisServer } from './executables.js';
import { freeTcpPort } from './ports.js';
import { makeTempDir, spawnManaged, waitUntilReady, type ManagedProcess } from './processes.js';
import { redisCommand } from './redis.js';

const run = promisify(execFile);

/** One master of a {@link RedisCluster}. */
export interface RedisClusterNode {
  host: string;
  port: number;
}

/** A throwaway Redis Cluster on loopback: masters only, no persistence, working dirs removed by `stop()`. */
export interface RedisCluster {
  nodes: RedisClusterNode[];
  /** `127.0.0.1:<port>,127.0.0.1:<port>,…`: what `--redis-cluster` takes. */
  addresses: string;
  /** The master serving `slot` (0–16383), as `CLUSTER NODES` says. */
  nodeForSlot(slot: number): Promise<RedisClusterNode>;
  /** Ends one master (SIGTERM, nothing saved): its slots are served by nobody until it is back. */
  stopNode(node: RedisClusterNode): Promise<void>;
  /**
   * Starts a stopped master again on its ports, with its nodes.conf (so it rejoins as itself) but
   * none of its data, and resolves once every master says cluster_state:ok.
   */
  startNode(node: RedisClusterNode, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Redis refuses to build a cluster of fewer than three masters. */
const MASTERS = 3;

/** Ports not in use right now, all different (two asks of the OS can return the same port). */
async function distinctFreePorts(host: string, count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freeTcpPort(host));
  return [...ports];
}

/**
 * Starts three `redis-server --cluster-enabled yes` on free loopback ports (each with its cluster
 * bus port chosen free too: the default, port + 10000, may be taken or past 65535), joins them with
 * `redis-cli --cluster create … --cluster-replicas 0`, and resolves once every node's
 * `CLUSTER INFO` says `cluster_state:ok` (slots assigned and gossip settled: before that, commands
 * fail with CLUSTERDOWN). Needs Redis 7 for `cluster-port`; throws a HarnessError naming the
 * package when redis-server or redis-cli is not installed.
 */
export async function startRedisCluster(options: { startTimeoutMs?: number } = {}): Promise<RedisCluster> {
  const server = findRedisServer();
  const cli = findRedisCli();
  const host = '127.0.0.1';
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const dirs: ReturnType<typeof makeTempDir>[] = [];
  const procs: ManagedProcess[] = [];
  const stop = async () => {
    await Promise.all(procs.map((proc) => proc.stop()));
    for (const dir of dirs) dir.remove();
  };
  try {
    const ports = await distinctFreePorts(host, MASTERS * 2);
    const nodes = ports.slice(0, MASTERS).map((port) => ({ host, port }));
    const argsOf: string[][] = [];
    for (const [i, node] of nodes.entries()) {
      const dir = makeTempDir('redis-cluster');
      dirs.push(dir);
      argsOf.push([
        '--port', String(node.port),
        '--bind', host,
        '--cluster-enabled', 'yes',
        '--cluster-port', String(ports[MASTERS + i]),
        // Each node rewrites its own view of the cluster here; kept in the node's temp dir.
        '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', '2000',
        '--save', '',
        '--appendonly', 'no',
        '--dir', dir.path,
        '--daemonize', 'no',
        '--logfile', '',
      ]);
      procs.push(spawnManaged(`redis-server (cluster node ${node.port})`, server, argsOf[i] as string[]));
    }
    const allOk = (timeout: number) =>
      Promise.all(
        nodes.map((node, i) =>
          waitUntilReady(
            procs[i] as ManagedProcess,
            async () => (await redisCommand(host, node.port, ['CLUSTER', 'INFO'], 300)).includes('cluster_state:ok'),
            timeout,
          ),
        ),
      );
    await Promise.all(
      procs.map((proc, i) => {
        const node = nodes[i] as RedisClusterNode;
        return waitUntilReady(proc, async () => (await redisCommand(host, node.port, ['PING'], 300)) === '+PONG\r\n', Math.max(1000, deadline - Date.now()));
      }),
    );
    const addresses = nodes.map((node) => `${node.host}:${node.port}`);
    try {
      await run(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: Math.max(1000, deadline - Date.now()) });
    } catch (error) {
      const detail = error instanceof Error && 'stdout' in error ? `${String(error.stdout)}${String((error as { stderr?: unknown }).stderr ?? '')}` : String(error);
      throw new HarnessError(HarnessErrorCode.StartTimeout, `redis-cli --cluster create ${addresses.join(' ')} failed:\n${detail}`, { cause: error });
    }
    // `--cluster create` returns once slots are assigned; each node says ok only when it has heard
    // from the others that every slot is covered.
    await allOk(Math.max(1000, deadline - Date.now()));
    return {
      nodes,
      addresses: addresses.join(','),
      async nodeForSlot(slot) {
        const first = nodes[0] as RedisClusterNode;
        const { stdout } = await run(cli, ['-h', first.host, '-p', String(first.port), 'CLUSTER', 'NODES']);
        // One line per node: id, host:port@busport, flags, master id, ping, pong, epoch, link, then its slot ranges.
        for (const line of stdout.split('\n')) {
          const fields = line.trim().split(' ');
          const port = Number(fields[1]?.split('@')[0]?.split(':')[1]);
          const serves = fields.slice(8).some((range) => {
            const [from = NaN, to = from] = range.split('-').map(Number);
            return slot >= from && slot <= to;
          });
          const owner = nodes.find((node) => node.port === port);
          if (serves && owner !== undefined) return owner;
        }
        throw new Error(`No master of the cluster serves slot ${slot}; CLUSTER NODES said:\n${stdout}`);
      },
      async stopNode(node) {
        await procs[nodes.indexOf(node)]?.stop();
      },
      async startNode(node, startTimeoutMs = 20_000) {
        const i = nodes.indexOf(node);
        if (i < 0) throw new Error(`${node.host}:${node.port} is not a node of this cluster`);
        await procs[i]?.stop();
        procs[i] = spawnManaged(`redis-server (cluster node ${node.port}, restarted)`, server, argsOf[i] as string[]);
        await allOk(startTimeoutMs);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
