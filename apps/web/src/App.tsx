import { useCallback, useEffect, useState } from "react";

import type { ApiFailure } from "./api-failure.js";
import { ApiScope } from "./api-scope.js";
import { LoginScreen } from "./components/LoginScreen.js";
import { TaskScreen } from "./components/TaskScreen.js";
import {
  clearSession,
  isSessionStorageKey,
  loadSession,
  saveSession,
  type Session,
} from "./session.js";

export function App() {
  const [session, setSession] = useState(loadSession);
  const [notice, setNotice] = useState<string | null>(null);

  // Signing in or out in another tab does the same here.
  useEffect(() => {
    const follow = (event: StorageEvent) => {
      if (isSessionStorageKey(event.key)) setSession(loadSession());
    };
    window.addEventListener("storage", follow);
    return () => window.removeEventListener("storage", follow);
  }, []);

  const signIn = useCallback((next: Session) => {
    saveSession(next);
    setNotice(null);
    setSession(next);
  }, []);

  const signOut = useCallback((reason?: string) => {
    clearSession();
    setNotice(reason ?? null);
    setSession(null);
  }, []);

  const signOutRefused = useCallback(
    (failure: ApiFailure) =>
      signOut(`You have been signed out (${failure.message}). Please log in again.`),
    [signOut],
  );

  return session ? (
    <ApiScope key={session.token} onUnauthorized={signOutRefused}>
      <TaskScreen session={session} onSignOut={signOut} />
    </ApiScope>
  ) : (
    <ApiScope key="signed-out">
      <LoginScreen notice={notice} onSignIn={signIn} />
    </ApiScope>
  );
}
