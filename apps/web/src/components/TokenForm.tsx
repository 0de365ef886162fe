import { useMutation } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";

import { describeFailure, messagesByField } from "../api-failure.js";
import { focusFirstInvalid } from "../focus-first-invalid.js";
import { retryWhileUnavailable } from "../query-client.js";
import { tokenUserId } from "../jwt-claims.js";
import type { Session } from "../session.js";
import { createClientWithToken } from "../task-client.js";
import { Field } from "./Field.js";
import { FormError } from "./FormError.js";

/**
 * Sign in with a Bearer token got elsewhere (a Better Auth frontend, or
 * `pnpm -s dev:token <user_id>`). The token is tried on the API first, so a
 * refused one is reported here rather than after leaving the screen.
 */
export function TokenForm({ onSignIn }: { onSignIn: (session: Session) => void }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  // The trial runs on a client of its own, with the candidate token: the
  // app's client sends the session's, and there is none yet.
  const trial = useMutation({
    mutationFn: (candidate: string) =>
      createClientWithToken(() => candidate).task.list.query({ limit: 1 }),
    retry: retryWhileUnavailable(2),
  });
  const busy = !trial.isIdle && !trial.isError;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const candidate = token.trim().replace(/^Bearer\s+/i, "");
    try {
      await trial.mutateAsync(candidate);
      onSignIn({ token: candidate, label: tokenUserId(candidate) ?? "token user" });
    } catch (caught) {
      const failure = describeFailure(caught);
      if (failure.kind === "unauthorized") {
        setError(`The server refused this token: ${failure.message}.`);
        setFormError(null);
      } else {
        setError(null);
        setFormError(messagesByField(failure, []).formError);
      }
      focusFirstInvalid(formRef.current);
    }
  }

  return (
    <form ref={formRef} className="stack" aria-label="Use a token" onSubmit={submit} noValidate>
      <Field label="Bearer token" error={error} hint="A JWT the API accepts">
        {(control) => (
          <textarea
            {...control}
            name="token"
            className="token-input"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            onKeyDown={(event) => {
              // A token is one line: Enter submits, as in any single-line field.
              if (event.key === "Enter" && !event.shiftKey) {
                event.preventDefault();
                event.currentTarget.form?.requestSubmit();
              }
            }}
            rows={3}
            spellCheck={false}
            autoComplete="off"
            placeholder="eyJhbGciOiJIUzI1NiIs…"
            required
          />
        )}
      </Field>
      <FormError message={formError} />
      <button type="submit" className="button-secondary button-block" disabled={busy}>
        {busy ? "Checking…" : "Use token"}
      </button>
    </form>
  );
}
