import { MailWarningIcon } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { useSession, useSessionStore } from "@/features/auth/session-context";
import { accountApi, type AccountApi } from "@/lib/account-api";
import { ApiError } from "@/lib/api";

/** Unconfirmed people can chat; this reminds them, and sends the link again on request. */
export function VerifyEmailBanner({ api = accountApi() }: { api?: AccountApi }) {
  const { user } = useSession();
  const store = useSessionStore();
  const [note, setNote] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  if (!user || user.emailVerified !== false) return null;

  async function resend() {
    setSending(true);
    try {
      await store.authorized((token) => api.requestEmailVerification(token));
      setNote(`Sent. Check ${user?.email ?? "your inbox"}.`);
    } catch (error) {
      setNote(
        error instanceof ApiError && error.code === "RESOURCE_EXHAUSTED"
          ? "You asked several times already; try again later."
          : "Could not send it. Please try again.",
      );
    } finally {
      setSending(false);
    }
  }

  return (
    <div
      className="flex flex-wrap items-center gap-2 border-b bg-amber-50 px-4 py-2 text-sm text-amber-950 dark:bg-amber-950/40 dark:text-amber-100"
      role="region"
      aria-label="Email confirmation"
    >
      <MailWarningIcon className="size-4 shrink-0" aria-hidden />
      <span>Please confirm your email address: we sent you a link.</span>
      <Button variant="link" size="sm" className="h-auto p-0" onClick={resend} disabled={sending}>
        Send it again
      </Button>
      <span aria-live="polite">{note}</span>
    </div>
  );
}
