// The Next.js app's Better Auth client, as the README asks for it: jwtClient().
import { jwtClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient({ plugins: [jwtClient()] });
