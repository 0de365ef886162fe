import { describe, expect, it, vi } from "vitest";

// A mock's factory runs only when some module imports it at runtime, so these
// record any import of server code that `import type` should have erased.
const serverImports = vi.hoisted(() => [] as string[]);
vi.mock("@todo/api", () => {
  serverImports.push("@todo/api");
  return {};
});
vi.mock("@todo/db", () => {
  serverImports.push("@todo/db");
  return {};
});

describe("@todo/client in a browser bundle", () => {
  it("loads no server code: @todo/api is imported for its types only", async () => {
    const client = await import("../src/index.js");
    expect(serverImports).toEqual([]);
    expect(Object.keys(client).sort()).toEqual([
      "TRPCClientError",
      "createTaskClient",
      "isTRPCClientError",
      "isTaskClientError",
    ]);
  });
});
