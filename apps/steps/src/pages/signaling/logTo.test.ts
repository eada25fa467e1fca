import { namedLogger } from '@workbench/core/logger';
import { describe, expect, it } from 'vitest';
import { logTo, type LogSink } from './logTo.js';

function recordingSink(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  const add = (level: string) => (message: string, source?: string) => lines.push(`${level} ${source ?? '-'} ${message}`);
  return { lines, info: add('info'), warn: add('warn'), error: add('error') };
}

describe('logTo', () => {
  it("moves core's [name] prefix into the entry's source", () => {
    const sink = recordingSink();
    namedLogger('pc', logTo(sink, 'pc')).info('connectionState: connected');
    expect(sink.lines).toEqual(['info pc connectionState: connected']);
  });

  it('keeps a prefix that is not its own name, and joins extra arguments', () => {
    const sink = recordingSink();
    const logger = logTo(sink, 'pc');
    logger.warn('[other] listener threw', new TypeError('boom'), 3);
    expect(sink.lines).toEqual(['warn pc [other] listener threw TypeError: boom 3']);
  });

  it('drops debug lines, and info lines when asked to', () => {
    const sink = recordingSink();
    const quiet = logTo(sink, 'signaling', { info: false });
    quiet.debug('candidate');
    quiet.info('connected');
    quiet.warn('disconnected: transport close');
    quiet.error('could not rejoin');
    expect(sink.lines).toEqual(['warn signaling disconnected: transport close', 'error signaling could not rejoin']);
  });
});
