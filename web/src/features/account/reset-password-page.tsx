import { CheckCircle2Icon } from "lucide-react";
import { useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { Button } from "@/components/ui/button";
import { AuthLayout } from "@/features/auth/auth-layout";
import { FormAlert } from "@/features/auth/form-alert";
import { FormField } from "@/features/auth/form-field";
import { useAuthForm } from "@/features/auth/use-auth-form";
import { accountApi, type AccountApi } from "@/lib/account-api";

const FIELDS = ["password"] as const;

export function ResetPasswordPage({ api = accountApi() }: { api?: AccountApi }) {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [done, setDone] = useState(false);
  const form = useAuthForm(FIELDS);
  const input = useRef<HTMLInputElement>(null);
  const mismatch = confirmation !== "" && confirmation !== password;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (mismatch) return;
    const result = await form.submit(() => api.resetPassword(token, password));
    if (result === "ok") setDone(true);
    else if (result) input.current?.focus();
  }

  const footer = (
    <Link
      to={done ? "/login" : "/forgot-password"}
      className="font-medium text-primary underline-offset-4 hover:underline"
    >
      {done ? "Log in" : "Ask for a new link"}
    </Link>
  );

  if (done) {
    return (
      <AuthLayout title="Password changed" description="You were logged out everywhere." footer={footer}>
        <p className="flex items-start gap-2 text-sm" role="status">
          <CheckCircle2Icon className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden />
          <span>Your new password is set. Log in with it on each of your devices.</span>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Choose a new password"
      description="At least 8 characters, not one of the most common."
      footer={footer}
    >
      <form className="grid gap-4" onSubmit={onSubmit} noValidate>
        <FormAlert message={token ? form.formError : "This link has no token. Ask for a new one."} />
        <FormField
          ref={input}
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(event) => {
            setPassword(event.target.value);
            form.clearFieldError("password");
          }}
          error={form.fieldErrors.password}
        />
        <FormField
          label="Repeat the new password"
          name="confirmation"
          type="password"
          autoComplete="new-password"
          required
          value={confirmation}
          onChange={(event) => setConfirmation(event.target.value)}
          error={mismatch ? "The two passwords differ" : undefined}
        />
        <Button
          busy={form.submitting}
          type="submit"
          disabled={!token || form.throttled || !password || mismatch || !confirmation}
        >
          Set new password
        </Button>
      </form>
    </AuthLayout>
  );
}
