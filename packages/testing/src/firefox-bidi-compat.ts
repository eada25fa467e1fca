import { createRequire } from 'node:module';

/**
 * playwright-core 1.65 drives Firefox over WebDriver BiDi (the `moz-firefox` channel) and, when it
 * creates a browser context, always sends `emulation.setMediaFeaturesOverride`, a command Firefox ESR
 * 153 does not implement yet: every `newContext()` fails with "unknown command". Until ESR catches up,
 * an "unknown command" answer to that one command is turned into an empty success; we never emulate
 * color schemes, so nothing is lost. Any other error, and any other command, passes through untouched,
 * and a Firefox that implements the command is unaffected.
 *
 * The patch sits on playwright's WebSocket transport (the only way BiDi reaches Firefox) because the
 * BiDi classes themselves are not exported. playwright-core is pinned to an exact version in
 * package.json for this reason; `firefox.e2e.test.ts` fails if an upgrade breaks it.
 */
const TOLERATED_UNKNOWN_COMMANDS = new Set(['emulation.setMediaFeaturesOverride']);

interface BidiMessage {
  id?: number;
  method?: string;
  type?: string;
  error?: string;
}
type MessageHandler = (message: BidiMessage) => void;
interface TransportPrototype {
  send(message: BidiMessage): void;
  onmessage?: MessageHandler;
}

let installed = false;

export function installFirefoxBidiCompat(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const core = require('playwright-core/lib/coreBundle') as { server?: { WebSocketTransport?: { prototype: TransportPrototype } } };
  const proto = core.server?.WebSocketTransport?.prototype;
  if (!proto) {
    throw new Error('playwright-core internals changed: server.WebSocketTransport is gone. Update src/firefox-bidi-compat.ts for the installed playwright-core, or pin playwright-core back to 1.65.1.');
  }
  const pendingIds = new WeakMap<object, Set<number>>();
  const handlers = new WeakMap<object, MessageHandler | undefined>();
  const originalSend = proto.send;

  proto.send = function (this: TransportPrototype, message: BidiMessage) {
    if (message.method !== undefined && message.id !== undefined && TOLERATED_UNKNOWN_COMMANDS.has(message.method)) {
      let ids = pendingIds.get(this);
      if (!ids) pendingIds.set(this, (ids = new Set()));
      ids.add(message.id);
    }
    return originalSend.call(this, message);
  };

  // The transport assigns `onmessage` after construction; an accessor on the prototype lets us wrap it.
  Object.defineProperty(proto, 'onmessage', {
    configurable: true,
    get(this: object) {
      return handlers.get(this);
    },
    set(this: object, handler: MessageHandler | undefined) {
      if (typeof handler !== 'function') {
        handlers.set(this, handler);
        return;
      }
      handlers.set(this, (message: BidiMessage) => {
        const ids = pendingIds.get(this);
        if (message.id !== undefined && ids?.delete(message.id) && message.type === 'error' && message.error === 'unknown command') {
          handler({ id: message.id, type: 'success', result: {} } as BidiMessage);
          return;
        }
        handler(message);
      });
    },
  });
}
