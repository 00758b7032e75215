// What a push message shows: FCM's web push payload → the notification's title, options and
// the address a click opens. Pure, so Vitest checks it; the service worker uses it.
import { messagePath } from "@/lib/links";

export interface PushNotice {
  title: string;
  body: string;
  /** One notification per room: a newer push for the same room replaces the older one. */
  tag: string;
  /** Where a click goes: the message's permalink (a path on this origin). */
  link: string;
}

type Fields = Record<string, unknown>;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value : undefined;
}

/** A path on this origin only: never let a payload send the click elsewhere. */
function samePath(value: string | undefined): string | undefined {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : undefined;
}

/**
 * Reads FCM's payload `{data: {roomId, messageId, title, body, link}, notification?: {title,
 * body}}` (a bare `{roomId, ...}` is accepted too). Null when it is not JSON object data.
 */
export function pushNotice(payload: unknown): PushNotice | null {
  if (!payload || typeof payload !== "object") return null;
  const outer = payload as Fields;
  const data = (outer.data && typeof outer.data === "object" ? outer.data : outer) as Fields;
  const shown = (outer.notification && typeof outer.notification === "object" ? outer.notification : {}) as Fields;
  const roomId = text(data.roomId);
  const messageId = text(data.messageId);
  const link =
    samePath(text(data.link)) ??
    (roomId && messageId ? messagePath(roomId, messageId) : roomId ? `/rooms/${encodeURIComponent(roomId)}` : "/");
  return {
    title: text(data.title) ?? text(shown.title) ?? "FlowChat",
    body: text(data.body) ?? text(shown.body) ?? "New message",
    tag: roomId ? `room:${roomId}` : "flowchat",
    link,
  };
}
