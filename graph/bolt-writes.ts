import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/**
 * The Node driver hands every Bolt chunk (at most 1,400 bytes) and every message end to its socket
 * as a write of its own, and each write is a system call: a recorded batch of suggestions, tens of
 * kilobytes of provenance, went out in about thirty, and in the warm initial design a sixth of the
 * service's CPU was spent in them. Corking the socket at its first write in a tick and uncorking it
 * on the next tick sends everything that tick wrote with one writev; the bytes and their order are
 * the same. The driver has no setting for its chunk size or for write coalescing (6.x), so this wraps
 * its Node channel's `write`. If that channel does not have the shape this expects (another driver
 * version), nothing is wrapped and the driver writes as it always did: slower, never wrong.
 */
const CHANNEL_MODULE = 'neo4j-driver-bolt-connection/lib/channel/node/node-channel.js';

type ChannelWrite = (this: { _pending: unknown[] | null; _conn: Socket }, buffer: unknown) => void;

const WRAPPED = Symbol.for('precedent.coalescedBoltWrites');
/** Sockets corked until the next tick. */
const corked = new WeakSet<Socket>();

function uncork(socket: Socket): void {
  corked.delete(socket);
  socket.uncork();
}

/** Wraps the driver's channel once per process; whether writes are coalesced. */
export function coalesceBoltWrites(): boolean {
  let proto: { write?: ChannelWrite & { [WRAPPED]?: true } };
  try {
    // The channel module belongs to neo4j-driver's own dependency; resolve it from there.
    const fromDriver = createRequire(createRequire(import.meta.url).resolve('neo4j-driver'));
    const mod = fromDriver(CHANNEL_MODULE) as { default?: { prototype?: typeof proto } };
    proto = mod.default?.prototype ?? {};
  } catch {
    return false;
  }
  const write = proto.write;
  if (typeof write !== 'function') return false;
  if (write[WRAPPED]) return true;
  const wrapped: ChannelWrite & { [WRAPPED]?: true } = function (this, buffer) {
    const socket = this._conn;
    // `_pending` holds writes made before the connection is up; the driver sends them itself.
    if (this._pending === null && socket && typeof socket.cork === 'function' && !corked.has(socket) && !socket.destroyed) {
      corked.add(socket);
      socket.cork();
      process.nextTick(uncork, socket);
    }
    write.call(this, buffer);
  };
  wrapped[WRAPPED] = true;
  proto.write = wrapped;
  return true;
}
