import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ChatDataSource } from "./data-source";
import type { Message, TypingUser } from "./types";

export const MESSAGE_PAGE_SIZE = 50;

interface ConversationState {
  /** The newest page, kept live by the data source. */
  live: Message[];
  /** Pages loaded on demand, oldest first, all older than `live`. */
  older: Message[];
  hasOlder: boolean;
  status: "loading" | "ready" | "error";
  error: Error | null;
}

const INITIAL: ConversationState = { live: [], older: [], hasOlder: false, status: "loading", error: null };

/** A room's messages: the newest page live, older pages on demand, and who is typing. */
export function useConversation(source: ChatDataSource, roomId: string, currentUserId: string) {
  const [state, setState] = useState<ConversationState>(INITIAL);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [typing, setTyping] = useState<TypingUser[]>([]);
  const olderLoaded = useRef(false);

  useEffect(() => {
    setState(INITIAL);
    olderLoaded.current = false;
    return source.watchMessages(roomId, MESSAGE_PAGE_SIZE, {
      next: (page) =>
        setState((current) => ({
          ...current,
          live: page.messages,
          // Once older pages are loaded, they know best whether more remain.
          hasOlder: olderLoaded.current ? current.hasOlder : page.hasMore,
          status: "ready",
          error: null,
        })),
      error: (error) => setState((current) => ({ ...current, status: "error", error })),
    });
  }, [source, roomId]);

  useEffect(() => {
    setTyping([]);
    return source.watchTyping(roomId, {
      next: (users) => setTyping(users.filter((user) => user.userId !== currentUserId)),
    });
  }, [source, roomId, currentUserId]);

  const messages = useMemo(() => {
    const liveIds = new Set(state.live.map((message) => message.id));
    return [...state.older.filter((message) => !liveIds.has(message.id)), ...state.live];
  }, [state.live, state.older]);

  const oldestId = messages[0]?.id;
  const loadOlder = useCallback(async () => {
    if (!oldestId || !state.hasOlder || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await source.loadOlderMessages(roomId, oldestId, MESSAGE_PAGE_SIZE);
      olderLoaded.current = true;
      setState((current) => ({ ...current, older: [...page.messages, ...current.older], hasOlder: page.hasMore }));
    } finally {
      setLoadingOlder(false);
    }
  }, [source, roomId, oldestId, state.hasOlder, loadingOlder]);

  return { ...state, messages, loadingOlder, loadOlder, typing };
}
