import { useState } from "react";

import type { Session } from "../session.js";
import { Brand } from "./Brand.js";
import { AccountForm, type AccountMode } from "./AccountForm.js";
import { TokenForm } from "./TokenForm.js";

interface LoginScreenProps {
  /** Why the user is here again, e.g. an expired session. */
  notice: string | null;
  onSignIn: (session: Session) => void;
}

export function LoginScreen({ notice, onSignIn }: LoginScreenProps) {
  const [mode, setMode] = useState<AccountMode>("login");
  return (
    <main className="login">
      <div className="card login-card">
        <Brand large />
        <h1 className="login-title">{mode === "login" ? "Welcome back" : "Create your account"}</h1>
        {notice ? (
          <p className="notice notice-warning" role="alert">
            {notice}
          </p>
        ) : null}
        <div className="switch" role="group" aria-label="Account">
          <button type="button" aria-pressed={mode === "login"} onClick={() => setMode("login")}>
            Log in
          </button>
          <button type="button" aria-pressed={mode === "signup"} onClick={() => setMode("signup")}>
            Sign up
          </button>
        </div>
        <AccountForm key={mode} mode={mode} onSignIn={onSignIn} />
        <details className="token-login">
          <summary>Have a token from elsewhere?</summary>
          <TokenForm onSignIn={onSignIn} />
        </details>
      </div>
    </main>
  );
}
