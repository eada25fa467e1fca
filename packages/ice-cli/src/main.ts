/**
 * The command's body, separate from the process so tests can run it in-process too: arguments →
 * servers → run → output → exit code.
 */
import { createRequire } from 'node:module';

import { UsageError, USAGE, parseIceArgs } from './args.js';
import { formatPrometheus, formatTable } from './format.js';
import { runIceChecks, runOutcome, type PeerConnectionConstructor } from './run.js';
import { entriesFromCommand, entriesFromWorkbench } from './servers.js';

export const EXIT = { pass: 0, degraded: 1, fail: 2, usage: 64 } as const;

interface Stream {
  write(text: string): boolean;
  isTTY?: boolean;
}

export interface MainIo {
  stdout: Stream;
  stderr: Stream;
  env?: NodeJS.ProcessEnv;
  /** Defaults to libwebrtc's, from @roamhq/wrtc. */
  PeerConnection?: PeerConnectionConstructor;
}

/**
 * @roamhq/wrtc: libwebrtc (Chromium's ICE stack) as a Node addon, prebuilt for linux-x64 on npm.
 * Loaded only when a run starts, so --help and usage errors work where the binary is missing.
 */
function libwebrtc(): PeerConnectionConstructor {
  const require = createRequire(import.meta.url);
  const wrtc = require('@roamhq/wrtc') as { RTCPeerConnection: PeerConnectionConstructor };
  return wrtc.RTCPeerConnection;
}

export async function main(argv: readonly string[], io: MainIo): Promise<number> {
  const args = argv[0] === 'ice' ? argv.slice(1) : argv;
  if (argv.length === 0 || (argv[0] !== 'ice' && !argv[0]?.startsWith('-') && !/^(stuns?|turns?):/i.test(argv[0] ?? ''))) {
    if (argv.length > 0) {
      io.stderr.write(`webrtc-workbench: unknown command "${argv[0]}"; the command is "ice". See webrtc-workbench ice --help.\n`);
      return EXIT.usage;
    }
  }
  try {
    const command = parseIceArgs(args, { isTTY: io.stderr.isTTY === true && io.stdout.isTTY === true, ...(io.env ? { env: io.env } : {}) });
    if (command.help || argv.length === 0) {
      io.stdout.write(USAGE);
      return argv.length === 0 ? EXIT.usage : EXIT.pass;
    }
    const servers = [...entriesFromCommand(command), ...(command.from !== undefined ? await entriesFromWorkbench(command.from) : [])];
    const progressOn = io.stderr.isTTY === true;
    let shown = false;
    const onProgress = progressOn
      ? (message: string) => {
          shown = true;
          io.stderr.write(`\r\x1b[2K${message}`);
        }
      : undefined;
    let PeerConnection: PeerConnectionConstructor;
    try {
      PeerConnection = io.PeerConnection ?? libwebrtc();
    } catch (error) {
      io.stderr.write(`webrtc-workbench: cannot load @roamhq/wrtc (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); run npm ci on linux-x64, macOS or Windows x64.\n`);
      return EXIT.usage;
    }
    const { report, tls } = await runIceChecks({
      servers,
      budgetMs: command.budgetMs,
      policy: command.policy,
      loopback: command.loopback,
      PeerConnection,
      ...(command.ca ? { ca: command.ca } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    if (shown) io.stderr.write('\r\x1b[2K');
    const outcome = runOutcome(report);
    if (command.format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (command.format === 'prometheus') io.stdout.write(formatPrometheus(report));
    else {
      io.stdout.write(`${formatTable(report, tls, { color: command.color })}\n`);
      const words = { pass: 'every check passed', degraded: 'some checks failed', fail: 'nothing works' }[outcome];
      io.stdout.write(`\n${words} (${(report.durationMs / 1000).toFixed(1)} s); exit ${EXIT[outcome]}\n`);
    }
    return EXIT[outcome];
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`webrtc-workbench ice: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
