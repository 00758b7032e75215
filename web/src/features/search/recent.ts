// What the person opened lately through the quick switcher or a conversation, newest first,
// per user and per browser.
export type RecentItem = { kind: "room"; id: string } | { kind: "person"; username: string };

const LIMIT = 20;

function key(userId: string): string {
  return `flowchat.recent.${userId}`;
}

function same(a: RecentItem, b: RecentItem): boolean {
  return a.kind === "room" ? b.kind === "room" && a.id === b.id : b.kind === "person" && a.username === b.username;
}

export function recentItems(userId: string, storage: Storage = localStorage): RecentItem[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(key(userId)) ?? "[]");
    return Array.isArray(parsed)
      ? (parsed as RecentItem[]).filter((item) => item && (item.kind === "room" || item.kind === "person"))
      : [];
  } catch {
    return [];
  }
}

export function rememberRecent(userId: string, item: RecentItem, storage: Storage = localStorage): void {
  const items = [item, ...recentItems(userId, storage).filter((other) => !same(other, item))].slice(0, LIMIT);
  try {
    storage.setItem(key(userId), JSON.stringify(items));
  } catch {
    // A full or disabled storage only loses the ordering.
  }
}
