// The Next.js app's Better Auth, as the README asks for it: the jwt() plugin.
import { betterAuth } from "better-auth";
import { jwt } from "better-auth/plugins";

export const auth = betterAuth({ emailAndPassword: { enabled: true }, plugins: [jwt()] });
