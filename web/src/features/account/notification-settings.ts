// Notification settings on the `getNotificationSettings` / `updateNotificationSettings`
// callables: missed-message emails on or off, and quiet hours in the person's time zone.
// firebase/functions loads on first use, so the settings page does not carry it up front.

export interface QuietHours {
  /** "22:00", local time of `timeZone`. */
  start: string;
  /** "07:00"; earlier than `start` means the quiet hours run over midnight. */
  end: string;
  /** IANA name, "Europe/Paris". */
  timeZone: string;
}

export interface NotificationSettings {
  emailMissedMessages: boolean;
  quietHours: QuietHours | null;
}

export interface NotificationSettingsApi {
  get(): Promise<NotificationSettings>;
  update(settings: NotificationSettings): Promise<NotificationSettings>;
}

async function call(name: string, data: object): Promise<NotificationSettings> {
  const [{ httpsCallable }, { roomFunctions }] = await Promise.all([
    import("firebase/functions"),
    import("@/features/chat/firestore/room-functions"),
  ]);
  const result = await httpsCallable<object, NotificationSettings>(roomFunctions(), name)(data);
  return result.data;
}

export function notificationSettingsApi(): NotificationSettingsApi {
  return {
    get: () => call("getNotificationSettings", {}),
    update: (settings) => call("updateNotificationSettings", settings),
  };
}

/** The browser's time zone, the default for new quiet hours. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Every IANA time zone the browser knows, with `current` among them. */
export function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return known.includes(current) ? known : [current, ...known];
}
