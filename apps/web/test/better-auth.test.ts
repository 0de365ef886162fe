import { randomBytes } from "node:crypto";

import { createTaskClient } from "@todo/client";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { fulfillTrpcError, launchChromium, openApp, TaskScreen } from "./browser.js";

// The app built with VITE_BETTER_AUTH_URL, against a genuine Better Auth
// (@todo/server/testing) that the API trusts: one user's journey.

const betterAuthUrl = inject("betterAuthUrl");
const apiUrl = inject("apiUrl");
const email = `grace-${randomBytes(4).toString("hex")}@example.com`;
const password = "correct horse battery";

let browser: Browser;
let page: Page;
let screen: TaskScreen;
/** The Authorization header of every request to the API, in order. */
const apiAuthorizations: Array<string | undefined> = [];
let tokenFetches = 0;

beforeAll(async () => {
  browser = await launchChromium();
  page = await openApp(browser, inject("betterAuthWebUrl"));
  screen = new TaskScreen(page);
  page.on("request", (request) => {
    if (request.url().startsWith(`${apiUrl}/trpc/`) && request.method() !== "OPTIONS") {
      apiAuthorizations.push(request.headers().authorization);
    }
    if (request.url() === `${betterAuthUrl}/api/auth/token`) tokenFetches += 1;
  });
});
afterAll(() => browser?.close());

function decodeJwt(token: string) {
  const [header, payload] = token
    .split(".")
    .slice(0, 2)
    .map(
      (part) => JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>,
    );
  return { header: header!, payload: payload! };
}

/** The API's next `times` answers to task.list: "Token expired". */
/**
 * The next `times` task lists are refused for their token. Armed once the
 * page is quiet, so that a request already under way (a token fetch after a
 * reload, say) is not taken for one these refusals cause. Resolves to how
 * many have been refused so far.
 */
async function refuseTaskLists(times: number): Promise<() => number> {
  await page.waitForLoadState("networkidle");
  let refused = 0;
  await page.route(
    "**/trpc/task.list**",
    (route) => {
      refused += 1;
      return fulfillTrpcError(route, {
        path: "task.list",
        code: "UNAUTHORIZED",
        httpStatus: 401,
        message: "Token expired",
      });
    },
    { times },
  );
  return () => refused;
}

