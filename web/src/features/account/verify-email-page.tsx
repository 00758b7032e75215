import { CheckCircle2Icon, Loader2Icon } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { AuthLayout } from "@/features/auth/auth-layout";
import { FormAlert } from "@/features/auth/form-alert";
import { useSession, useSessionStore } from "@/features/auth/session-context";
import { accountApi, type AccountApi } from "@/lib/account-api";
import { ApiError } from "@/lib/api";

type Outcome = { state: "checking" } | { state: "done" } | { state: "failed"; message: string };

const NO_TOKEN: Outcome = { state: "failed", message: "This link has no token. Ask for a new one from the app." };

/** Opened from the confirmation mail, signed in or not. */
export function VerifyEmailPage({ api = accountApi() }: { api?: AccountApi }) {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const store = useSessionStore();
  const { status } = useSession();
  const [outcome, setOutcome] = useState<Outcome>(token ? { state: "checking" } : NO_TOKEN);
  const spent = useRef(false); // the link works once: never send it twice (StrictMode runs effects twice)

  useEffect(() => {
    if (spent.current) return;
    spent.current = true;
    if (!token) return;
    api.verifyEmail(token).then(
      (user) => {
        if (store.getState().user?.id === user.id) store.setUser(user);
        setOutcome({ state: "done" });
      },
      (error: unknown) =>
        setOutcome({
          state: "failed",
          message: error instanceof ApiError ? capitalise(error.message) : "Something went wrong. Please try again.",
        }),
    );
  }, [api, store, token]);

  const footer = (
    <Link
      to={status === "signed-in" ? "/" : "/login"}
      className="font-medium text-primary underline-offset-4 hover:underline"
    >
      {status === "signed-in" ? "Go to your conversations" : "Log in"}
    </Link>
  );
  return (
    <AuthLayout title="Confirm your email" description="One click from the mail we sent you." footer={footer}>
      {outcome.state === "checking" ? (
        <p className="flex items-center gap-2 text-sm" role="status">
          <Loader2Icon className="size-4 animate-spin" aria-hidden /> Confirming…
        </p>
      ) : outcome.state === "done" ? (
        <p className="flex items-start gap-2 text-sm" role="status">
          <CheckCircle2Icon className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden />
          <span>Your email address is confirmed. Thank you!</span>
        </p>
      ) : (
        <FormAlert message={outcome.message} />
      )}
    </AuthLayout>
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
