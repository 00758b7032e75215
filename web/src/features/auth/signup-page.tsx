import { useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { AuthLayout } from "./auth-layout";
import { FormAlert } from "./form-alert";
import { FormField } from "./form-field";
import { useSessionStore } from "./session-context";
import { focusField, useAuthForm } from "./use-auth-form";

const FIELDS = ["email", "username", "displayName", "password"] as const;
type Field = (typeof FIELDS)[number];
const NO_ALIASES: Record<string, Field> = {};

export function SignupPage() {
  const store = useSessionStore();
  const [values, setValues] = useState<Record<Field, string>>({
    email: "",
    username: "",
    displayName: "",
    password: "",
  });
  const form = useAuthForm(FIELDS, NO_ALIASES);
  const formElement = useRef<HTMLFormElement>(null);

  function bind(field: Field) {
    return {
      name: field,
      value: values[field],
      error: form.fieldErrors[field],
      onChange: (event: React.ChangeEvent<HTMLInputElement>) => {
        const value = event.target.value;
        setValues((current) => ({ ...current, [field]: value }));
        form.clearFieldError(field);
      },
    };
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const result = await form.submit(() =>
      store.register({
        email: values.email.trim(),
        username: values.username.trim(),
        displayName: values.displayName.trim() || values.username.trim(),
        password: values.password,
      }),
    );
    // On success <SignedOutOnly> moves on to the app.
    if (result && result !== "ok") focusField(formElement.current, result);
  }

  const complete = values.email.trim() && values.username.trim() && values.password;

  return (
    <AuthLayout
      title="Create your account"
      description="It takes less than a minute."
      footer={
        <span>
          Already have an account?{" "}
          <Link to="/login" className="font-medium text-primary underline-offset-4 hover:underline">
            Log in
          </Link>
        </span>
      }
    >
      <form ref={formElement} className="grid gap-4" onSubmit={onSubmit} noValidate>
        <FormAlert message={form.formError} />
        <FormField label="Email" type="email" autoComplete="email" required {...bind("email")} />
        <FormField
          label="Username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          hint="Others can find and @mention you by this name."
          {...bind("username")}
        />
        <FormField
          label="Display name"
          autoComplete="name"
          hint="Shown next to your messages."
          {...bind("displayName")}
        />
        <FormField label="Password" type="password" autoComplete="new-password" required {...bind("password")} />
        <Button busy={form.submitting} type="submit" disabled={form.throttled || !complete}>
          Create account
        </Button>
      </form>
    </AuthLayout>
  );
}
