import { CheckCircle2Icon, Loader2Icon, MonitorSmartphoneIcon } from "lucide-react";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormAlert } from "@/features/auth/form-alert";
import { FormField } from "@/features/auth/form-field";
import { useSession, useSessionStore } from "@/features/auth/session-context";
import { useAuthForm } from "@/features/auth/use-auth-form";
import { accountApi, type AccountApi, type SessionInfo } from "@/lib/account-api";
import { ApiError } from "@/lib/api";
import { NotificationSettingsCard } from "./notification-settings-card";
import type { NotificationSettingsApi } from "./notification-settings";

const PASSWORD_FIELDS = ["currentPassword", "newPassword"] as const;
const EMAIL_FIELDS = ["newEmail", "password"] as const;

function Done({ children }: { children: string }) {
  return (
    <p className="flex items-start gap-2 text-sm" role="status">
      <CheckCircle2Icon className="mt-0.5 size-4 shrink-0 text-primary" aria-hidden />
      <span>{children}</span>
    </p>
  );
}

function ChangePasswordCard({ api }: { api: AccountApi }) {
  const store = useSessionStore();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [done, setDone] = useState(false);
  const form = useAuthForm(PASSWORD_FIELDS);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    const result = await form.submit(async () => {
      const firebaseToken = await store.authorized((token) => api.changePassword(token, current, next));
      await store.renewFirebaseSignIn(firebaseToken);
    });
    if (result === "ok") {
      setCurrent("");
      setNext("");
      setDone(true);
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Password</CardTitle>
        <CardDescription>Changing it logs you out on your other devices.</CardDescription>
      </CardHeader>
      <CardContent>
        <form className="grid gap-4" onSubmit={onSubmit} noValidate>
          <FormAlert message={form.formError} />
          {done ? <Done>Your password is changed. Your other devices were logged out.</Done> : null}
          <FormField
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(event) => setCurrent(event.target.value)}
            error={form.fieldErrors.currentPassword}
          />
          <FormField
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(event) => setNext(event.target.value)}
            error={form.fieldErrors.newPassword}
          />
          <Button
            busy={form.submitting}
            type="submit"
            className="justify-self-start"
            disabled={form.throttled || !current || !next}
          >
            Change password
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

function ChangeEmailCard({ api }: { api: AccountApi }) {
  const store = useSessionStore();
  const { user } = useSession();
  const [newEmail, setNewEmail] = useState("");
  const [password, setPassword] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useAuthForm(EMAIL_FIELDS);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const address = newEmail.trim();
    const result = await form.submit(() =>
      store.authorized((token) => api.requestEmailChange(token, address, password)),
    );
    if (result === "ok") {
      setSentTo(address);
      setNewEmail("");
      setPassword("");
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Email</CardTitle>
        <CardDescription>
          {user?.email} · {user?.emailVerified ? "confirmed" : "not confirmed yet"}. A new address replaces it once you
          open the link we mail there.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form className="grid gap-4" onSubmit={onSubmit} noValidate>
          <FormAlert message={form.formError} />
          {sentTo ? <Done>{`We sent a link to ${sentTo}. Your address changes when you open it.`}</Done> : null}
          <FormField
            label="New email"
            name="newEmail"
            type="email"
            autoComplete="email"
            value={newEmail}
            onChange={(event) => setNewEmail(event.target.value)}
            error={form.fieldErrors.newEmail}
          />
          <FormField
            label="Your password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            error={form.fieldErrors.password}
          />
          <Button
            busy={form.submitting}
            type="submit"
            className="justify-self-start"
            disabled={form.throttled || !newEmail.trim() || !password}
          >
            Change email
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function SessionsCard({ api }: { api: AccountApi }) {
  const store = useSessionStore();
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    () =>
      store
        .authorized((token) => api.listSessions(token))
        .then(
          (loaded) => {
            setSessions(loaded);
            setProblem(null);
          },
          () => setProblem("Couldn't load your sessions. Please try again."),
        ),
    [api, store],
  );

  useEffect(() => {
    void load();
  }, [load]);

  async function act(action: () => Promise<void>) {
    setBusy(true);
    try {
      await action();
      await load();
    } catch {
      setProblem("That didn't work. Please try again.");
    } finally {
      setBusy(false);
    }
  }

  const others = sessions?.filter((session) => !session.current) ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Where you're logged in</CardTitle>
        <CardDescription>End a session you don't recognise; that device has to log in again.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        <FormAlert message={problem} />
        {sessions === null && !problem ? (
          <Loader2Icon className="size-4 animate-spin" aria-label="Loading sessions" />
        ) : null}
        <ul className="grid gap-2" aria-label="Sessions">
          {sessions?.map((session) => (
            <li key={session.id} className="flex items-center gap-3 rounded-md border px-3 py-2 text-sm">
              <MonitorSmartphoneIcon className="size-4 shrink-0 text-muted-foreground" aria-hidden />
              <div className="min-w-0 flex-1">
                <p className="truncate font-medium">
                  {session.device}
                  {session.current ? <span className="ml-2 text-xs font-normal text-primary">This device</span> : null}
                </p>
                <p className="text-xs text-muted-foreground">
                  Since {WHEN.format(new Date(session.createdAt))} · last used{" "}
                  {WHEN.format(new Date(session.lastUsedAt))}
                </p>
              </div>
              {session.current ? null : (
                <Button
                  variant="outline"
                  size="sm"
                  disabled={busy}
                  aria-label={`Log out ${session.device}`}
                  onClick={() => act(() => store.authorized((token) => api.revokeSession(token, session.id)))}
                >
                  Log out
                </Button>
              )}
            </li>
          ))}
        </ul>
        {others.length > 0 ? (
          <Button
            variant="outline"
            className="justify-self-start"
            disabled={busy}
            onClick={() =>
              act(async () => {
                const firebaseToken = await store.authorized((token) => api.revokeOtherSessions(token));
                await store.renewFirebaseSignIn(firebaseToken);
              })
            }
          >
            Log out everywhere else
          </Button>
        ) : null}
      </CardContent>
    </Card>
  );
}

