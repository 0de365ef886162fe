// The only file that reads the build's environment (Vite writes VITE_*
// variables into the bundle when it is built).

/** The API's base URL: VITE_API_URL when the app was started or built, else the server's default. */
export const API_URL = withoutTrailingSlash(
  import.meta.env.VITE_API_URL ?? "http://localhost:8000",
);

/**
 * Better Auth's base URL when sign-up and sign-in go through Better Auth
 * (and API calls carry its JWT plugin's tokens); null for the API's built-in
 * accounts.
 */
export const BETTER_AUTH_URL = import.meta.env.VITE_BETTER_AUTH_URL
  ? withoutTrailingSlash(import.meta.env.VITE_BETTER_AUTH_URL)
  : null;

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
