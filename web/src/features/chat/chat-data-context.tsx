import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import type { ChatDataSource } from "./data-source";
import type { RoomSummary } from "./types";

// null until a real-time backend is wired in: the UI then shows its empty states.
const ChatDataContext = createContext<ChatDataSource | null>(null);

export type RoomsState =
  | { status: "loading" }
  | { status: "ready"; rooms: RoomSummary[] }
  | { status: "error"; error: Error };

const NO_ROOMS: RoomsState = { status: "ready", rooms: [] };
const RoomsContext = createContext<RoomsState>(NO_ROOMS);

/**
 * The room list is watched once here, for every useRooms() below: each watchRooms() on the
 * Firestore source opens listeners per room and counts unread messages on the server, so one
 * subscription per caller (shell, conversation page, the dialogs) would repeat all of that.
 */
export function ChatDataProvider({ source, children }: { source: ChatDataSource | null; children: ReactNode }) {
  const [rooms, setRooms] = useState<RoomsState>(() => (source ? { status: "loading" } : NO_ROOMS));
  useEffect(() => {
    if (!source) {
      setRooms(NO_ROOMS);
      return;
    }
    setRooms({ status: "loading" });
    return source.watchRooms({
      next: (list) => setRooms({ status: "ready", rooms: list }),
      error: (error) => setRooms({ status: "error", error }),
    });
  }, [source]);
  return (
    <ChatDataContext.Provider value={source}>
      <RoomsContext.Provider value={rooms}>{children}</RoomsContext.Provider>
    </ChatDataContext.Provider>
  );
}

export function useChatData(): ChatDataSource | null {
  return useContext(ChatDataContext);
}

export function useRooms(): RoomsState {
  return useContext(RoomsContext);
}
