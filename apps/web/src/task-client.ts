import { createTaskClient, type TaskClient } from "@todo/client";

import { API_URL } from "./env.js";
import { loadSession } from "./session.js";

/** A client sending whatever token `getToken` gives, e.g. a pasted one on trial. */
export function createClientWithToken(getToken: () => string | null | undefined): TaskClient {
  return createTaskClient({ url: `${API_URL}/trpc`, getToken });
}

/** The app's client: every request carries the signed-in session's token, if any. */
export const client = createClientWithToken(() => loadSession()?.token);
