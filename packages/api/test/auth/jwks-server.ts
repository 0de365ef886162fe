import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import type { JWK } from "jose";

/**
 * Serves a key set at /api/auth/jwks exactly as Better Auth does, on a free
 * local port, and counts the requests made for it.
 */
export interface JwksServer {
  jwksUrl: string;
  /** The keys served; push to rotate. */
  keys: JWK[];
  /** Status answered instead of the key set when not 200 (an erroring auth server). */
  status: number;
  readonly requests: number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  let requests = 0;
  const state = { keys, status: 200 };
  const server = createServer((request, response) => {
    if (request.url !== "/api/auth/jwks") {
      response
        .writeHead(404, { "content-type": "application/json" })
        .end('{"message":"Not Found"}');
      return;
    }
    requests += 1;
    if (state.status !== 200) {
      response.writeHead(state.status, { "content-type": "application/json" }).end("{}");
      return;
    }
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/api/auth/jwks`,
    get keys() {
      return state.keys;
    },
    set keys(next) {
      state.keys = next;
    },
    get status() {
      return state.status;
    },
    set status(next) {
      state.status = next;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A key-set URL on which nothing listens: the auth server is down. */
export async function unreachableJwksUrl(): Promise<string> {
  const server = await startJwksServer([]);
  const url = server.jwksUrl;
  await server.close();
  return url;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
