import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import type { ChatDataSource } from "./data-source";
import type { RoomSummary } from "./types";

// null until a real-time backend is wired in: the UI then shows its empty states.
const ChatDataContext = createContext<ChatDataSource | null>(null);

export function ChatDataProvider({ source, children }: { source: ChatDataSource | null; children: ReactNode }) {
  return <ChatDataContext.Provider value={source}>{children}</ChatDataContext.Provider>;
}

export function useChatData(): ChatDataSource | null {
  return useContext(ChatDataContext);
}

export type RoomsState =
  | { status: "loading" }
  | { status: "ready"; rooms: RoomSummary[] }
  | { status: "error"; error: Error };

export function useRooms(): RoomsState {
  const source = useChatData();
  const [state, setState] = useState<RoomsState>(() =>
    source ? { status: "loading" } : { status: "ready", rooms: [] },
  );
  useEffect(() => {
    if (!source) {
      setState({ status: "ready", rooms: [] });
      return;
    }
    setState({ status: "loading" });
    return source.watchRooms({
      next: (rooms) => setState({ status: "ready", rooms }),
      error: (error) => setState({ status: "error", error }),
    });
  }, [source]);
  return state;
}
