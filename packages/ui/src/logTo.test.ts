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

  it("takes another object's [name] as the source, uses its own name otherwise, and joins extra arguments", () => {
    const sink = recordingSink();
    const logger = logTo(sink, 'pc');
    logger.warn('[negotiation] listener threw', new TypeError('boom'), 3);
    logger.info('no prefix here');
    expect(sink.lines).toEqual(['warn negotiation listener threw TypeError: boom 3', 'info pc no prefix here']);
  });

  it('shows debug lines as info when asked to (the loopback pages)', () => {
    const sink = recordingSink();
    namedLogger('pc1', logTo(sink, 'page', { debug: true })).debug('local candidate: candidate:1 1 udp …');
    expect(sink.lines).toEqual(['info pc1 local candidate: candidate:1 1 udp …']);
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
