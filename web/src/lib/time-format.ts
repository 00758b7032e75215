// One Intl.DateTimeFormat per format for the whole app: building one (as toLocaleTimeString
// does on every call) costs far more than formatting with it, and lists format a time per row.
const formats = {
  time: { hour: "numeric", minute: "2-digit" },
  weekdayShort: { weekday: "short" },
  monthDay: { month: "short", day: "numeric" },
  dayLong: { weekday: "long", month: "long", day: "numeric" },
  dayLongWithYear: { weekday: "long", month: "long", day: "numeric", year: "numeric" },
  dateTime: {
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    second: "2-digit",
  },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

export type DateFormat = keyof typeof formats;

const made = new Map<DateFormat, Intl.DateTimeFormat>();

/** `date` in the user's locale, in one of the app's formats. */
export function formatDate(date: Date, format: DateFormat): string {
  let formatter = made.get(format);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(undefined, formats[format]);
    made.set(format, formatter);
  }
  return formatter.format(date);
}
