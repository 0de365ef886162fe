import { spawn } from "node:child_process";
import { join } from "node:path";

import { createTaskClient, type TaskClient } from "@todo/client";
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { chromium, type Browser, type Locator, type Page, type Route } from "playwright-core";
import { inject } from "vitest";

import { webDir } from "./e2e-stack.js";

/** Debian's Chromium, headless; never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * A fresh browser profile on the app (by default the build on the API's
 * built-in accounts). Berlin time, so that a due date typed
 * as 10:00 in December must reach the API as 09:00Z. With `fakeClock`,
 * Playwright's clock is installed before the app loads, so that every
 * `Date.now` and timer of the app's is the clock's: it keeps pace with real
 * time until the test moves it on (`page.clock.fastForward`).
 */
export async function openApp(
  browser: Browser,
  baseURL = inject("webUrl"),
  { fakeClock = false } = {},
): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1100, height: 900 },
    locale: "en-US",
    timezoneId: "Europe/Berlin",
  });
  if (fakeClock) await context.clock.install();
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (error) => console.error(`[browser] ${error.message}`));
  await page.goto("/");
  return page;
}

/** The task screen, as a user finds things on it: by label, role and text. */
export class TaskScreen {
  constructor(readonly page: Page) {}

  get newTaskForm(): Locator {
    return this.page.getByRole("form", { name: "New task" });
  }

  get items(): Locator {
    return this.page.locator(".task-list > li");
  }

  item(title: string): Locator {
    return this.items.filter({
      has: this.page.locator(".task-title").getByText(title, { exact: true }),
    });
  }

  /** The titles shown, in order, or [] when the list is empty. */
  async titles(): Promise<string[]> {
    return this.page.locator(".task-list > li .task-title").allTextContents();
  }

  async addTask(task: { title: string; priority?: string; tags?: string; due?: string }) {
    const form = this.newTaskForm;
    await form.getByLabel("Title").fill(task.title);
    if (task.priority) await form.getByLabel("Priority").selectOption({ label: task.priority });
    if (task.due) await form.getByLabel("Due").fill(task.due);
    if (task.tags) await form.getByLabel("Tags").fill(task.tags);
    await form.getByRole("button", { name: "Add task" }).click();
    // The task shows at once; the form is ready again once the server has stored it.
    await this.item(task.title).waitFor();
    await form.getByRole("button", { name: "Add task" }).waitFor();
    await this.item(task.title).and(this.page.locator(":not([aria-busy])")).waitFor();
  }

  /** The session's token, as the app keeps it. */
  async token(): Promise<string> {
    const stored = await this.page.evaluate(() => localStorage.getItem("todo.session"));
    const session = JSON.parse(stored ?? "null") as { token?: string } | null;
    if (!session?.token) throw new Error("no session in localStorage");
    return session.token;
  }

  /** A client of the API as the signed-in user, to check what the server holds. */
  async apiClient(): Promise<TaskClient> {
    const token = await this.token();
    return createTaskClient({ url: `${inject("apiUrl")}/trpc`, getToken: () => token });
  }

  async screenshot(path: string): Promise<void> {
    // The picture is of the list, not of where the last step left focus and pointer.
    await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await this.page.mouse.move(0, 0);
    await this.page.screenshot({ path: join(webDir, path), fullPage: true });
  }
}

/**
 * A token for `userId` as another frontend would mint it: HS256 with the
 * API's secret, by the server's own `dev:token` command (jose, in @todo/server).
 */
export function mintToken(userId: string, options: { ttl?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=@todo/source",
        "src/cli/dev-token.ts",
        userId,
        "--ttl",
        options.ttl ?? "1h",
      ],
      {
        cwd: join(webDir, "..", "server"),
        env: { PATH: process.env.PATH, BETTER_AUTH_SECRET: inject("authSecret"), NODE_ENV: "test" },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(output.trim()) : reject(new Error(`dev:token exited with ${code}`)),
    );
  });
}

/**
 * Answers a routed tRPC call (the app's links batch, so a batch of one) with
 * the error the API sends: its status, tRPC's error code and the message.
 */
export function fulfillTrpcError(
  route: Route,
  error: { path: string; code: TRPC_ERROR_CODE_KEY; httpStatus: number; message: string },
): Promise<void> {
  return route.fulfill({
    status: error.httpStatus,
    contentType: "application/json",
    body: JSON.stringify([
      {
        error: {
          message: error.message,
          code: TRPC_ERROR_CODES_BY_KEY[error.code],
          data: { code: error.code, httpStatus: error.httpStatus, path: error.path },
        },
      },
    ]),
  });
}
