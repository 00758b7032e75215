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

/**
 * The current user's unread notifications, live. `onArrival` is called for each one that
 * arrives after the first snapshot from the server (not for those already there).
 */
export function useNotifications(
  onArrival?: (notification: AppNotification) => void,
  limit = NOTIFICATION_LIMIT,
): NotificationsState {
  const source = useChatData();
  const [state, setState] = useState<NotificationsState>({ status: "loading" });
  const arrival = useRef(onArrival);
  useEffect(() => {
    arrival.current = onArrival;
  });

  useEffect(() => {
    if (!source?.watchNotifications) {
      setState({ status: "unavailable" });
      return;
    }
    setState({ status: "loading" });
    const tracker = new ArrivalTracker();
    return source.watchNotifications(limit, {
      next: (page) => {
        setState({ status: "ready", page });
        for (const item of tracker.next(page)) arrival.current?.(item);
      },
      error: (error) => setState({ status: "error", error }),
    });
  }, [source, limit]);

  return state;
}
