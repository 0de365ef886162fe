import { useRef, useState, type FormEvent } from "react";

import { describeFailure, messagesByField, type ApiFailure } from "../api-failure.js";
import { focusFirstInvalid } from "../focus-first-invalid.js";
import { retryWhileUnavailable } from "../retry.js";
import type { Session } from "../session.js";
import { client } from "../task-client.js";
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
export function AccountForm({ mode, onSignIn }: AccountFormProps) {
  const formRef = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<AccountField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const signingUp = mode === "signup";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    try {
      const { token, user } = await retryWhileUnavailable(
        () =>
          signingUp
            ? client.auth.signup.mutate({
                email,
                password,
                ...(name.trim() ? { name: name.trim() } : {}),
              })
            : client.auth.login.mutate({ email, password }),
        { attempts: 3 },
      );
      onSignIn({ token, label: user.name || user.email });
    } catch (error) {
      const messages = messagesByField(explain(describeFailure(error)), FIELDS);
      setFieldErrors(messages.fieldErrors);
      setFormError(messages.formError);
      setBusy(false);
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
