import { useMutation } from "@tanstack/react-query";

import { describeFailure } from "../api-failure.js";
import { orThrow, type BetterAuth } from "../better-auth.js";
import { retryWhileUnavailable } from "../query-client.js";
import { AccountForm, type AccountInput, type AccountMode } from "./AccountForm.js";

interface BetterAuthAccountFormProps {
  mode: AccountMode;
  betterAuth: BetterAuth;
}

/**
 * Sign up or sign in with Better Auth (email and password). Its session
 * cookie is what `authClient.useSession()` then sees, which shows the tasks.
 */
export function BetterAuthAccountForm({ mode, betterAuth }: BetterAuthAccountFormProps) {
  const { client } = betterAuth;
  const account = useMutation({
    mutationFn: ({ email, password, name }: AccountInput) =>
      // Better Auth requires a name, and takes an empty one: the form's is optional.
      mode === "signup"
        ? orThrow(client.signUp.email({ email, password, name }))
        : orThrow(client.signIn.email({ email, password })),
    retry: retryWhileUnavailable(2),
  });

  async function submit(input: AccountInput) {
    try {
      await account.mutateAsync(input);
      return null;
    } catch (error) {
      return describeFailure(error);
    }
  }

  return <AccountForm mode={mode} busy={!account.isIdle && !account.isError} onSubmit={submit} />;
}
