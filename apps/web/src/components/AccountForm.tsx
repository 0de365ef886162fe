import { useMutation } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";

import { describeFailure, messagesByField, type ApiFailure } from "../api-failure.js";
import { focusFirstInvalid } from "../focus-first-invalid.js";
import { retryWhileUnavailable } from "../query-client.js";
import type { Session } from "../session.js";
import { useTRPC } from "../trpc.js";
import { Field } from "./Field.js";
import { FormError } from "./FormError.js";

export type AccountMode = "login" | "signup";

const FIELDS = ["email", "password", "name"] as const;
type AccountField = (typeof FIELDS)[number];

interface AccountFormProps {
  mode: AccountMode;
  onSignIn: (session: Session) => void;
}

/** Log in to, or create, one of the server's built-in accounts. */
/** Twice more while the service is unavailable, then the form says so. */
const RETRIES = 2;

export function AccountForm({ mode, onSignIn }: AccountFormProps) {
  const trpc = useTRPC();
  const signup = useMutation(
    trpc.auth.signup.mutationOptions({ retry: retryWhileUnavailable(RETRIES) }),
  );
  const login = useMutation(
    trpc.auth.login.mutationOptions({ retry: retryWhileUnavailable(RETRIES) }),
  );
  const formRef = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<AccountField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const signingUp = mode === "signup";
  // Still busy after success: the form goes as the session begins.
  const busy = signingUp ? !signup.isIdle && !signup.isError : !login.isIdle && !login.isError;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    try {
      const { token, user } = signingUp
        ? await signup.mutateAsync({
            email,
            password,
            ...(name.trim() ? { name: name.trim() } : {}),
          })
        : await login.mutateAsync({ email, password });
      onSignIn({ token, label: user.name || user.email });
    } catch (error) {
      const messages = messagesByField(explain(describeFailure(error)), FIELDS);
      setFieldErrors(messages.fieldErrors);
      setFormError(messages.formError);
      focusFirstInvalid(formRef.current);
    }
  }

  return (
    <form
      ref={formRef}
      className="stack"
      aria-label={signingUp ? "Sign up" : "Log in"}
      onSubmit={submit}
      noValidate
    >
      {signingUp ? (
        <Field label="Name" error={fieldErrors.name} hint="Optional">
          {(control) => (
            <input
              {...control}
              name="name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              autoComplete="name"
            />
          )}
        </Field>
      ) : null}
      <Field label="Email" error={fieldErrors.email}>
        {(control) => (
          <input
            {...control}
            type="email"
            name="email"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            autoComplete="email"
            required
          />
        )}
      </Field>
      <Field label="Password" error={fieldErrors.password}>
        {(control) => (
          <input
            {...control}
            type="password"
            name="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            autoComplete={signingUp ? "new-password" : "current-password"}
            required
          />
        )}
      </Field>
      <FormError message={formError} />
      <button type="submit" className="button-primary button-block" disabled={busy}>
        {busy ? "One moment…" : signingUp ? "Create account" : "Log in"}
      </button>
    </form>
  );
}

/** The account procedures' failures, said for this form. */
function explain(failure: ApiFailure): ApiFailure {
  switch (failure.kind) {
    case "conflict":
      // "Email already registered" belongs next to the email.
      return {
        ...failure,
        kind: "invalid",
        issues: [{ field: "email", message: failure.message }],
      };
    case "not-found":
      return {
        ...failure,
        message: "This server has no accounts. Use a token from elsewhere instead.",
      };
    case "unavailable":
      return { ...failure, message: `${failure.message} Please try again in a moment.` };
    default:
      return failure;
  }
}
