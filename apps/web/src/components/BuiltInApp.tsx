import { useCallback, useEffect, useState } from "react";

import type { ApiFailure } from "../api-failure.js";
import { ApiScope } from "../api-scope.js";
import {
  clearSession,
  isSessionStorageKey,
  loadSession,
  saveSession,
  type Session,
} from "../session.js";
import { sessionClient } from "../task-client.js";
import { BuiltInAccountForm } from "./BuiltInAccountForm.js";
import { LoginScreen } from "./LoginScreen.js";
import { TaskScreen } from "./TaskScreen.js";
import { TokenForm } from "./TokenForm.js";

/** The app on the API's built-in accounts, or a pasted token: the session is the token, in localStorage. */
export function BuiltInApp() {
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
    (failure: ApiFailure) => signOut(signedOutNotice(failure)),
    [signOut],
  );

  return session ? (
    <ApiScope
      key={session.token}
      createClient={() => sessionClient}
      onUnauthorized={signOutRefused}
    >
      <TaskScreen userLabel={session.label} onSignOut={signOut} />
    </ApiScope>
  ) : (
    <ApiScope key="signed-out" createClient={() => sessionClient}>
      <LoginScreen
        notice={notice}
        accountForm={(mode) => <BuiltInAccountForm mode={mode} onSignIn={signIn} />}
      >
        <details className="token-login">
          <summary>Have a token from elsewhere?</summary>
          <TokenForm onSignIn={signIn} />
        </details>
      </LoginScreen>
    </ApiScope>
  );
}

/** What the log-in screen says after the API refused the session's token. */
export function signedOutNotice(failure: ApiFailure): string {
  return `You have been signed out (${failure.message}). Please log in again.`;
}
