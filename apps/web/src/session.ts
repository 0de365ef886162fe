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
