/** Errors the server raises at startup, each with a stable code and a sentence saying what to do. */

export const ServerErrorCode = {
  /** A command-line flag or environment variable is unknown or has a bad value. */
  InvalidCliArgs: 'INVALID_CLI_ARGS',
  /** `ServerOptions` describe something that cannot work (e.g. TURN URLs without credentials). */
  InvalidConfig: 'INVALID_CONFIG',
  /** The HTTPS certificate could not be read or generated. */
  Certificate: 'CERTIFICATE_ERROR',
  /** The server could not listen on the host and port asked for. */
  ListenFailed: 'LISTEN_FAILED',
  /** `--redis-url` / `REDIS_URL` is set but Redis does not answer there. */
  RedisUnavailable: 'REDIS_UNAVAILABLE',
} as const;
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

export class ServerError extends Error {
  readonly code: ServerErrorCode;
  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerError';
    this.code = code;
  }
}

export class ServerConfigError extends ServerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ServerErrorCode.InvalidConfig, message, options);
    this.name = 'ServerConfigError';
  }
}

export class CliArgsError extends ServerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ServerErrorCode.InvalidCliArgs, message, options);
    this.name = 'CliArgsError';
  }
}
