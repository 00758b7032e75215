import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import type { ChatDataSource } from "./data-source";
import type { RoomSummary } from "./types";

// null until a real-time backend is wired in: the UI then shows its empty states.
const ChatDataContext = createContext<ChatDataSource | null>(null);

export type RoomsState =
  { status: "loading" } | { status: "ready"; rooms: RoomSummary[] } | { status: "error"; error: Error };

const NO_ROOMS: RoomsState = { status: "ready", rooms: [] };

/** Before any answer: the last known list if the source has one, else loading. */
function initialRooms(source: ChatDataSource | null): RoomsState {
  if (!source) return NO_ROOMS;
  const known = source.lastKnownRooms?.();
  return known ? { status: "ready", rooms: known } : { status: "loading" };
}
const RoomsContext = createContext<RoomsState>(NO_ROOMS);
const RetryRoomsContext = createContext<() => void>(() => {});

/**
 * The room list is watched once here, for every useRooms() below: each watchRooms() on the
 * Firestore source opens listeners per room and counts unread messages on the server, so one
 * subscription per caller (shell, conversation page, the dialogs) would repeat all of that.
 */
export function ChatDataProvider({
  source,
  onRetry,
  children,
}: {
  source: ChatDataSource | null;
  /** Called by a retry, before the room list is watched again (to reconnect a failed source). */
  onRetry?: () => void;
  children: ReactNode;
}) {
  const [rooms, setRooms] = useState<RoomsState>(() => initialRooms(source));
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => {
    onRetry?.();
    setAttempt((count) => count + 1);
  }, [onRetry]);
  useEffect(() => {
    if (!source) {
      setRooms(NO_ROOMS);
      return;
    }
    // The list known at once is already there when this is the first render's source.
    const initial = initialRooms(source);
    setRooms((current) =>
      current.status === "ready" && initial.status === "ready" && current.rooms === initial.rooms ? current : initial,
    );
    return source.watchRooms({
      next: (list) =>
        setRooms((current) =>
          current.status === "ready" && current.rooms === list ? current : { status: "ready", rooms: list },
        ),
      error: (error) => setRooms({ status: "error", error }),
    });
  }, [source, attempt]);
  return (
    <ChatDataContext.Provider value={source}>
      <RetryRoomsContext.Provider value={retry}>
        <RoomsContext.Provider value={rooms}>{children}</RoomsContext.Provider>
      </RetryRoomsContext.Provider>
    </ChatDataContext.Provider>
  );
}

export function useChatData(): ChatDataSource | null {
  return useContext(ChatDataContext);
}

export function useRooms(): RoomsState {
  return useContext(RoomsContext);
}

/** Watch the room list again (after it failed, or took too long to arrive). */
export function useRetryRooms(): () => void {
  return useContext(RetryRoomsContext);
}
