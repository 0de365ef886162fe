import { createTaskClient, type TaskClient } from "@todo/client";

import { loadSession } from "./session.js";

/** The API's base URL: VITE_API_URL when the app was started or built, else the server's default. */
export const API_URL = (import.meta.env.VITE_API_URL ?? "http://localhost:8000").replace(
  /\/+$/,
  "",
);

/** A client sending whatever token `getToken` gives, e.g. a pasted one on trial. */
export function createClientWithToken(getToken: () => string | null | undefined): TaskClient {
  return createTaskClient({ url: `${API_URL}/trpc`, getToken });
}

/** The app's client: every request carries the signed-in session's token, if any. */
export const client = createClientWithToken(() => loadSession()?.token);
