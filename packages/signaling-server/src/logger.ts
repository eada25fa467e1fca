/**
 * A leveled logger: the server prints through this so `logLevel: 'silent'` really is silent.
 * Two formats: `json` writes one object per line (`{"time","level","name","msg",…fields}`) for log
 * shippers and for tests that read a process's output; `text` writes `[signaling] message` for a
 * person at a terminal. Details passed after the message become fields: a plain object is merged,
 * an Error becomes `error: {name, code, message, stack}`, anything else goes into `details`.
 */

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];

export type LogFormat = 'json' | 'text';

export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

export interface Logger {
  error(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  debug(message: string, ...details: unknown[]): void;
}

export interface LoggerOptions {
  format?: LogFormat;
  /** Where lines go; default stdout for info/debug and stderr for warn/error, as console does. */
  write?: (level: Exclude<LogLevel, 'silent'>, line: string) => void;
}

function errorFields(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    ...(code !== undefined ? { code } : {}),
    message: error.message,
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The fields of one log line, from whatever the caller passed after the message. */
export function logFields(details: readonly unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const rest: unknown[] = [];
  for (const detail of details) {
    if (detail instanceof Error) fields.error = errorFields(detail);
    else if (isPlainObject(detail)) Object.assign(fields, detail);
    else rest.push(detail);
  }
  if (rest.length > 0) fields.details = rest.map((item) => (typeof item === 'bigint' ? String(item) : item));
  return fields;
}

function defaultWrite(level: Exclude<LogLevel, 'silent'>, line: string): void {
  if (level === 'error' || level === 'warn') process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}

function jsonLine(level: string, name: string, message: string, details: readonly unknown[]): string {
  const record = { time: new Date().toISOString(), level, name, msg: message, ...logFields(details) };
  try {
    return JSON.stringify(record);
  } catch {
    // A cyclic or BigInt-bearing detail must not turn a log call into a crash.
    return JSON.stringify({ time: record.time, level, name, msg: message, details: '(unserialisable)' });
  }
}

function textLine(name: string, message: string, details: readonly unknown[]): string {
  if (details.length === 0) return `[${name}] ${message}`;
  const fields = logFields(details);
  const error = fields.error as { stack?: string; message?: string } | undefined;
  delete fields.error;
  const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `[${name}] ${message}${extra}${error ? `\n${error.stack ?? error.message ?? ''}` : ''}`;
}

export function createLogger(level: LogLevel = 'info', name = 'signaling', options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const format = options.format ?? 'text';
  const write = options.write ?? defaultWrite;
  const at = (messageLevel: Exclude<LogLevel, 'silent'>) =>
    LOG_LEVELS.indexOf(messageLevel) <= threshold
      ? (message: string, ...details: unknown[]) =>
          write(messageLevel, format === 'json' ? jsonLine(messageLevel, name, message, details) : textLine(name, message, details))
      : () => {};
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
