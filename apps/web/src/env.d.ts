interface ImportMetaEnv {
  /** The API's base URL, e.g. http://localhost:8000 (no /trpc). */
  readonly VITE_API_URL?: string;
  /** Better Auth's base URL, e.g. http://localhost:3001; unset: the API's built-in accounts. */
  readonly VITE_BETTER_AUTH_URL?: string;
}
