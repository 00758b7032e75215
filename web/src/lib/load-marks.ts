// Performance marks along a page load's way to its first messages, each set once per page:
// scripts/first-paint.mjs reads them to say where the time of a load went. A mark costs a
// few microseconds and shows in DevTools' Performance panel ("Timings").

export type LoadMark =
  /** index.html's script for the last frame runs (features/chat/last-frame.ts sets it). */
  | "last-frame-script"
  /** The entry module runs (the app's JavaScript has been fetched and evaluated). */
  | "app-start"
  /** The session saved in this browser is known (signed in or not). */
  | "session-known"
  /** The signed-in app's shell renders (its code has loaded). */
  | "shell-render"
  /** The conversation route renders (its code has loaded). */
  | "room-render"
  /** A room's newest messages shown from the person's last known state (features/chat/last-known-state.ts). */
  | "last-known-messages"
  /** Firebase Auth has restored (and checked with its server) its sign-in. */
  | "auth-ready"
  /** The Firestore and Realtime Database SDKs are loaded and the chat source is made. */
  | "chat-connected"
  /** The room list's first answer (from the Firestore cache or the server). */
  | "rooms-first-snapshot"
  /** The open room's first page of messages (from the Firestore cache or the server). */
  | "messages-first-snapshot"
  /** React has committed the first messages to the page (the paint follows in the next frame). */
  | "messages-commit"
  /** The frame in which React first paints messages (and removes the last frame, if one was
   * painted: features/chat/last-frame.ts). */
  | "app-messages-paint";

export const LOAD_MARK_PREFIX = "flowchat:";

/** Sets `flowchat:<name>` unless this page already has it; `detail` goes with it. */
export function markLoad(name: LoadMark, detail?: Record<string, unknown>): void {
  if (typeof performance === "undefined" || typeof performance.mark !== "function") return;
  const full = LOAD_MARK_PREFIX + name;
  if (performance.getEntriesByName(full, "mark").length > 0) return;
  performance.mark(full, detail ? { detail } : undefined);
}

/** Set once per page load, in the frame that first paints messages: the last frame's
 * (features/chat/last-frame.ts) or, without one, React's (components/message-list.tsx). */
export const FIRST_MESSAGES_PAINT_MARK = `${LOAD_MARK_PREFIX}first-messages-paint`;
/** Set once per page load, in the frame in which React first paints messages. */
export const APP_MESSAGES_PAINT_MARK = `${LOAD_MARK_PREFIX}app-messages-paint`;

/** Resolves once this page has the mark `name` (at once if it has it already), or after
 * `timeoutMs` whatever happens. */
export function whenMarked(name: string, timeoutMs: number): Promise<void> {
  if (typeof performance === "undefined" || performance.getEntriesByName(name, "mark").length > 0)
    return Promise.resolve();
  return new Promise((resolve) => {
    let observer: PerformanceObserver | null = null;
    const done = () => {
      observer?.disconnect();
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    if (typeof PerformanceObserver === "undefined") return;
    observer = new PerformanceObserver((list) => {
      if (list.getEntriesByName(name, "mark").length > 0) done();
    });
    observer.observe({ type: "mark" });
  });
}
