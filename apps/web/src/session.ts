/** Who is signed in. Kept in localStorage, so a reload keeps the session. */
export interface Session {
  token: string;
  /** What the header shows: the account's name or email, or the token's user id. */
  label: string;
}

const STORAGE_KEY = "todo.session";

export function loadSession(): Session | null {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (!stored) return null;
  try {
    const value: unknown = JSON.parse(stored);
    return isSession(value) ? value : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(STORAGE_KEY);
}

/** Whether a storage event (another tab signing in or out) concerns the session. */
export function isSessionStorageKey(key: string | null): boolean {
  return key === null || key === STORAGE_KEY;
}

function isSession(value: unknown): value is Session {
  if (typeof value !== "object" || value === null) return false;
  const { token, label } = value as Record<string, unknown>;
  return typeof token === "string" && token !== "" && typeof label === "string";
}

/**
 * The user id a JWT names (`sub`, or `user_id` in older tokens), read without
 * checking the signature: only the server can verify a token, and this is
 * only for showing who is signed in.
 */
export function tokenUserId(token: string): string | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const binary = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
    const claims: unknown = JSON.parse(json);
    if (typeof claims !== "object" || claims === null) return null;
    const { sub, user_id: userId } = claims as Record<string, unknown>;
    const id = sub ?? userId;
    return typeof id === "string" || typeof id === "number" ? String(id) : null;
  } catch {
    return null;
  }
}
