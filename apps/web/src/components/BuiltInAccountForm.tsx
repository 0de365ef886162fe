import { useMutation } from "@tanstack/react-query";

import { describeFailure } from "../api-failure.js";
import { retryWhileUnavailable } from "../query-client.js";
import type { Session } from "../session.js";
import { useTRPC } from "../trpc.js";
import { AccountForm, type AccountInput, type AccountMode } from "./AccountForm.js";

/** Twice more while the service is unavailable, then the form says so. */
const RETRIES = 2;

interface BuiltInAccountFormProps {
  mode: AccountMode;
  onSignIn: (session: Session) => void;
}

/** Log in to, or create, one of the API's built-in accounts (`auth.login`, `auth.signup`). */
export function BuiltInAccountForm({ mode, onSignIn }: BuiltInAccountFormProps) {
  const trpc = useTRPC();
  const retry = retryWhileUnavailable(RETRIES);
  const signup = useMutation(trpc.auth.signup.mutationOptions({ retry }));
  const login = useMutation(trpc.auth.login.mutationOptions({ retry }));
  const account = mode === "signup" ? signup : login;

  async function submit({ email, password, name }: AccountInput) {
    try {
      const { token, user } =
        mode === "signup"
          ? await signup.mutateAsync({ email, password, ...(name ? { name } : {}) })
          : await login.mutateAsync({ email, password });
      onSignIn({ token, label: user.name || user.email });
      return null;
    } catch (error) {
      return describeFailure(error);
    }
  }

  return <AccountForm mode={mode} busy={!account.isIdle && !account.isError} onSubmit={submit} />;
}
