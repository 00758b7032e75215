import type { Message } from "./types";

/** Consecutive messages from one sender closer together than this share one header. */
export const GROUP_WINDOW_MS = 5 * 60 * 1000;

export type TimelineItem =
  | { kind: "day"; key: string; date: Date }
  | { kind: "group"; key: string; senderId: string; senderName: string; senderAvatarUrl: string | null; messages: Message[] };

function dayKey(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/**
 * Turns messages (oldest first) into a timeline of day separators and sender groups, in the
 * viewer's local time zone.
 */
export function buildTimeline(messages: readonly Message[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  let currentDay: string | null = null;
  let group: Extract<TimelineItem, { kind: "group" }> | null = null;

  for (const message of messages) {
    const day = dayKey(message.createdAt);
    if (day !== currentDay) {
      currentDay = day;
      group = null;
      items.push({ kind: "day", key: `day-${day}`, date: message.createdAt });
    }
    const previous = group?.messages[group.messages.length - 1];
    const continuesGroup =
      group !== null &&
      previous !== undefined &&
      group.senderId === message.senderId &&
      message.createdAt.getTime() - previous.createdAt.getTime() < GROUP_WINDOW_MS;
    if (continuesGroup && group) {
      group.messages.push(message);
    } else {
      group = {
        kind: "group",
        key: `group-${message.id}`,
        senderId: message.senderId,
        senderName: message.senderName,
        senderAvatarUrl: message.senderAvatarUrl,
        messages: [message],
      };
      items.push(group);
    }
  }
  return items;
}

export function formatDayLabel(date: Date, now: Date = new Date()): string {
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const startOfDay = new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  const daysAgo = Math.round((startOfToday - startOfDay) / 86_400_000);
  if (daysAgo === 0) return "Today";
  if (daysAgo === 1) return "Yesterday";
  return date.toLocaleDateString(undefined, {
    weekday: "long",
    month: "long",
    day: "numeric",
    year: date.getFullYear() === now.getFullYear() ? undefined : "numeric",
  });
}

export function formatMessageTime(date: Date): string {
  return date.toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
}
