interface ImportMetaEnv {
  /** The API's base URL, e.g. http://localhost:8000 (no /trpc). */
  readonly VITE_API_URL?: string;
}
