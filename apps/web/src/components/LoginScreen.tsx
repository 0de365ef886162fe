import { Fragment, useState, type ReactNode } from "react";

import type { AccountMode } from "./AccountForm.js";
import { Brand } from "./Brand.js";

interface LoginScreenProps {
  /** Why the user is here again, e.g. an expired session. */
  notice: string | null;
  /** The log-in or sign-up form of whoever keeps the accounts (see AccountForm). */
  accountForm: (mode: AccountMode) => ReactNode;
  /** Another way in, e.g. a pasted token; none when absent. */
  children?: ReactNode;
}

export function LoginScreen({ notice, accountForm, children }: LoginScreenProps) {
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
        {/* A fresh form for each mode: nothing typed or said carries over. */}
        <Fragment key={mode}>{accountForm(mode)}</Fragment>
        {children}
      </div>
    </main>
  );
}
