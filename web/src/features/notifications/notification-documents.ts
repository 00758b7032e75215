// Firestore notification documents → the UI's AppNotification, and which ones are new.
// Pure: no Firebase imports (tested in notification-documents.test.ts).
import type { AppNotification, NotificationsPage } from "./types";

interface TimestampLike {
  toDate(): Date;
}

/** The fields the message trigger writes; anything may be missing in a damaged document. */
export interface NotificationFields {
  type?: unknown;
  roomId?: unknown;
  roomName?: unknown;
  messageId?: unknown;
  senderId?: unknown;
  senderName?: unknown;
  preview?: unknown;
  createdAt?: TimestampLike | null;
  read?: unknown;
  quiet?: unknown;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** null for a document that names no room (nothing to open). */
export function toAppNotification(id: string, data: NotificationFields): AppNotification | null {
  const roomId = text(data.roomId);
  if (!roomId) return null;
  const type = data.type === "direct" ? "direct" : "mention";
  const senderName = text(data.senderName).trim() || "Someone";
  return {
    id,
    type,
    roomId,
    roomName: text(data.roomName).trim() || (type === "direct" ? senderName : "a group"),
    messageId: text(data.messageId) || id.slice(roomId.length + 1),
    senderId: text(data.senderId),
    senderName,
    preview: text(data.preview),
    createdAt: data.createdAt && typeof data.createdAt.toDate === "function" ? data.createdAt.toDate() : null,
    read: data.read === true,
    quiet: data.quiet === true,
  };
}

/** What a notification says in one line, e.g. for a desktop notification's title. */
export function notificationTitle(notification: AppNotification): string {
  return notification.type === "direct"
    ? notification.senderName
    : `${notification.senderName} mentioned you in ${notification.roomName}`;
}

/**
 * Tells notifications that arrived while the app was listening from those that were already
 * there or merely came back into the limited window (when a newer one was marked read).
 * Nothing counts as new until a snapshot from the server has been seen.
 */
export class ArrivalTracker {
  private ready = false;
  private readonly seen = new Set<string>();
  private newest = Number.NEGATIVE_INFINITY;

  /** The notifications of `page` that are new, oldest first. */
  next(page: NotificationsPage): AppNotification[] {
    const arrivals: AppNotification[] = [];
    let newest = this.newest;
    for (const item of page.items) {
      const at = item.createdAt?.getTime() ?? Number.NEGATIVE_INFINITY;
      if (this.ready && !this.seen.has(item.id) && at >= this.newest) arrivals.push(item);
      this.seen.add(item.id);
      if (at > newest) newest = at;
    }
    this.newest = newest;
    if (!page.fromCache) this.ready = true;
    return arrivals.reverse();
  }
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 d ago", then the date. */
export function formatRelativeTime(date: Date | null, now: Date = new Date()): string {
  if (!date) return "just now";
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} d ago`;
  return date.toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    year: now.getFullYear() === date.getFullYear() ? undefined : "numeric",
  });
}

/** The bell's badge: the count, or "N+" when more exist beyond the window. */
export function unreadBadge(page: Pick<NotificationsPage, "items" | "hasMore">): string {
  const count = page.items.length;
  if (count === 0) return "";
  return page.hasMore ? `${count}+` : String(count);
}
