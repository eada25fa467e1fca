/**
 * The one adapter from a core `Logger` to a page's event log, so what Peer, PerfectNegotiator and
 * SignalingClient log ("connectionState: connected", "offer collision: polite, rolling back")
 * shows beside the page's own entries. core's namedLogger writes "[pc1] …": that name becomes the
 * entry's source, so the log reads like webrtc/samples' "pc1 ICE state: …".
 */
import type { Logger } from '@workbench/core/logger';

export interface LogSink {
  info(message: string, source?: string): unknown;
  warn(message: string, source?: string): unknown;
  error(message: string, source?: string): unknown;
}

export interface LogToOptions {
  /**
   * Pass info lines through (default true). Off for an object whose info lines the page already
   * logs in its own, more explanatory words; its warnings and errors still come through.
   */
  info?: boolean;
  /**
   * Show debug lines (each candidate, "queued until the remote description is set") as info.
   * Default false: on most pages the log is for reading, not tracing; the loopback pages (steps 2
   * and 3) turn it on because those lines are what their learner came to see.
   */
  debug?: boolean;
}

const NAMED = /^\[([^\]]+)\] ([\s\S]*)$/;

function text(args: readonly unknown[]): string {
  return args.map((arg) => (typeof arg === 'string' ? arg : arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' ');
}

/** A Logger writing into `sink`; `source` names lines that carry no "[name]" prefix of their own ('' for none). */
export function logTo(sink: LogSink, source: string, options: LogToOptions = {}): Logger {
  const { info = true, debug = false } = options;
  const write = (level: 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const line = text(args);
    const named = NAMED.exec(line);
    void sink[level](named?.[2] ?? line, named?.[1] ?? (source || undefined));
  };
  const none = () => {};
  return { debug: debug ? write('info') : none, info: info ? write('info') : none, warn: write('warn'), error: write('error') };
}
