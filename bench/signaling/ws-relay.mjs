#!/usr/bin/env node
/**
 * Benchmark-only baseline: the least a room-scoped signaling relay can do, written directly on
 * `ws`. Rooms of two, JSON frames (`{t:'join', room}`, `{t:'msg', d}`), each message parsed to find
 * its room and re-serialised with the sender's id, as the real server does. No validation, no
 * limits, no acknowledgements, no fallback transports: what it costs is the floor.
 *
 * Prints `listening <port>` once ready. Usage: node bench/signaling/ws-relay.mjs [port]
 * Also the signaling of the steps benchmark's two-page floor (bench/steps/pages/floor2.js): a change
 * here changes that floor too.
 */
import { WebSocketServer } from 'ws';

const CAPACITY = 2;
const rooms = new Map();
let nextId = 0;

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), perMessageDeflate: false });

wss.on('connection', (ws) => {
  ws.id = `c${(nextId += 1)}`;
  ws.room = undefined;
  ws.on('message', (data) => {
    let frame;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (frame.t === 'join' && typeof frame.room === 'string' && ws.room === undefined) {
      const members = rooms.get(frame.room) ?? new Set();
      if (members.size >= CAPACITY) {
        ws.send(JSON.stringify({ t: 'full', room: frame.room }));
        return;
      }
      members.add(ws);
      rooms.set(frame.room, members);
      ws.room = frame.room;
      ws.send(JSON.stringify({ t: 'joined', room: frame.room, id: ws.id }));
    } else if (frame.t === 'msg' && ws.room !== undefined) {
      const out = JSON.stringify({ t: 'msg', from: ws.id, d: frame.d });
      for (const peer of rooms.get(ws.room) ?? []) if (peer !== ws) peer.send(out);
    }
  });
  ws.on('close', () => {
    const members = rooms.get(ws.room);
    if (members === undefined) return;
    members.delete(ws);
    if (members.size === 0) rooms.delete(ws.room);
    else for (const peer of members) peer.send(JSON.stringify({ t: 'bye', from: ws.id }));
  });
});

wss.on('listening', () => console.log(`listening ${wss.address().port}`));
process.on('SIGTERM', () => {
  wss.close();
  process.exit(0);
});