async function logIn(on: Page = page) {
  const form = on.getByRole("form", { name: "Log in" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByLabel("Password").press("Enter");
}

describe("signing in with Better Auth, in Chromium", () => {
  it("offers Better Auth's accounts, and no token form", async () => {
    await page.getByRole("form", { name: "Log in" }).waitFor();
    expect(await page.getByText("Have a token from elsewhere?").count()).toBe(0);
    expect(apiAuthorizations).toEqual([]);
  });

  it("says in the app's words what Better Auth refuses, under its field", async () => {
    await page.getByRole("button", { name: "Sign up" }).click();
    const form = page.getByRole("form", { name: "Sign up" });
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Password").fill("short");
    await form.getByLabel("Password").press("Enter");

    await form.getByText("Use at least 8 characters for your password.").waitFor();
    expect(await form.getByLabel("Password").getAttribute("aria-invalid")).toBe("true");
  });

  it("signs up with Better Auth and lands on an empty list", async () => {
    const form = page.getByRole("form", { name: "Sign up" });
    await form.getByLabel("Name").fill("Grace");
    await form.getByLabel("Password").fill(password);
    await form.getByLabel("Password").press("Enter");

    await page.getByText("Signed in as Grace").waitFor();
    await page.getByText("Nothing to do yet. Add your first task above.").waitFor();
  });

  it("adds tasks, every API call carrying one Better Auth JWT, fetched once", async () => {
    await screen.addTask({ title: "Plan the trip", priority: "High" });
    await screen.addTask({ title: "Book the hotel", tags: "travel" });
    expect(await screen.titles()).toEqual(["Book the hotel", "Plan the trip"]);

    expect(apiAuthorizations.length).toBeGreaterThanOrEqual(3);
    expect(new Set(apiAuthorizations).size).toBe(1);
    expect(tokenFetches).toBe(1);
    const token = apiAuthorizations[0]!.replace(/^Bearer /, "");
    const { header, payload } = decodeJwt(token);
    expect(header.alg).toBe("EdDSA");
    expect(payload).toMatchObject({ iss: betterAuthUrl, aud: betterAuthUrl });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(15 * 60);

    const api = createTaskClient({ url: `${apiUrl}/trpc`, getToken: () => token });
    const { items } = await api.task.list.query();
    expect(items.map(({ title, userId }) => ({ title, userId }))).toEqual([
      { title: "Book the hotel", userId: payload.sub },
      { title: "Plan the trip", userId: payload.sub },
    ]);
  });

  it("keeps the session and the tasks after a reload", async () => {
    await page.reload();
    await page.getByText("Signed in as Grace").waitFor();
    await expect.poll(() => screen.titles()).toEqual(["Book the hotel", "Plan the trip"]);
  });

  it("gets a new token once when the API refuses one, and carries on", async () => {
    const refused = await refuseTaskLists(1);
    const fetchesBefore = tokenFetches;
    await page.getByRole("group", { name: "Status" }).getByText("Pending").click();

    await expect.poll(refused).toBe(1);
    await expect.poll(() => tokenFetches).toBe(fetchesBefore + 1);
    await expect.poll(() => screen.titles()).toEqual(["Book the hotel", "Plan the trip"]);
    expect(await page.getByText("Signed in as Grace").count()).toBe(1);
  });

  it("signs out, and signs in again to find the tasks", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("form", { name: "Log in" }).waitFor();
    expect(await page.getByText("Signed in as Grace").count()).toBe(0);

    await logIn();
    await page.getByText("Signed in as Grace").waitFor();
    await expect.poll(() => screen.titles()).toEqual(["Book the hotel", "Plan the trip"]);
  });

  it("signs out of Better Auth, saying why, when the API refuses the renewed token too", async () => {
    await refuseTaskLists(2);
    await page.getByRole("group", { name: "Status" }).getByText("Completed").click();

    await page
      .getByText("You have been signed out (Token expired). Please log in again.")
      .waitFor();
    await page.getByRole("form", { name: "Log in" }).waitFor();
    await page.reload();
    await page.getByRole("form", { name: "Log in" }).waitFor();
    expect(await page.getByText("Signed in as Grace").count()).toBe(0);
  });
});

describe("renewing the Better Auth token before it expires, in Chromium", () => {
  it("fetches a new token a minute before the old one's exp, and the next API call carries it", async () => {
    const clockPage = await openApp(browser, inject("betterAuthWebUrl"), { fakeClock: true });
    // Token fetches and API calls, in the order the browser sends them.
    const traffic: Array<{ to: "token" } | { to: "api"; authorization: string | undefined }> = [];
    const refusals: number[] = [];
    clockPage.on("request", (request) => {
      if (request.url() === `${betterAuthUrl}/api/auth/token`) traffic.push({ to: "token" });
      if (request.url().startsWith(`${apiUrl}/trpc/`) && request.method() !== "OPTIONS") {
        traffic.push({ to: "api", authorization: request.headers().authorization });
      }
    });
    clockPage.on("response", (response) => {
      if (response.url().startsWith(`${apiUrl}/trpc/`) && response.status() === 401) {
        refusals.push(response.status());
      }
    });
    const screenWithClock = new TaskScreen(clockPage);
    const apiCalls = () => traffic.flatMap((entry) => (entry.to === "api" ? [entry] : []));

    await logIn(clockPage);
    await clockPage.getByText("Signed in as Grace").waitFor();
    await expect.poll(() => screenWithClock.titles()).toEqual(["Book the hotel", "Plan the trip"]);
    const first = apiCalls()[0]!.authorization!.replace(/^Bearer /, "");
    const { iat, exp } = decodeJwt(first).payload as { iat: number; exp: number };
    expect(new Set(apiCalls().map((call) => call.authorization))).toEqual(
      new Set([`Bearer ${first}`]),
    );

    // Better Auth's next token has a later iat (whole seconds), so differs.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (iat + 1) * 1000 - Date.now())));
    const seenBefore = traffic.length;
    // About 14 minutes on, to 55 s before the token's exp by the app's clock:
    // past the point of renewal (a minute before), and before expiry.
    const jump = (exp - 55) * 1000 - (await clockPage.evaluate(() => Date.now()));
    expect(jump).toBeGreaterThan(12 * 60_000);
    await clockPage.clock.fastForward(jump);
    const appNow = await clockPage.evaluate(() => Date.now());
    expect(appNow).toBeGreaterThanOrEqual((exp - 60) * 1000);
    expect(appNow).toBeLessThan(exp * 1000);

    await clockPage.getByRole("group", { name: "Status" }).getByText("Pending").click();
    await expect
      .poll(() => traffic.slice(seenBefore).some((entry) => entry.to === "api"))
      .toBe(true);
    const after = traffic.slice(seenBefore);
    const nextCall = after.findIndex((entry) => entry.to === "api");
    expect(after.slice(0, nextCall)).toContainEqual({ to: "token" });
    const renewed = (after[nextCall] as { authorization: string }).authorization.replace(
      /^Bearer /,
      "",
    );
    expect(renewed).not.toBe(first);
    const { payload } = decodeJwt(renewed);
    expect(payload).toMatchObject({ sub: decodeJwt(first).payload.sub, iss: betterAuthUrl });
    expect(Number(payload.iat)).toBeGreaterThan(iat);
    // The old token was still good when it was replaced: nothing was refused.
    expect(await clockPage.evaluate(() => Date.now())).toBeLessThan(exp * 1000);
    await expect.poll(() => screenWithClock.titles()).toEqual(["Book the hotel", "Plan the trip"]);
    expect(refusals).toEqual([]);
    expect(traffic.filter((entry) => entry.to === "token")).toHaveLength(2);
    await clockPage.context().close();
  });
});
