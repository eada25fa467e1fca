/**
 * Load-generator clients. Both kinds are thin `ws` clients, so the load generator costs the same
 * against either server and the comparison measures the servers, not socket.io-client:
 *
 * - SocketIoLite speaks Socket.IO 5 over Engine.IO 4 on a WebSocket directly (`40` connect,
 *   `42[...]` events, `42<id>[...]`/`43<id>[...]` acknowledgements, `2`/`3` ping/pong), which is
 *   all a signaling client uses;
 * - RawRelayClient speaks the baseline relay's JSON frames (`{t:'join'}`, `{t:'msg', d}`).
 */
import WebSocket from 'ws';

/** `localAddress`: the loopback address to connect from (bench/cluster spreads clients over nginx's hash with it). */
function open(url, localAddress) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...(localAddress !== undefined ? { localAddress } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export class SocketIoLite {
  /** `baseUrl` like http://127.0.0.1:3000 */
  static async connect(baseUrl, auth, localAddress) {
    const ws = await open(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, localAddress);
    const client = new SocketIoLite(ws);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket.io connect timed out')), 20_000);
      client.onConnect = (sid) => {
        clearTimeout(timer);
        client.id = sid;
        resolve();
      };
      client.onConnectError = (error) => {
        clearTimeout(timer);
        reject(new Error(`socket.io connect refused: ${JSON.stringify(error)}`));
      };
      ws.send(auth === undefined ? '40' : `40${JSON.stringify(auth)}`);
    });
    return client;
  }

  constructor(ws) {
    this.ws = ws;
    this.id = undefined;
    this.handlers = new Map();
    this.acks = new Map();
    this.nextAck = 0;
    ws.on('message', (data) => this.#onFrame(data.toString()));
  }

  #onFrame(frame) {
    const engineType = frame.charCodeAt(0);
    if (engineType === 50 /* '2' ping */) {
      this.ws.send('3');
      return;
    }
    if (engineType !== 52 /* '4' message */) return;
    const sioType = frame[1];
    if (sioType === '2') {
      const [event, ...args] = JSON.parse(frame.slice(2));
      this.handlers.get(event)?.(...args);
    } else if (sioType === '3') {
      const bracket = frame.indexOf('[');
      const id = Number(frame.slice(2, bracket));
      const resolve = this.acks.get(id);
      this.acks.delete(id);
      resolve?.(JSON.parse(frame.slice(bracket))[0]);
    } else if (sioType === '0') {
      this.onConnect?.(JSON.parse(frame.slice(2)).sid);
    } else if (sioType === '4') {
      this.onConnectError?.(JSON.parse(frame.slice(2)));
    }
  }

  on(event, handler) {
    this.handlers.set(event, handler);
  }

  emit(event, ...args) {
    this.ws.send(`42${JSON.stringify([event, ...args])}`);
  }

  request(event, ...args) {
    const id = this.nextAck++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), 30_000);
      this.acks.set(id, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
      this.ws.send(`42${id}${JSON.stringify([event, ...args])}`);
    });
  }

  /** Joins `room` and resolves with the server's answer. */
  join(room) {
    return this.request('create or join', room);
  }

  /** Relays `payload` to the room peer. */
  send(payload) {
    this.emit('message', payload);
  }

  /** `handler(payload)` for each relayed message. */
  onMessage(handler) {
    this.on('message', (payload) => handler(payload));
  }

  close() {
    this.ws.close();
  }
}

export class RawRelayClient {
  static async connect(baseUrl) {
    return new RawRelayClient(await open(baseUrl.replace(/^http/, 'ws')));
  }

  constructor(ws) {
    this.ws = ws;
    this.onJoined = undefined;
    this.messageHandler = undefined;
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.t === 'msg') this.messageHandler?.(frame.d);
      else if (frame.t === 'joined' || frame.t === 'full') this.onJoined?.(frame);
    });
  }

  join(room) {
    return new Promise((resolve) => {
      this.onJoined = (frame) => resolve(frame.t === 'joined' ? { ok: true } : { ok: false });
      this.ws.send(JSON.stringify({ t: 'join', room }));
    });
  }

  send(payload) {
    this.ws.send(JSON.stringify({ t: 'msg', d: payload }));
  }

  onMessage(handler) {
    this.messageHandler = handler;
  }

  close() {
    this.ws.close();
  }
}
