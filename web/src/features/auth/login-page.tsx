import { useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { AuthLayout } from "./auth-layout";
import { FormAlert } from "./form-alert";
import { FormField } from "./form-field";
import { useSession, useSessionStore } from "./session-context";
import { focusField, useAuthForm } from "./use-auth-form";

const FIELDS = ["login", "password"] as const;
const FIELD_ALIASES: Record<string, (typeof FIELDS)[number]> = { email: "login", username: "login" };

export function LoginPage() {
  const store = useSessionStore();
  const { endedReason } = useSession();
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const form = useAuthForm(FIELDS, FIELD_ALIASES);
  const formElement = useRef<HTMLFormElement>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const result = await form.submit(() => store.login({ login: login.trim(), password }));
    // On success <SignedOutOnly> moves on to the app.
    if (result && result !== "ok") focusField(formElement.current, result);
  }

  return (
    <AuthLayout
      title="Welcome back"
      description="Log in to pick up your conversations."
      footer={
        <span>
          New to FlowChat?{" "}
          <Link to="/signup" className="font-medium text-primary underline-offset-4 hover:underline">
            Create an account
          </Link>
        </span>
      }
    >
      <form ref={formElement} className="grid gap-4" onSubmit={onSubmit} noValidate>
        <FormAlert message={form.formError ?? endedReason} />
        <FormField
          label="Email or username"
          name="login"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={login}
          onChange={(event) => {
            setLogin(event.target.value);
            form.clearFieldError("login");
          }}
          error={form.fieldErrors.login}
        />
        <FormField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => {
            setPassword(event.target.value);
            form.clearFieldError("password");
          }}
          error={form.fieldErrors.password}
        />
        <Link
          to="/forgot-password"
          className="-mt-2 justify-self-end text-sm text-primary underline-offset-4 hover:underline"
        >
          Forgot your password?
        </Link>
        <Button busy={form.submitting} type="submit" disabled={form.throttled || !login.trim() || !password}>
          Log in
        </Button>
      </form>
    </AuthLayout>
  );
}
