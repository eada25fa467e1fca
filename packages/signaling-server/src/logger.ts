/** A leveled logger: the server prints through this so `logLevel: 'silent'` really is silent. */

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];

export interface Logger {
  error(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  debug(message: string, ...details: unknown[]): void;
}

export function createLogger(level: LogLevel = 'info', name = 'signaling'): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (messageLevel: Exclude<LogLevel, 'silent'>, write: (...args: unknown[]) => void) =>
    LOG_LEVELS.indexOf(messageLevel) <= threshold
      ? (message: string, ...details: unknown[]) => write(`[${name}] ${message}`, ...details)
      : () => {};
  return {
    error: at('error', console.error),
    warn: at('warn', console.warn),
    info: at('info', console.log),
    debug: at('debug', console.log),
  };
}
