import { useEffect, useRef } from "react";
import { useChatData } from "@/features/chat/chat-data-context";
import { useStateFor } from "@/lib/use-state-for";
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
  // A new watch (source or limit) reads as loading until its first page; nothing from an older one shows.
  const [state, setState] = useStateFor<NotificationsState>([source, limit]);
  const arrival = useRef(onArrival);
  useEffect(() => {
    arrival.current = onArrival;
  });

  useEffect(() => {
    if (!source?.watchNotifications) return;
    const tracker = new ArrivalTracker();
    return source.watchNotifications(limit, {
      next: (page) => {
        setState([source, limit], { status: "ready", page });
        for (const item of tracker.next(page)) arrival.current?.(item);
      },
      error: (error) => setState([source, limit], { status: "error", error }),
    });
  }, [source, limit, setState]);

  if (!source?.watchNotifications) return UNAVAILABLE;
  return state ?? LOADING;
}
