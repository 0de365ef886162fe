import { useCallback, useState } from "react";

import type { ApiFailure } from "../api-failure.js";
import { ApiScope } from "../api-scope.js";
import type { BetterAuth } from "../better-auth.js";
import { createBetterAuthClient } from "../task-client.js";
import { BetterAuthAccountForm } from "./BetterAuthAccountForm.js";
import { signedOutNotice } from "./BuiltInApp.js";
import { LoginScreen } from "./LoginScreen.js";
import { TaskScreen } from "./TaskScreen.js";

/**
 * The app on Better Auth: its session (a cookie of Better Auth's, watched by
 * `useSession()`) says who is signed in, and the API is called with its JWT
 * plugin's tokens, by a client of each session's own (see task-client.ts).
 */
export function BetterAuthApp({ betterAuth }: { betterAuth: BetterAuth }) {
  const { data: session, isPending } = betterAuth.client.useSession();
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback(
    async (reason?: string) => {
      setNotice(reason ?? null);
      await betterAuth.client.signOut();
    },
    [betterAuth],
  );

  const signOutRefused = useCallback(
    (failure: ApiFailure) => void signOut(signedOutNotice(failure)),
    [signOut],
  );

  if (isPending && !session) return <p className="empty">Loading…</p>;
  return session ? (
    <ApiScope
      key={session.user.id}
      createClient={() => createBetterAuthClient(betterAuth)}
      onUnauthorized={signOutRefused}
    >
      <TaskScreen
        userLabel={session.user.name || session.user.email}
        onSignOut={() => void signOut()}
      />
    </ApiScope>
  ) : (
    <ApiScope key="signed-out" createClient={() => createBetterAuthClient(betterAuth)}>
      <LoginScreen
        notice={notice}
        accountForm={(mode) => <BetterAuthAccountForm mode={mode} betterAuth={betterAuth} />}
      />
    </ApiScope>
  );
}
