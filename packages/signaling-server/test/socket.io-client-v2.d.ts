// socket.io-client 2.x ships no types; this covers the little the compatibility tests touch.
declare module 'socket.io-client-v2' {
  export interface V2Socket {
    id: string;
    connected: boolean;
    io: { engine: { transport: { name: string } } };
    on(event: string, listener: (...args: any[]) => void): V2Socket; // eslint-disable-line @typescript-eslint/no-explicit-any
    emit(event: string, ...args: unknown[]): V2Socket;
    close(): V2Socket;
  }
  export default function io(url: string, options?: Record<string, unknown>): V2Socket;
}
