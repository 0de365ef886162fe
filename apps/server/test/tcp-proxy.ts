import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";

export type ProxyState = "forwarding" | "cut" | "black-hole";

/**
 * A TCP proxy between the server and PostgreSQL that a test can break:
 *
 * - `cut()`: every open connection is destroyed and the port stops listening,
 *   so new connections are refused — the database went down.
 * - `blackHole()`: connections are still accepted but no byte moves either
 *   way until `restore()` — a network partition, where TCP holds the bytes
 *   and nothing answers.
 * - `restore()`: forwarding again, on the same port; held bytes flow on.
 */
export interface TcpProxy {
  host: string;
  port: number;
  readonly state: ProxyState;
  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string;
  cut(): Promise<void>;
  blackHole(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Pipe {
  downstream: Socket;
  upstream: Socket;
}

const HOST = "127.0.0.1";

export interface TcpProxyOptions {
  /**
   * Forward only the first N connections, then stop listening, so later ones
   * are refused: a database that went down right after someone connected.
   */
  acceptOnly?: number;
}

export async function startTcpProxy(
  target: { host: string; port: number },
  options: TcpProxyOptions = {},
): Promise<TcpProxy> {
  const pipes = new Set<Pipe>();
  let state: ProxyState = "forwarding";
  let server: Server | undefined;
  let port = 0;
  let accepted = 0;

  const setFlowing = (pipe: Pipe, flowing: boolean) => {
    for (const socket of [pipe.downstream, pipe.upstream]) {
      if (flowing) socket.resume();
      else socket.pause();
    }
  };

  const accept = (downstream: Socket) => {
    const upstream = connect(target.port, target.host);
    const pipe: Pipe = { downstream, upstream };
    pipes.add(pipe);
    // Not `pipe()`: it resumes a paused source on `drain`, which would leak
    // bytes through a black hole.
    downstream.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => downstream.write(chunk));
    const teardown = () => {
      pipes.delete(pipe);
      downstream.destroy();
      upstream.destroy();
    };
    for (const socket of [downstream, upstream]) {
      socket.on("error", teardown);
      socket.on("close", teardown);
    }
    setFlowing(pipe, state === "forwarding");
    if (++accepted === options.acceptOnly) void stopListening();
  };

  const listen = async () => {
    const listening = createServer(accept);
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      // The same port every time, so the database's URL stays valid across a cut.
      listening.listen(port, HOST, () => resolve());
    });
    port = (listening.address() as AddressInfo).port;
    server = listening;
  };

  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server?.listening) resolve();
      else server.close(() => resolve());
    });

  const destroyAll = () => {
    for (const pipe of pipes) {
      pipe.downstream.destroy();
      pipe.upstream.destroy();
    }
    pipes.clear();
  };

  await listen();
  return {
    host: HOST,
    get port() {
      return port;
    },
    get state() {
      return state;
    },
    rewrite(url) {
      const rewritten = new URL(url);
      rewritten.hostname = HOST;
      rewritten.port = String(port);
      return rewritten.toString();
    },
    async cut() {
      state = "cut";
      const closed = stopListening();
      destroyAll();
      await closed;
    },
    blackHole() {
      state = "black-hole";
      for (const pipe of pipes) setFlowing(pipe, false);
    },
    async restore() {
      const wasCut = state === "cut";
      state = "forwarding";
      if (wasCut) await listen();
      for (const pipe of pipes) setFlowing(pipe, true);
    },
    async close() {
      state = "cut";
      const closed = stopListening();
      destroyAll();
      await closed;
    },
  };
}
