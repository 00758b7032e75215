import { CheckCircle2Icon } from "lucide-react";
import { useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { AuthLayout } from "@/features/auth/auth-layout";
import { FormAlert } from "@/features/auth/form-alert";
import { FormField } from "@/features/auth/form-field";
import { useAuthForm } from "@/features/auth/use-auth-form";
import { accountApi, type AccountApi } from "@/lib/account-api";

const FIELDS = ["email"] as const;

function BackToLogin() {
  return (
    <Link to="/login" className="font-medium text-primary underline-offset-4 hover:underline">
      Back to log in
    </Link>
  );
}

export function ForgotPasswordPage({ api = accountApi() }: { api?: AccountApi }) {
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useAuthForm(FIELDS);
  const input = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const address = email.trim();
    const result = await form.submit(() => api.requestPasswordReset(address));
    if (result === "ok") setSentTo(address);
    else if (result) input.current?.focus();
  }

  if (sentTo) {
    return (
      <AuthLayout
        title="Check your email"
        description="The link in it lets you choose a new password."
        footer={<BackToLogin />}
      >
        <p className="flex items-start gap-2 text-sm" role="status">
          <CheckCircle2Icon className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden />
          <span>
            If an account uses <strong>{sentTo}</strong>, a reset link is on its way. It works once, for 30 minutes.
          </span>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Forgot your password?"
      description="Enter your account's email address and we'll send you a link to choose a new one."
      footer={<BackToLogin />}
    >
      <form className="grid gap-4" onSubmit={onSubmit} noValidate>
        <FormAlert message={form.formError} />
        <FormField
          ref={input}
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            form.clearFieldError("email");
          }}
          error={form.fieldErrors.email}
        />
        <Button busy={form.submitting} type="submit" disabled={form.throttled || !email.trim()}>
          Send reset link
        </Button>
      </form>
    </AuthLayout>
  );
}
