import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { deleteTaskOutput, taskListOutput, taskOutput } from "../../src/router/task.schemas.js";
import { openTestDatabase } from "../caller.js";

let env: Awaited<ReturnType<typeof openTestDatabase>>;
const dana = () => env.callerFor("dana-outputs");

beforeAll(async () => {
  env = await openTestDatabase();
});
afterAll(() => env.close());

// Outputs are not re-parsed at run time (see router/task.ts); these are the
// schemas the OpenAPI document shows, so every real output must match them
// exactly, with no key missing or extra.
describe("every task procedure's output", () => {
  it("matches its output schema exactly", async () => {
    const full = await dana().task.create({
      title: "Full",
      description: "d",
      priority: "high",
      dueDate: "2026-12-01T00:00:00Z",
      tags: ["a", "b"],
    } as never);
    const bare = await dana().task.create({ title: "Bare" });
    const outputs: Array<
      [typeof taskOutput | typeof taskListOutput | typeof deleteTaskOutput, unknown]
    > = [
      [taskOutput, full],
      [taskOutput, bare],
      [taskOutput, await dana().task.byId({ id: full.id })],
      [taskOutput, await dana().task.update({ id: full.id, description: null })],
      [taskOutput, await dana().task.setCompleted({ id: full.id, completed: true })],
      [taskOutput, await dana().task.toggleComplete({ id: full.id })],
      [taskListOutput, await dana().task.list()],
      [deleteTaskOutput, await dana().task.delete({ id: bare.id })],
    ];
    for (const [schema, output] of outputs) {
      expect(schema.strict().parse(output)).toEqual(output);
    }
    const { items } = await dana().task.list();
    expect(items).toHaveLength(1);
    for (const item of items) expect(taskOutput.strict().parse(item)).toEqual(item);
  });
});
