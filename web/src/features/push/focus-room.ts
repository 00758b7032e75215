// Which room this tab shows, from its address: the conversation routes of app.tsx.
import { matchPath } from "react-router";

const CONVERSATION_ROUTES = ["/rooms/:roomId", "/r/:roomId/m/:messageId"];

/** The room of a conversation route (`/rooms/:roomId`, a message permalink), else null. */
export function roomOfPath(pathname: string): string | null {
  for (const pattern of CONVERSATION_ROUTES) {
    const roomId = matchPath(pattern, pathname)?.params.roomId;
    if (roomId) return roomId;
  }
  return null;
}

export interface FocusTracker {
  /** The room this tab shows now (null: none). */
  setRoom(roomId: string | null): void;
  /** Stops listening; reports null if a room was reported. */
  stop(): void;
}

/**
 * Reports (through `onChange`, only on change) the room to mark as focused: the room shown
 * while the document is visible and has focus, null otherwise (blurred, hidden, no room).
 */
export function trackFocusedRoom(
  onChange: (focused: string | null) => void,
  doc: Pick<Document, "hasFocus" | "visibilityState" | "addEventListener" | "removeEventListener"> = document,
  target: Pick<Window, "addEventListener" | "removeEventListener"> = window,
): FocusTracker {
  let room: string | null = null;
  let reported: string | null = null;
  const publish = () => {
    const next = room && doc.visibilityState === "visible" && doc.hasFocus() ? room : null;
    if (next === reported) return;
    reported = next;
    onChange(next);
  };
  target.addEventListener("focus", publish);
  target.addEventListener("blur", publish);
  doc.addEventListener("visibilitychange", publish);
  return {
    setRoom(roomId) {
      room = roomId;
      publish();
    },
    stop() {
      target.removeEventListener("focus", publish);
      target.removeEventListener("blur", publish);
      doc.removeEventListener("visibilitychange", publish);
      room = null;
      publish();
    },
  };
}
