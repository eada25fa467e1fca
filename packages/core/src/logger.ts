/** Logger: the minimal logging interface every core class accepts, plus named and silent variants. */

/** What core classes log through; `console` satisfies it, so does any pino/winston-style logger. */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/**
 * A logger that prefixes every line with `[name]`, so two peer connections in one page
 * (`pc1`, `pc2`) stay distinguishable in the console, as in webrtc/samples.
 * A leading string argument is merged into one string so log captures see `[pc1] text`.
 */
export function namedLogger(name: string, base: Logger = console): Logger {
  const prefix = `[${name}]`;
  const wrap =
    (level: keyof Logger) =>
    (...args: unknown[]): void => {
      const [first, ...rest] = args;
      if (typeof first === 'string') base[level](`${prefix} ${first}`, ...rest);
      else base[level](prefix, ...args);
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
