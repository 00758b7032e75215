import { useEffect, useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { FormAlert } from "@/features/auth/form-alert";
import {
  browserTimeZone,
  notificationSettingsApi,
  timeZones,
  type NotificationSettings,
  type NotificationSettingsApi,
} from "./notification-settings";

const DEFAULT_START = "22:00";
const DEFAULT_END = "07:00";

/** The "Notifications" section: missed-message emails and quiet hours. */
export function NotificationSettingsCard({ api: given }: { api?: NotificationSettingsApi }) {
  const [api] = useState(() => given ?? notificationSettingsApi());
  const [email, setEmail] = useState(true);
  const [quiet, setQuiet] = useState(false);
  const [start, setStart] = useState(DEFAULT_START);
  const [end, setEnd] = useState(DEFAULT_END);
  const [timeZone, setTimeZone] = useState(browserTimeZone);
  const [state, setState] = useState<"loading" | "ready" | "saving" | "saved">("loading");
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();

  function show(settings: NotificationSettings) {
    setEmail(settings.emailMissedMessages);
    setQuiet(settings.quietHours !== null);
    if (settings.quietHours) {
      setStart(settings.quietHours.start);
      setEnd(settings.quietHours.end);
      setTimeZone(settings.quietHours.timeZone);
    }
  }

  useEffect(() => {
    let live = true;
    api.get().then(
      (settings) => {
        if (!live) return;
        show(settings);
        setState("ready");
      },
      () => {
        if (!live) return;
        setProblem("Couldn't load your notification settings. Please try again.");
        setState("ready");
      },
    );
    return () => {
      live = false;
    };
  }, [api]);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (quiet && start === end) {
      setProblem("Quiet hours need different start and end times.");
      return;
    }
    setProblem(null);
    setState("saving");
    try {
      show(await api.update({ emailMissedMessages: email, quietHours: quiet ? { start, end, timeZone } : null }));
      setState("saved");
    } catch {
      setProblem("Couldn't save your notification settings. Please try again.");
      setState("ready");
    }
  }

  const disabled = state === "loading" || state === "saving";
  return (
    <Card>
      <CardHeader>
        <CardTitle>Notifications</CardTitle>
        <CardDescription>
          The bell always lists mentions and direct messages. Emails and pushes follow these settings and each room's
          level.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form className="grid gap-4" onSubmit={onSubmit} noValidate aria-busy={state === "loading"}>
          <FormAlert message={problem} />
          {state === "saved" ? (
            <p className="text-sm" role="status">
              Notification settings saved.
            </p>
          ) : null}
          <div className="flex items-start gap-2">
            <input
              id={`${id}-email`}
              type="checkbox"
              className="mt-0.5 size-4 accent-primary"
              checked={email}
              disabled={disabled}
              onChange={(event) => setEmail(event.target.checked)}
            />
            <Label htmlFor={`${id}-email`} className="leading-snug">
              Email me mentions and direct messages I haven't read after 10 minutes
            </Label>
          </div>
          <div className="flex items-start gap-2">
            <input
              id={`${id}-quiet`}
              type="checkbox"
              className="mt-0.5 size-4 accent-primary"
              checked={quiet}
              disabled={disabled}
              onChange={(event) => setQuiet(event.target.checked)}
            />
            <Label htmlFor={`${id}-quiet`} className="leading-snug">
              Quiet hours: no pushes, emails or desktop notifications
            </Label>
          </div>
          {quiet ? (
            <fieldset className="grid gap-3 sm:grid-cols-3" disabled={disabled}>
              <legend className="sr-only">Quiet hours</legend>
              <div className="grid gap-1.5">
                <Label htmlFor={`${id}-start`}>From</Label>
                <Input
                  id={`${id}-start`}
                  type="time"
                  required
                  value={start}
                  onChange={(event) => setStart(event.target.value)}
                />
              </div>
              <div className="grid gap-1.5">
                <Label htmlFor={`${id}-end`}>Until</Label>
                <Input
                  id={`${id}-end`}
                  type="time"
                  required
                  value={end}
                  onChange={(event) => setEnd(event.target.value)}
                />
              </div>
              <div className="grid min-w-0 gap-1.5">
                <Label htmlFor={`${id}-zone`}>Time zone</Label>
                <select
                  id={`${id}-zone`}
                  className="h-9 w-full min-w-0 rounded-md border border-input bg-transparent px-2 text-sm shadow-xs focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
                  value={timeZone}
                  onChange={(event) => setTimeZone(event.target.value)}
                >
                  {timeZones(timeZone).map((zone) => (
                    <option key={zone} value={zone}>
                      {zone}
                    </option>
                  ))}
                </select>
              </div>
            </fieldset>
          ) : null}
          <Button busy={state === "saving"} type="submit" className="justify-self-start" disabled={disabled}>
            Save notification settings
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