function ExportCard({ api }: { api: AccountApi }) {
  const store = useSessionStore();
  const { user } = useSession();
  const [state, setState] = useState<"idle" | "sending" | "sent" | "throttled" | "failed">("idle");

  async function request() {
    setState("sending");
    try {
      await store.authorized((token) => api.requestDataExport(token));
      setState("sent");
    } catch (error) {
      setState(error instanceof ApiError && error.code === "RESOURCE_EXHAUSTED" ? "throttled" : "failed");
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Your data</CardTitle>
        <CardDescription>
          A ZIP with your profile, your rooms, the messages you sent and your uploads. We mail you a link to it when it
          is ready; the link works for 24 hours.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {state === "sent" ? <Done>{`We're preparing it and will mail ${user?.email ?? "you"} a link.`}</Done> : null}
        <FormAlert
          message={
            state === "throttled"
              ? "You asked twice today already; try again tomorrow."
              : state === "failed"
                ? "That didn't work. Please try again."
                : null
          }
        />
        <Button busy={state === "sending"} variant="outline" className="justify-self-start" onClick={request}>
          Email me a copy of my data
        </Button>
      </CardContent>
    </Card>
  );
}

const DELETE_FIELDS = ["password"] as const;
const CONFIRMATION = "delete my account";

function DeleteAccountCard({ api }: { api: AccountApi }) {
  const store = useSessionStore();
  const [password, setPassword] = useState("");
  const [typed, setTyped] = useState("");
  const form = useAuthForm(DELETE_FIELDS);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const result = await form.submit(() => store.authorized((token) => api.deleteAccount(token, password)));
    // The account is gone: end the local session; the route guard shows the log-in page.
    if (result === "ok") await store.logout();
  }

  return (
    <Card className="border-destructive/40">
      <CardHeader>
        <CardTitle>Delete account</CardTitle>
        <CardDescription>
          Removes your profile, rooms list, notifications and files, and logs you out everywhere. Messages you sent stay
          in their conversations, shown as sent by "Deleted user". This cannot be undone.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form className="grid gap-4" onSubmit={onSubmit} noValidate>
          <FormAlert message={form.formError} />
          <FormField
            label="Your password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            error={form.fieldErrors.password}
          />
          <FormField
            label={`Type "${CONFIRMATION}" to confirm`}
            name="confirmation"
            autoComplete="off"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
          />
          <Button
            busy={form.submitting}
            type="submit"
            variant="destructive"
            className="justify-self-start"
            disabled={form.throttled || !password || typed.trim().toLowerCase() !== CONFIRMATION}
          >
            Delete my account
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

export function AccountSettingsPage({
  api = accountApi(),
  notifications,
}: {
  api?: AccountApi;
  notifications?: NotificationSettingsApi;
}) {
  return (
    <div className="mx-auto grid max-w-2xl gap-6 p-4 sm:p-6">
      <h1 className="text-2xl font-semibold">Account settings</h1>
      <ChangePasswordCard api={api} />
      <ChangeEmailCard api={api} />
      <NotificationSettingsCard api={notifications} />
      <SessionsCard api={api} />
      <ExportCard api={api} />
      <DeleteAccountCard api={api} />
    </div>
  );
}
