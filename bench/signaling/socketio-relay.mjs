#!/usr/bin/env node
/**
 * Benchmark-only reference: a plain socket.io 4 room relay with nothing else (no validation, no
 * limits, no acknowledgements), the kind the issue measured. Against it the workbench server shows
 * what its own checks cost; against the raw `ws` relay, what socket.io itself costs.
 *
 * Prints `listening <port>` once ready. Usage: node bench/signaling/socketio-relay.mjs [port]
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false });
const members = new Map();

io.on('connection', (socket) => {
  socket.on('create or join', (room, ack) => {
    const size = members.get(room) ?? 0;
    if (size >= 2 || socket.data.room !== undefined) {
      ack?.({ ok: false });
      return;
    }
    members.set(room, size + 1);
    socket.data.room = room;
    socket.join(`room:${room}`);
    ack?.({ ok: true });
  });
  socket.on('message', (payload) => {
    if (socket.data.room !== undefined) socket.to(`room:${socket.data.room}`).emit('message', payload, socket.id);
  });
  socket.on('disconnect', () => {
    const room = socket.data.room;
    if (room === undefined) return;
    const size = (members.get(room) ?? 1) - 1;
    if (size === 0) members.delete(room);
    else members.set(room, size);
  });
});

httpServer.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => console.log(`listening ${httpServer.address().port}`));
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
