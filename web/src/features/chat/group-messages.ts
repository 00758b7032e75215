import type { Message } from "./types";
import { formatDate } from "@/lib/time-format";

/** Consecutive messages from one sender closer together than this share one header. */
export const GROUP_WINDOW_MS = 5 * 60 * 1000;

export type TimelineItem =
  | { kind: "day"; key: string; date: Date }
  | {
      kind: "group";
      key: string;
      senderId: string;
      senderName: string;
      senderAvatarUrl: string | null;
      messages: Message[];
    }
  | { kind: "system"; key: string; message: Message };

function dayKey(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/**
 * Turns messages (oldest first) into a timeline of day separators and sender groups, in the
 * viewer's local time zone.
 *
 * Given the timeline built before, a group keeps the key it had (the key of the earlier group
 * that held one of its messages), so a row keeps its identity while its first message leaves
 * a live window or new messages join it: in a busy room the row is not unmounted and rebuilt,
 * and the virtualised list keeps its measured height.
 */
export function buildTimeline(messages: readonly Message[], previous?: readonly TimelineItem[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  const groups: Extract<TimelineItem, { kind: "group" }>[] = [];
  let currentDay: string | null = null;
  let group: Extract<TimelineItem, { kind: "group" }> | null = null;

  for (const message of messages) {
    const day = dayKey(message.createdAt);
    if (day !== currentDay) {
      currentDay = day;
      group = null;
      items.push({ kind: "day", key: `day-${day}`, date: message.createdAt });
    }
    if (message.system) {
      items.push({ kind: "system", key: `system-${message.id}`, message });
      group = null;
      continue;
    }
    const last = group?.messages[group.messages.length - 1];
    const continuesGroup =
      group !== null &&
      last !== undefined &&
      group.senderId === message.senderId &&
      message.createdAt.getTime() - last.createdAt.getTime() < GROUP_WINDOW_MS;
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
      groups.push(group);
    }
  }
  if (!previous || previous.length === 0) return items;
  keepGroupKeys(groups, previous);
  // Rows that did not change are the same objects as before, so memoised rows skip them.
  const before = new Map(previous.map((item) => [item.key, item]));
  return items.map((item) => {
    const earlier = before.get(item.key);
    return earlier && sameItem(earlier, item) ? earlier : item;
  });
}

function sameItem(a: TimelineItem, b: TimelineItem): boolean {
  if (a.kind === "day" || b.kind === "day") return a.kind === b.kind; // same key: same day
  if (a.kind === "system" || b.kind === "system")
    return a.kind === "system" && b.kind === "system" && a.message === b.message;
  return (
    a.senderId === b.senderId &&
    a.senderName === b.senderName &&
    a.senderAvatarUrl === b.senderAvatarUrl &&
    a.messages.length === b.messages.length &&
    a.messages.every((message, index) => message === b.messages[index])
  );
}

/** buildTimeline for a list that changes over time: each timeline is built with the one
 * before (keys kept), and the same messages array gives back the same timeline. */
export function timelineBuilder(): (messages: readonly Message[]) => TimelineItem[] {
  let lastMessages: readonly Message[] | null = null;
  let timeline: TimelineItem[] = [];
  return (messages) => {
    if (messages !== lastMessages) {
      timeline = buildTimeline(messages, timeline);
      lastMessages = messages;
    }
    return timeline;
  };
}

/** Gives each group the key of the earlier group that held its earliest message still held
 * by one, unless an earlier group here took that key first; keys stay unique. */
function keepGroupKeys(groups: Extract<TimelineItem, { kind: "group" }>[], previous: readonly TimelineItem[]) {
  const keyOf = new Map<string, string>();
  for (const item of previous)
    if (item.kind === "group") for (const message of item.messages) keyOf.set(message.id, item.key);
  const used = new Set<string>();
  for (const group of groups) {
    let key: string | undefined;
    for (const message of group.messages) {
      const earlier = keyOf.get(message.id);
      if (earlier !== undefined && !used.has(earlier)) {
        key = earlier;
        break;
      }
    }
    key ??= group.key;
    // A new group's own key can be one a kept group already took (its first message used to
    // start that group): number it apart.
    for (let suffix = 2; used.has(key); suffix++) key = `${group.key}-${suffix}`;
    group.key = key;
    used.add(key);
  }
}

export function formatDayLabel(date: Date, now: Date = new Date()): string {
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const startOfDay = new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  const daysAgo = Math.round((startOfToday - startOfDay) / 86_400_000);
  if (daysAgo === 0) return "Today";
  if (daysAgo === 1) return "Yesterday";
  return formatDate(date, date.getFullYear() === now.getFullYear() ? "dayLong" : "dayLongWithYear");
}

export function formatMessageTime(date: Date): string {
  return formatDate(date, "time");
}
