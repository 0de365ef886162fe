import { createServer, type AddressInfo, type Socket } from "node:net";

import type { PGlite } from "@electric-sql/pglite";

// PGlite is a single PostgreSQL session. To let a connection pool share it,
// this server hands the session to one client connection at a time, for a
// whole unit of work: a simple query, or an extended-protocol exchange up to
// its Sync. A connection that leaves a transaction open keeps the session
// until it commits or rolls back.
//
// Why not @electric-sql/pglite-socket (0.2.17): it interleaves single
// messages from different connections, which breaks a pool's
// extended-protocol queries ("portal does not exist"; electric-sql/pglite#1046).
// Limited to one connection (`maxConnections: 1`, a pool of one), it turns
// away the connection that node-postgres's pool opens at once after dropping
// one, which the pool does after any failed query: the request after a
// duplicate signup's 409 failed (embedded.test.ts holds us to it).

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const QUERY = 0x51; // 'Q'
const SYNC = 0x53; // 'S'
const TERMINATE = 0x58; // 'X'
const SYNC_MESSAGE = Uint8Array.from([SYNC, 0, 0, 0, 4]);

export interface WireServerOptions {
  host?: string;
  port?: number;
  maxConnections?: number;
}

export interface WireServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

class SessionLock {
  private owner: symbol | null = null;
  private readonly waiting: Array<{ id: symbol; grant: () => void }> = [];

  acquire(id: symbol): Promise<void> {
    if (this.owner === null || this.owner === id) {
      this.owner = id;
      return Promise.resolve();
    }
    return new Promise((grant) => this.waiting.push({ id, grant }));
  }

  release(id: symbol): void {
    if (this.owner !== id) return;
    const next = this.waiting.shift();
    this.owner = next?.id ?? null;
    next?.grant();
  }

  forget(id: symbol): void {
    const index = this.waiting.findIndex((entry) => entry.id === id);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  isHeldBy(id: symbol): boolean {
    return this.owner === id;
  }
}

export async function startWireServer(
  pglite: PGlite,
  options: WireServerOptions = {},
): Promise<WireServer> {
  const lock = new SessionLock();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveConnection(socket, pglite, lock);
  });
  server.maxConnections = options.maxConnections ?? 32;
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function serveConnection(socket: Socket, pglite: PGlite, lock: SessionLock): void {
  const id = Symbol("connection");
  let buffer: Buffer = Buffer.alloc(0);
  let started = false;
  let batch: Buffer[] = [];
  let work: Promise<void> = Promise.resolve();
  socket.setNoDelay(true);

  const run = (messages: Buffer[], endsUnit: boolean) => {
    work = work
      .then(async () => {
        await lock.acquire(id);
        await pglite.runExclusive(() =>
          pglite.execProtocolRawStream(Buffer.concat(messages), {
            onRawData: (data) => {
              if (!socket.destroyed) socket.write(data);
            },
          }),
        );
        if (endsUnit && !pglite.isInTransaction()) lock.release(id);
      })
      .catch(() => {
        socket.destroy();
      });
  };

  socket.on("data", (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          socket.write("N");
          continue;
        }
        if (code === CANCEL_REQUEST) {
          socket.end();
          return;
        }
        started = true;
        run([message], true);
        continue;
      }
      if (buffer.length < 5) return;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return;
      const message = buffer.subarray(0, length);
      buffer = buffer.subarray(length);
      const type = message[0];
      if (type === TERMINATE) {
        socket.end();
        return;
      }
      batch.push(message);
      if (type === QUERY || type === SYNC) {
        run(batch, true);
        batch = [];
      }
    }
  });

  const cleanUp = () => {
    lock.forget(id);
    work = work.then(async () => {
      if (!lock.isHeldBy(id)) return;
      // A client that vanished mid-transaction must not leave it open for the next one.
      await pglite.runExclusive(() => pglite.execProtocolRaw(SYNC_MESSAGE));
      if (pglite.isInTransaction()) await pglite.exec("ROLLBACK");
      lock.release(id);
    });
  };
  socket.on("close", cleanUp);
  socket.on("error", () => socket.destroy());
}
