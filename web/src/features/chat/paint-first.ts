// Work that can follow the first paint waits for it: when a page opens on a room it can paint
// from the person's last known state (last-known-state.ts), Firebase Auth, Firestore and the
// Realtime Database (several hundred kB of script to evaluate, IndexedDB to open) start once
// that room has painted, so they do not compete with it for the main thread.
import { matchPath } from "react-router";
import { APP_MESSAGES_PAINT_MARK, whenMarked } from "@/lib/load-marks";
import { hasLastKnownPage } from "./last-known-state";

/** The longest the Firebase work waits for that paint. */
export const PAINT_FIRST_MAX_MS = 1_500;

/** Whether this page opens on a room it paints from the last known state of `uid` (a warm
 * load). lib/cold-preload.ts decides the same in index.html, before the app's code has loaded. */
export function paintsFromLastKnownState(uid: string): boolean {
  if (typeof window === "undefined") return false;
  // A room's own address; a permalink opens from the server's answer (use-conversation.ts).
  const roomId = matchPath("/rooms/:roomId", window.location.pathname)?.params.roomId;
  const permalink = new URLSearchParams(window.location.search).has("message");
  return Boolean(roomId) && !permalink && hasLastKnownPage(window.localStorage, uid, roomId!);
}

/** Resolves once this page's room has painted from the last known state of `uid` (at most
 * PAINT_FIRST_MAX_MS), or at once when the page has no such room to paint. */
export function afterLastKnownPaint(uid: string): Promise<void> {
  if (!paintsFromLastKnownState(uid)) return Promise.resolve();
  return whenMarked(APP_MESSAGES_PAINT_MARK, PAINT_FIRST_MAX_MS);
}

/** On a cold load nothing shows before Firestore answers: the Firestore and Realtime Database
 * SDKs (the module LiveChatProvider imports once Firebase Auth has signed in) load and evaluate
 * now, while Auth restores its sign-in, instead of after it. Their instances still start only
 * after Auth (lib/firebase.ts). */
export function preloadLiveChat(): void {
  import("./firestore/connect").catch(() => {
    // LiveChatProvider imports it again and reports a failure.
  });
}
