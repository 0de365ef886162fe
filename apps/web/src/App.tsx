import { betterAuth } from "./better-auth.js";
import { BetterAuthApp } from "./components/BetterAuthApp.js";
import { BuiltInApp } from "./components/BuiltInApp.js";

/** Better Auth's accounts when the app was built with VITE_BETTER_AUTH_URL, else the API's own. */
export function App() {
  return betterAuth ? <BetterAuthApp betterAuth={betterAuth} /> : <BuiltInApp />;
}
