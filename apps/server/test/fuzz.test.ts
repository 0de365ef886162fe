import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  coverageOf,
  hostileRequests,
  kindsToReach,
  oneOfEachKind,
  responseProblem,
  send,
  type FuzzTokens,
  type FuzzWorld,
} from "./fuzz/hostile-requests.js";
import { startTestApp, type TestApp } from "./test-app.js";

// Property: whatever a client sends to any route — REST, /auth, /trpc, or
// bytes that are not quite HTTP — the answer is in the contract's shape,
// never a 5xx, the server keeps serving, and a refused request changes no
// row. The run starts with one request of each kind, so every REST and
// /auth route, every procedure and every way of breaking a request is
// reached (and checked to be), then draws the rest. Seeded, so a run is
// repeatable; a failure prints its seed and path (FC_SEED=… FC_PATH=…
// replays it). The long run over the production build is `pnpm fuzz`.

const SEED = Number(process.env.FC_SEED || 20_261_130);
const RUNS = 300;

let app: TestApp;
let world: FuzzWorld;
let tokens: FuzzTokens;

beforeAll(async () => {
  app = await startTestApp();
  world = { user: "fuzz-user", otherUser: "other-user", taskIds: [] };
  tokens = { token: await app.token(world.user), otherToken: await app.token(world.otherUser) };
  for (const [user, token] of [
    [world.user, tokens.token],
    [world.user, tokens.token],
    [world.otherUser, tokens.otherToken],
  ] as const) {
    const res = await fetch(`${app.url}/api/${user}/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "seed", tags: ["a"] }),
    });
    world.taskIds.push(((await res.json()) as { id: string }).id);
  }
  const signup = await fetch(`${app.url}/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "fuzz@example.com", password: "a long enough password" }),
  });
  expect(signup.status).toBe(201);
});
afterAll(() => app.close());

/** A digest of every table a refused request could write to. */
async function snapshot(): Promise<Record<string, string>> {
  const [digests] = await app.db.$queryRaw<Array<Record<string, string>>>`
    SELECT
      (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM tasks t) AS tasks,
      (SELECT md5(coalesce(string_agg(u::text, ',' ORDER BY u::text), '')) FROM users u) AS users,
      (SELECT md5(coalesce(string_agg(k::text, ',' ORDER BY k::text), '')) FROM idempotency_keys k)
        AS idempotency_keys`;
  return digests!;
}

describe("any request, however hostile", () => {
  it("is answered in the contract's shape, never with a 5xx, and a refused one changes nothing", async () => {
    const reached = new Set<string>();
    await fc.assert(
      fc.asyncProperty(hostileRequests(world), async (request) => {
        for (const kind of coverageOf(request)) reached.add(kind);
        const before = await snapshot();
        const answer = await send(app.url, request, tokens);
        const problem = responseProblem(request, answer);
        if (problem) throw new Error(`${problem}\nrequest: ${JSON.stringify(request)}`);
        if (answer.status >= 400) expect(await snapshot()).toEqual(before);
        expect((await fetch(`${app.url}/health`)).status).toBe(200);
      }),
      {
        seed: SEED,
        numRuns: RUNS,
        path: process.env.FC_PATH,
        endOnFailure: true,
        examples: oneOfEachKind(world, SEED).map((request) => [request]),
      },
    );
    // Every route, procedure and malformation, reached at least once.
    expect(kindsToReach().filter((kind) => !reached.has(kind))).toEqual([]);
  });
});
