import { useRef, useState, type FormEvent } from "react";

import { messagesByField, type ApiFailure } from "../api-failure.js";
import { focusFirstInvalid } from "../focus-first-invalid.js";
import { Field } from "./Field.js";
import { FormError } from "./FormError.js";

export type AccountMode = "login" | "signup";

/** What the form asks for; `name` is trimmed, and empty when not given (or logging in). */
export interface AccountInput {
  email: string;
  password: string;
  name: string;
}

const FIELDS = ["email", "password", "name"] as const;
type AccountField = (typeof FIELDS)[number];

interface AccountFormProps {
  mode: AccountMode;
  /** Still true after success: the form goes as the session begins. */
  busy: boolean;
  /** Logs in or signs up; resolves to the failure to show, or null. */
  onSubmit: (input: AccountInput) => Promise<ApiFailure | null>;
}

/** Log in or sign up: the fields, and each problem under its field. Who keeps the accounts is the caller's. */
export function AccountForm({ mode, busy, onSubmit }: AccountFormProps) {
  const formRef = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<AccountField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const signingUp = mode === "signup";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const failure = await onSubmit({ email, password, name: signingUp ? name.trim() : "" });
    if (!failure) return;
    const messages = messagesByField(explain(failure), FIELDS);
    setFieldErrors(messages.fieldErrors);
    setFormError(messages.formError);
    focusFirstInvalid(formRef.current);
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
