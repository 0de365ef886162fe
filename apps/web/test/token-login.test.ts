import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { fulfillTrpcError, launchChromium, mintToken, openApp, TaskScreen } from "./browser.js";

let browser: Browser;
let page: Page;
let screen: TaskScreen;
let token: string;

beforeAll(async () => {
  [browser, token] = await Promise.all([launchChromium(), mintToken("pasted-user")]);
  page = await openApp(browser);
  screen = new TaskScreen(page);
});
afterAll(() => browser?.close());

async function pasteToken(value: string) {
  const form = page.getByRole("form", { name: "Use a token" });
  if (!(await form.isVisible())) await page.getByText("Have a token from elsewhere?").click();
  await form.getByLabel("Bearer token").fill(value);
  await form.getByLabel("Bearer token").press("Enter");
}

describe("signing in with a token from elsewhere, in Chromium", () => {
  it("says next to the token field when the server refuses it", async () => {
    await pasteToken("not.a.token");
    await page.getByText("The server refused this token: Invalid token.").waitFor();
    const field = page.getByLabel("Bearer token");
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    await expect
      .poll(() => field.evaluate((element) => element === document.activeElement))
      .toBe(true);
  });

  it("signs in with an HS256 token and shows its user", async () => {
    await pasteToken(token);
    await page.getByText("Signed in as pasted-user").waitFor();
    await page.getByText("Nothing to do yet. Add your first task above.").waitFor();
  });

  it("says in its own words, next to each field, what the API found wrong", async () => {
    const form = screen.newTaskForm;
    await form.getByRole("button", { name: "Add task" }).click();
    await form.getByText("Give the task a title.").waitFor();
    expect(await form.getByLabel("Title").getAttribute("aria-invalid")).toBe("true");
    expect(await form.getByText("String should have at least 1 character").count()).toBe(0);

    await form.getByLabel("Title").fill("x".repeat(201));
    await form.getByLabel("Tags").fill("home, " + "t".repeat(31));
    await form.getByLabel("Title").press("Enter");
    await form.getByText("Keep the title to 200 characters or fewer.").waitFor();
    await form.getByText("Tag 2 is too long: keep each tag to 30 characters or fewer.").waitFor();

    await form.getByLabel("Title").fill("Tagged twice");
    await form.getByLabel("Tags").fill("Home, home");
    await form.getByLabel("Title").press("Enter");
    const message =
      "Each tag can be used once, and tags that differ only in capitals count as the same.";
    await form.getByText(message).waitFor();
    const tags = form.getByLabel("Tags");
    expect(await tags.getAttribute("aria-invalid")).toBe("true");
    expect(await form.getByLabel("Title").getAttribute("aria-invalid")).toBeNull();
    // The message is the field's description, so a screen reader reads it with the field.
    const describedBy = await tags.getAttribute("aria-describedby");
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe(message);

    await form.getByLabel("Tags").fill("home");
    await form.getByLabel("Title").press("Enter");
    await screen.item("Tagged twice").waitFor();
    await expect.poll(() => form.getByText(message).count()).toBe(0);
  });

  it("says the service is unavailable and retries until it answers", async () => {
    let refused = 0;
    await page.route("**/trpc/task.list**", async (route) => {
      refused += 1;
      if (refused === 1) return route.abort("connectionrefused");
      if (refused === 2) {
        return fulfillTrpcError(route, {
          path: "task.list",
          code: "SERVICE_UNAVAILABLE",
          httpStatus: 503,
          message: "Service unavailable",
        });
      }
      return route.fallback();
    });
    await page.reload();
    await page.getByText("The service is unavailable right now.").waitFor();
    await page.getByText(/Retrying in \d+ s…/).waitFor();
    await screen.item("Tagged twice").waitFor();
    expect(refused).toBeGreaterThanOrEqual(3);
    expect(await page.getByText("The service is unavailable right now.").count()).toBe(0);
    await page.unroute("**/trpc/task.list**");
  });

  it("sends the user back to log in when the server refuses the session's token", async () => {
    const forged = `${token.slice(0, token.lastIndexOf(".") + 1)}${"A".repeat(43)}`;
    await page.evaluate((value) => {
      const session = JSON.parse(localStorage.getItem("todo.session") ?? "{}") as object;
      localStorage.setItem("todo.session", JSON.stringify({ ...session, token: value }));
    }, forged);
    await screen.newTaskForm.getByLabel("Title").fill("Refused");
    await screen.newTaskForm.getByLabel("Title").press("Enter");

    await page
      .getByText("You have been signed out (Invalid token). Please log in again.")
      .waitFor();
    await page.getByRole("form", { name: "Log in" }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("todo.session"))).toBeNull();
  });
});
