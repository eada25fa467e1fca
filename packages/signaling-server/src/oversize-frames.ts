/**
 * A WebSocket frame larger than engine.io's buffer limit never reaches the message validator: `ws`
 * refuses it from its header and closes the connection with 1009, and the client used to see only
 * "transport close", its ack never answered. This sends a coded `'signaling error'`
 * (PAYLOAD_TOO_LARGE, with the frame's declared size) just before that close frame, so the client
 * learns what happened. The connection still closes: `ws` cannot skip the rest of a frame it
 * refused to buffer.
 *
 * Reads `ws` internals that have kept their names through ws 8 (`_receiver`, its
 * `_totalPayloadLength`); if they are missing the error still goes out, quoting the limit.
 */
import { SignalingErrorCode, type SignalingErrorPayload } from '@workbench/core/protocol';
import type { SignalingMetrics } from './metrics.js';

/** ws's close code for a message too big to process. */
const MESSAGE_TOO_BIG = 1009;

interface WebSocketLike {
  readyState: number;
  OPEN: number;
  close(code?: number, reason?: string): void;
  send(data: string): void;
  _receiver?: { _totalPayloadLength?: unknown };
}

interface EngineSocketLike {
  transport: { name: string; socket?: unknown };
  on(event: 'upgrade', listener: () => void): unknown;
}

interface EngineLike {
  on(event: 'connection', listener: (conn: EngineSocketLike) => void): unknown;
}

function watch(ws: WebSocketLike, maxMessageBytes: number, metrics: SignalingMetrics): void {
  const close = ws.close.bind(ws);
  ws.close = (code?: number, reason?: string) => {
    if (code === MESSAGE_TOO_BIG && ws.readyState === ws.OPEN) {
      const declared = ws._receiver?._totalPayloadLength;
      const size = typeof declared === 'number' && declared > maxMessageBytes ? `of ${declared} bytes ` : '';
      const error: SignalingErrorPayload = {
        code: SignalingErrorCode.PayloadTooLarge,
        message: `Message ${size}is larger than the ${maxMessageBytes}-byte limit; the server closed the connection because it does not read frames that large.`,
        event: 'message',
      };
      metrics.reject('payload_too_large');
      // An engine.io message packet ("4") carrying a socket.io event ("2") on the main namespace.
      ws.send(`42${JSON.stringify(['signaling error', error])}`);
    }
    close(code, reason);
  };
}

export function announceOversizeFrames(engine: EngineLike, maxMessageBytes: number, metrics: SignalingMetrics): void {
  engine.on('connection', (conn) => {
    const attach = () => {
      const ws = conn.transport.socket as WebSocketLike | undefined;
      if (conn.transport.name === 'websocket' && ws !== undefined && typeof ws.close === 'function') watch(ws, maxMessageBytes, metrics);
    };
    attach();
    conn.on('upgrade', attach);
  });
}
