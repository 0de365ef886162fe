import { createTaskClient, type TaskClient } from "@todo/client";
import type { Browser, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { fulfillTrpcError, launchChromium, mintToken, openApp, TaskScreen } from "./browser.js";

let browser: Browser;
let token: string;
let api: TaskClient;
let pageA: Page;
let pageB: Page;

/** The app signed in as this test's user, as on one more device. */
async function openDevice(): Promise<Page> {
  const page = await openApp(browser);
  await page.evaluate(
    (value) => localStorage.setItem("todo.session", JSON.stringify({ token: value, label: "two" })),
    token,
  );
  await page.reload();
  await page.locator(".task-list, .empty").first().waitFor();
  return page;
}

beforeAll(async () => {
  [browser, token] = await Promise.all([launchChromium(), mintToken("two-devices")]);
  api = createTaskClient({ url: `${inject("apiUrl")}/trpc`, getToken: () => token });
  await api.task.create.mutate({ title: "Draft the report" });
  await api.task.create.mutate({ title: "Book the train" });
  await api.task.create.mutate({ title: "Return the books" });
  [pageA, pageB] = await Promise.all([openDevice(), openDevice()]);
});
afterAll(() => browser?.close());

async function tasksNamed(title: string) {
  const { items } = await api.task.list.query({ search: title });
  return items.filter((task) => task.title === title);
}

/**
 * The answer to the next request for `procedure` is lost: the request goes on
 * to the API (which stores what it asks), and the browser sees the connection
 * fail. `answered` is the API's status for it, once it has answered.
 */
async function loseNextAnswer(
  page: Page,
  procedure: string,
): Promise<{ answered: Promise<number> }> {
  let answered = (_status: number) => {};
  const status = new Promise<number>((resolve) => (answered = resolve));
  await page.route(
    `**/trpc/${procedure}**`,
    async (route) => {
      const response = await route.fetch();
      answered(response.status());
      await route.abort("connectionreset");
    },
    { times: 1 },
  );
  return { answered: status };
}

/** The bodies of the requests `page` sends for `procedure` from now on. */
function bodiesOf(page: Page, procedure: string): string[] {
  const bodies: string[] = [];
  page.on("request", (request: Request) => {
    if (request.url().includes(`/trpc/${procedure}`)) bodies.push(request.postData() ?? "");
  });
  return bodies;
}

describe("two devices and a flaky network, in Chromium", () => {
  it("refuses an edit of a version changed elsewhere, shows the current one, keeps the edit", async () => {
    const [before] = await tasksNamed("Draft the report");
    const screenA = new TaskScreen(pageA);
    const screenB = new TaskScreen(pageB);
    // B opens the task for editing first, and is looking at version 1.
    await screenB.page.getByRole("button", { name: "Edit “Draft the report”" }).click();
    const formB = pageB.locator(".task.is-editing");
    await formB.getByLabel("Title").fill("Draft the report, with figures");

    // Meanwhile A saves a change of its own.
    await pageA.getByRole("button", { name: "Edit “Draft the report”" }).click();
    await pageA.locator(".task.is-editing").getByLabel("Title").fill("Final report");
    await pageA.locator(".task.is-editing").getByLabel("Title").press("Enter");
    await screenA.item("Final report").waitFor();
    expect((await tasksNamed("Final report"))[0]?.version).toBe(before!.version + 1);

    await formB.getByRole("button", { name: "Save" }).click();
    await formB.getByText(/changed elsewhere \(on another device, perhaps\)/).waitFor();
    const current = formB.getByRole("region", { name: "Its current version" });
    await current.getByText("Final report", { exact: true }).waitFor();
    expect(await formB.getByLabel("Title").inputValue()).toBe("Draft the report, with figures");
    expect(await tasksNamed("Final report")).toHaveLength(1);

    // B has seen A's version: saving now applies B's edit on top of it.
    await formB.getByRole("button", { name: "Save" }).click();
    await screenB.item("Draft the report, with figures").waitFor();
    expect(await pageB.locator(".task.is-editing").count()).toBe(0);
    const [saved] = await tasksNamed("Draft the report, with figures");
    expect(saved?.version).toBe(before!.version + 2);
    expect(await tasksNamed("Final report")).toHaveLength(0);
  });

  it("says next to a task that a tick on a stale version was refused, and shows the current one", async () => {
    const [task] = await tasksNamed("Book the train");
    await api.task.update.mutate({ id: task!.id, title: "Book the night train" });

    // A click, not check(): check() insists the box stays ticked, and here the
    // refusal may untick it before Playwright looks.
    await pageA.getByRole("checkbox", { name: "Completed: Book the train" }).click();
    const item = new TaskScreen(pageA).item("Book the night train");
    await item.getByText(/changed elsewhere/).waitFor();
    expect(await item.getByRole("checkbox").isChecked()).toBe(false);
    expect((await tasksNamed("Book the night train"))[0]).toMatchObject({
      completed: false,
      version: task!.version + 1,
    });
  });

  it("brings back a task whose delete on a stale version was refused, saying so beside the current one", async () => {
    const [task] = await tasksNamed("Return the books");
    await api.task.update.mutate({ id: task!.id, title: "Return the library books" });
    const screen = new TaskScreen(pageA);
    const deletes = bodiesOf(pageA, "task.delete");

    await pageA.getByRole("button", { name: "Delete “Return the books”" }).click();
    const item = screen.item("Return the library books");
    await item.getByText(/changed elsewhere/).waitFor();
    expect(await item.getByRole("alert").textContent()).toBe(
      "This task was changed elsewhere (on another device, perhaps), so nothing was changed here. Its current version is shown; try again if you still want to.",
    );
    expect(deletes).toHaveLength(1);
    expect(JSON.parse(deletes[0]!)).toMatchObject({
      0: { id: task!.id, expectedVersion: task!.version },
    });
    expect(await tasksNamed("Return the library books")).toEqual([
      expect.objectContaining({ id: task!.id, version: task!.version + 1 }),
    ]);

    // Seen now: deleting it again deletes it, and the notice goes with it.
    await item.getByRole("button", { name: "Delete “Return the library books”" }).click();
    await item.waitFor({ state: "detached" });
    await expect.poll(() => tasksNamed("Return the library books")).toEqual([]);
  });

  it("retries a new task whose answer was lost, and the server stores it once", async () => {
    const screen = new TaskScreen(pageA);
    const bodies = bodiesOf(pageA, "task.create");
    const { answered: firstStatus } = await loseNextAnswer(pageA, "task.create");

    await screen.newTaskForm.getByLabel("Title").fill("Renew passport");
    await screen.newTaskForm.getByLabel("Title").press("Enter");
    expect(await firstStatus).toBe(200);
    await screen.item("Renew passport").and(pageA.locator(":not([aria-busy])")).waitFor();

    expect(await tasksNamed("Renew passport")).toHaveLength(1);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[0]).toContain("idempotencyKey");
    await pageA.reload();
    await screen.item("Renew passport").waitFor();
    expect(await screen.item("Renew passport").count()).toBe(1);
  });

  it("retries a tick whose answer was lost, and the task is ticked once", async () => {
    const [before] = await tasksNamed("Renew passport");
    const bodies = bodiesOf(pageA, "task.setCompleted");
    const { answered: firstStatus } = await loseNextAnswer(pageA, "task.setCompleted");

    const checkbox = pageA.getByRole("checkbox", { name: "Completed: Renew passport" });
    await checkbox.check();
    expect(await firstStatus).toBe(200);
    await expect.poll(() => bodies.length).toBe(2);
    await new TaskScreen(pageA)
      .item("Renew passport")
      .and(pageA.locator(":not([aria-busy])"))
      .waitFor();

    // The retry, at the version the first try left behind, was answered with
    // the first try's task rather than refused or applied again.
    expect(bodies[1]).toBe(bodies[0]);
    expect(await checkbox.isChecked()).toBe(true);
    expect(await pageA.getByText(/changed elsewhere/).count()).toBe(0);
    expect((await tasksNamed("Renew passport"))[0]).toMatchObject({
      completed: true,
      version: before!.version + 1,
    });
  });

  it("waits for an earlier try still in flight instead of saying so", async () => {
    const screen = new TaskScreen(pageA);
    let attempts = 0;
    await pageA.route("**/trpc/task.create**", async (route) => {
      attempts += 1;
      if (attempts > 1) return route.fallback();
      return fulfillTrpcError(route, {
        path: "task.create",
        code: "CONFLICT",
        httpStatus: 409,
        message: "A request with this Idempotency-Key is still being processed",
      });
    });
    await screen.newTaskForm.getByLabel("Title").fill("Water the garden");
    await screen.newTaskForm.getByLabel("Title").press("Enter");
    await screen.item("Water the garden").and(pageA.locator(":not([aria-busy])")).waitFor();
    expect(attempts).toBe(2);
    expect(await screen.newTaskForm.getByRole("alert").count()).toBe(0);
    expect(await tasksNamed("Water the garden")).toHaveLength(1);
    await pageA.unroute("**/trpc/task.create**");
  });
});
