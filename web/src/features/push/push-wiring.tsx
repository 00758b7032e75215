// What the signed-in app does for push, mounted once inside the router (app.tsx):
// - reports the room open in this tab while it has focus (`focus/{uid}/{connection}`, beside
//   presence, read only by the functions), so the notifier sends no push for it meanwhile;
// - registers this browser for web push once desktop notifications are on;
// - opens the message a notification click asks for (the service worker posts the link).
import { useEffect, useRef } from "react";
import { useLocation, useNavigate } from "react-router";
import { useSession } from "@/features/auth/session-context";
import { useChatData } from "@/features/chat/chat-data-context";
import {
  desktopNotificationsActive,
  DESKTOP_NOTIFICATIONS_CHANGED,
} from "@/features/notifications/desktop-notifications";
import { roomOfPath, trackFocusedRoom, type FocusTracker } from "./focus-room";

export function PushWiring() {
  const { status, user, firebase } = useSession();
  const uid = status === "signed-in" && firebase === "signed-in" ? (user?.id ?? null) : null;
  const source = useChatData();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const room = roomOfPath(pathname);
  const roomRef = useRef(room);
  const tracker = useRef<FocusTracker | null>(null);

  useEffect(() => {
    if (!source?.setFocusRoom) return;
    const next = trackFocusedRoom((roomId) => {
      source.setFocusRoom?.(roomId).catch(() => {
        // Best effort, like presence: at worst a push arrives for the open room.
      });
    });
    tracker.current = next;
    next.setRoom(roomRef.current);
    return () => {
      next.stop();
      tracker.current = null;
    };
  }, [source]);

  useEffect(() => {
    roomRef.current = room;
    tracker.current?.setRoom(room);
  }, [room]);

  useEffect(() => {
    if (!uid) return;
    // On while desktop notifications are chosen and allowed; turning them off unregisters.
    const register = () => {
      const wanted = desktopNotificationsActive();
      import("./device-token")
        .then(async ({ registerPush, unregisterPush }) => {
          await (wanted ? registerPush(uid) : unregisterPush());
        })
        .catch((error: unknown) => console.warn("push: registration failed", error));
    };
    register();
    window.addEventListener(DESKTOP_NOTIFICATIONS_CHANGED, register);
    return () => window.removeEventListener(DESKTOP_NOTIFICATIONS_CHANGED, register);
  }, [uid]);

  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    const open = (event: MessageEvent) => {
      const data = event.data as { type?: string; link?: unknown } | null;
      if (data?.type === "flowchat:open" && typeof data.link === "string" && data.link.startsWith("/")) {
        void navigate(data.link);
      }
    };
    navigator.serviceWorker.addEventListener("message", open);
    return () => navigator.serviceWorker.removeEventListener("message", open);
  }, [navigate]);

  return null;
}
