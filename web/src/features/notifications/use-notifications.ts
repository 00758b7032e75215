import { useEffect, useRef, useState } from "react";
import { useChatData } from "@/features/chat/chat-data-context";
import { ArrivalTracker } from "./notification-documents";
import type { AppNotification, NotificationsPage } from "./types";

/** How many unread notifications the bell lists (and counts before showing "N+"). */
export const NOTIFICATION_LIMIT = 20;

export type NotificationsState =
  | { status: "loading" }
  | { status: "unavailable" }
  | { status: "ready"; page: NotificationsPage }
  | { status: "error"; error: Error };

const LOADING: NotificationsState = { status: "loading" };
const UNAVAILABLE: NotificationsState = { status: "unavailable" };

/**
 * The current user's unread notifications, live. `onArrival` is called for each one that
 * arrives after the first snapshot from the server (not for those already there).
 */
export function useNotifications(
  onArrival?: (notification: AppNotification) => void,
  limit = NOTIFICATION_LIMIT,
): NotificationsState {
  const source = useChatData();
  // Each answer keeps the watch (source and limit) it came from: a new watch reads as loading
  // until its first page, and nothing from an older one shows.
  const [answer, setAnswer] = useState<{ source: typeof source; limit: number; state: NotificationsState } | null>(
    null,
  );
  const arrival = useRef(onArrival);
  useEffect(() => {
    arrival.current = onArrival;
  });

  useEffect(() => {
    if (!source?.watchNotifications) return;
    const tracker = new ArrivalTracker();
    return source.watchNotifications(limit, {
      next: (page) => {
        setAnswer({ source, limit, state: { status: "ready", page } });
        for (const item of tracker.next(page)) arrival.current?.(item);
      },
      error: (error) => setAnswer({ source, limit, state: { status: "error", error } }),
    });
  }, [source, limit]);

  const current = answer !== null && answer.source === source && answer.limit === limit;
  // Forget an older watch's answer, so coming back to it later reads as loading again.
  if (answer !== null && !current) setAnswer(null);
  if (!source?.watchNotifications) return UNAVAILABLE;
  return current ? answer.state : LOADING;
}
