/**
 * A core `Logger` that writes into a page's event log, so what Peer, PerfectNegotiator and
 * SignalingClient log ("connectionState: connected", "offer collision: polite, rolling back")
 * shows beside the page's own entries. Debug lines (every candidate) stay out: the log is for
 * reading, not tracing.
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
}

function text(args: readonly unknown[], source: string): string {
  const message = args
    .map((arg) => (typeof arg === 'string' ? arg : arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg)))
    .join(' ');
  // core's namedLogger writes "[pc] …"; the event log shows the name as the entry's source.
  const prefix = `[${source}] `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

export function logTo(sink: LogSink, source: string, options: LogToOptions = {}): Logger {
  const { info = true } = options;
  return {
    debug() {},
    info: info ? (...args) => void sink.info(text(args, source), source) : () => {},
    warn: (...args) => void sink.warn(text(args, source), source),
    error: (...args) => void sink.error(text(args, source), source),
  };
}
