import { createTaskClient, type TaskClient } from "@todo/client";
import type { Browser, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { fulfillTrpcError, launchChromium, mintToken, openApp, TaskScreen } from "./browser.js";

let browser: Browser;
let page: Page;
let screen: TaskScreen;
let api: TaskClient;

beforeAll(async () => {
  let token: string;
  [browser, token] = await Promise.all([launchChromium(), mintToken("optimist")]);
  api = createTaskClient({ url: `${inject("apiUrl")}/trpc`, getToken: () => token });
  for (const title of ["Water plants", "Pay rent", "Fix bike", "Call mum"]) {
    await api.task.create.mutate({ title });
  }
  page = await openApp(browser);
  await page.evaluate(
    (value) =>
      localStorage.setItem("todo.session", JSON.stringify({ token: value, label: "optimist" })),
    token,
  );
  await page.reload();
  screen = new TaskScreen(page);
  await screen.item("Water plants").waitFor();
});
afterAll(() => browser?.close());

/**
 * Holds the next request for `procedure` until the returned function is
 * called; then `answer` deals with it (by default it goes on to the API).
 */
async function holdNextRequest(
  procedure: string,
  answer: (route: Route) => Promise<void> = (route) => route.fallback(),
): Promise<() => void> {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    `**/trpc/${procedure}**`,
    async (route) => {
      await released;
      await answer(route);
    },
    { times: 1 },
  );
  return release;
}

/** What the API answers when it fails with a bug: a 500, in tRPC's batch shape. */
function internalServerError(procedure: string) {
  return (route: Route) =>
    fulfillTrpcError(route, {
      path: procedure,
      code: "INTERNAL_SERVER_ERROR",
      httpStatus: 500,
      message: "Internal server error",
    });
}

async function taskNamed(title: string) {
  const { items } = await api.task.list.query({ search: title });
  return items.find((task) => task.title === title);
}

describe("changes show before the server answers, in Chromium", () => {
  it("shows a new task at once, waiting, until the server has stored it", async () => {
    const release = await holdNextRequest("task.create");
    await screen.newTaskForm.getByLabel("Title").fill("Buy bread");
    await screen.newTaskForm.getByLabel("Title").press("Enter");

    const item = screen.item("Buy bread");
    await item.waitFor();
    expect(await item.getAttribute("aria-busy")).toBe("true");
    expect(await item.getByRole("button", { name: "Delete “Buy bread”" }).isDisabled()).toBe(true);
    expect(await screen.titles()).toEqual([
      "Buy bread",
      "Call mum",
      "Fix bike",
      "Pay rent",
      "Water plants",
    ]);
    expect(await taskNamed("Buy bread")).toBeUndefined();

    release();
    await expect.poll(() => item.getAttribute("aria-busy")).toBeNull();
    expect(await taskNamed("Buy bread")).toMatchObject({ title: "Buy bread", completed: false });
  });

  it("takes a new task back when the server refuses it, and says why under its field", async () => {
    const release = await holdNextRequest("task.create");
    const title = "x".repeat(201);
    await screen.newTaskForm.getByLabel("Title").fill(title);
    await screen.newTaskForm.getByLabel("Title").press("Enter");
    await screen.item(title).waitFor();
    // The list is fetched again after every change: held, so that what is
    // seen until then is the app's own rollback.
    const releaseRefetch = await holdNextRequest("task.list");

    release();
    await screen.newTaskForm.getByText("Keep the title to 200 characters or fewer.").waitFor();
    await screen.item(title).waitFor({ state: "detached" });
    expect(await screen.newTaskForm.getByLabel("Title").inputValue()).toBe(title);
    expect(await screen.titles()).toHaveLength(5);
    releaseRefetch();
  });

  it("ticks a task at once, and unticks it when the server fails, saying so", async () => {
    const release = await holdNextRequest(
      "task.setCompleted",
      internalServerError("task.setCompleted"),
    );
    const checkbox = page.getByRole("checkbox", { name: "Completed: Pay rent" });
    await checkbox.check();
    expect(await checkbox.isChecked()).toBe(true);
    await expect
      .poll(() => screen.item("Pay rent").getAttribute("class"))
      .toContain("is-completed");
    const releaseRefetch = await holdNextRequest("task.list");

    release();
    await page
      .getByText(
        "Could not update “Pay rent”: Something went wrong on the server. Please try again.",
      )
      .waitFor();
    await expect.poll(() => checkbox.isChecked()).toBe(false);
    expect(await screen.item("Pay rent").getAttribute("class")).not.toContain("is-completed");
    releaseRefetch();
    expect(await taskNamed("Pay rent")).toMatchObject({ completed: false });
  });

  it("removes a task at once, and brings it back when the server fails, saying so", async () => {
    const release = await holdNextRequest("task.delete", internalServerError("task.delete"));
    await page.getByRole("button", { name: "Delete “Fix bike”" }).click();
    await screen.item("Fix bike").waitFor({ state: "detached" });
    const releaseRefetch = await holdNextRequest("task.list");

    release();
    await page
      .getByText(
        "Could not delete “Fix bike”: Something went wrong on the server. Please try again.",
      )
      .waitFor();
    await screen.item("Fix bike").waitFor();
    releaseRefetch();
    expect(await taskNamed("Fix bike")).toBeDefined();
  });

  it("says what the API answers for a task deleted elsewhere, and drops it", async () => {
    const task = await taskNamed("Call mum");
    await api.task.delete.mutate({ id: task!.id });

    // A click, not check(): the refusal may drop the task before check() looks.
    await page.getByRole("checkbox", { name: "Completed: Call mum" }).click();
    await page.getByText("Could not update “Call mum”: Task not found").waitFor();
    await screen.item("Call mum").waitFor({ state: "detached" });
  });

  it("retries a change while the service is unavailable, and shows that it does", async () => {
    let attempts = 0;
    await page.route("**/trpc/task.setCompleted**", async (route) => {
      attempts += 1;
      if (attempts > 1) return route.fallback();
      return fulfillTrpcError(route, {
        path: "task.setCompleted",
        code: "SERVICE_UNAVAILABLE",
        httpStatus: 503,
        message: "Service unavailable",
      });
    });
    const checkbox = page.getByRole("checkbox", { name: "Completed: Water plants" });
    await checkbox.check();
    await page.getByText("The service is unavailable right now. Retrying your changes…").waitFor();

    await expect.poll(async () => (await taskNamed("Water plants"))?.completed).toBe(true);
    await page
      .getByText("The service is unavailable right now. Retrying your changes…")
      .waitFor({ state: "detached" });
    expect(await checkbox.isChecked()).toBe(true);
    expect(attempts).toBe(2);
    await page.unroute("**/trpc/task.setCompleted**");
  });
});
