import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  hostileRequests,
  responseProblem,
  send,
  type FuzzTokens,
  type FuzzWorld,
} from "./fuzz/hostile-requests.js";
import { startTestApp, type TestApp } from "./test-app.js";

// Property: whatever a client sends to any route — REST, /auth, /trpc — the
// answer is in the contract's shape, never a 5xx, the server keeps serving,
// and a refused request changes no row. Seeded, so a run is repeatable; a
// failure prints its seed and path (FC_SEED=… FC_PATH=… replays it).
// The long run over the production build is `pnpm fuzz`.

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
});
afterAll(() => app.close());

const snapshot = async () => JSON.stringify(await app.db.task.findMany({ orderBy: { id: "asc" } }));

describe("any request, however hostile", () => {
  it("is answered in the contract's shape, never with a 5xx, and a refused one changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequests(world), async (request) => {
        const before = await snapshot();
        const { status, text } = await send(app.url, request, tokens);
        const problem = responseProblem(request, status, text);
        if (problem) throw new Error(`${problem}\nrequest: ${JSON.stringify(request)}`);
        if (status >= 400) expect(await snapshot()).toBe(before);
        expect((await fetch(`${app.url}/health`)).status).toBe(200);
      }),
      {
        seed: SEED,
        numRuns: RUNS,
        path: process.env.FC_PATH,
        endOnFailure: true,
      },
    );
  });
});
