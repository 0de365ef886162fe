import { createServer, type AddressInfo, type Socket } from "node:net";

/**
 * How a fake PostgreSQL server lets its clients down:
 * - `silent`: accepts the connection and never says a word;
 * - `hang-up-on-query`: completes the handshake, then drops the connection
 *   when the first query arrives;
 * - `silent-on-query`: completes the handshake, then never answers;
 * - `{ refuse, message }`: answers the startup message with an ErrorResponse
 *   of that SQLSTATE, as PostgreSQL refuses a login (28P01 a wrong password,
 *   28000 a role pg_hba.conf does not let in, 3D000 a missing database).
 */
export type Misbehaviour =
  "silent" | "hang-up-on-query" | "silent-on-query" | { refuse: string; message: string };

export interface MisbehavingPostgres {
  url: string;
  port: number;
  close(): Promise<void>;
}

// AuthenticationOk ('R', length 8, 0) then ReadyForQuery ('Z', length 5, idle).
const HANDSHAKE = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x5a, 0, 0, 0, 5, 0x49]);

/** An ErrorResponse ('E'): severity, SQLSTATE and message fields, each NUL-terminated. */
function errorResponse(sqlstate: string, message: string): Buffer {
  const fields = Buffer.concat([
    ...["SFATAL", "VFATAL", `C${sqlstate}`, `M${message}`].map((field) =>
      Buffer.from(`${field}\0`, "utf8"),
    ),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write("E", 0, "ascii");
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

/** Just enough of the wire protocol for node-postgres to fail the way it does against a real server. */
export async function startMisbehavingPostgres(
  misbehaviour: Misbehaviour,
): Promise<MisbehavingPostgres> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    if (misbehaviour === "silent") return;
    let greeted = false;
    socket.on("data", () => {
      if (typeof misbehaviour === "object") {
        socket.end(errorResponse(misbehaviour.refuse, misbehaviour.message));
      } else if (!greeted) {
        greeted = true;
        socket.write(HANDSHAKE);
      } else if (misbehaviour === "hang-up-on-query") {
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: taken from the OS, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
