import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ChatDataSource } from "./data-source";
import type { Message, TypingUser } from "./types";

export const MESSAGE_PAGE_SIZE = 50;
/** Messages loaded each side of a permalink's message. */
export const AROUND_PAGE_SIZE = 25;

interface ConversationState {
  /** The newest page, kept live by the data source. */
  live: Message[];
  /** Whether the room has messages before the live page. */
  liveHasMore: boolean;
  /** Pages loaded on demand, oldest first: older than `live`, or, while `around` is set,
   * older than it. */
  older: Message[];
  hasOlder: boolean;
  /** A window of history away from the newest messages (a permalink's message and its
   * neighbours, plus newer pages loaded on scroll down), shown instead of `live` until it
   * reaches the live page or the person jumps to the latest. */
  around: { messages: Message[]; hasNewer: boolean } | null;
  status: "loading" | "ready" | "error";
  error: Error | null;
}

const INITIAL: ConversationState = {
  live: [],
  liveHasMore: false,
  older: [],
  hasOlder: false,
  around: null,
  status: "loading",
  error: null,
};

/** Once history paged down from a permalink reaches (or touches) the live page, the two are
 * one list again: the history becomes older pages before the live ones. */
function joinLive(state: ConversationState, history: Message[], hasNewer: boolean): ConversationState {
  const liveIds = new Set(state.live.map((message) => message.id));
  const touches = !hasNewer || history.some((message) => liveIds.has(message.id));
  if (!touches) return { ...state, around: { messages: history.slice(state.older.length), hasNewer } };
  return { ...state, older: history.filter((message) => !liveIds.has(message.id)), around: null };
}

/** A room's messages: the newest page live, older pages on demand, a window around a
 * permalink's message however old, and who is typing. */
/** Before any answer: the page known at once (the last known state), if the source has one
 * and it is wanted. */
function initialState(source: ChatDataSource, roomId: string, lastKnown: boolean): ConversationState {
  const page = lastKnown ? source.lastKnownMessages?.(roomId, MESSAGE_PAGE_SIZE) : null;
  if (!page) return INITIAL;
  return { ...INITIAL, live: page.messages, liveHasMore: page.hasMore, hasOlder: page.hasMore, status: "ready" };
}

/**
 * `lastKnown: false` (a permalink: the view goes to one message, which the newest page as last
 * seen would only be in the way of) waits for the source's own answer.
 */
export function useConversation(
  source: ChatDataSource,
  roomId: string,
  currentUserId: string,
  { lastKnown = true }: { lastKnown?: boolean } = {},
) {
  const [state, setState] = useState<ConversationState>(() => initialState(source, roomId, lastKnown));
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [loadingNewer, setLoadingNewer] = useState(false);
  const [typing, setTyping] = useState<TypingUser[]>([]);
  const olderLoaded = useRef(false);
  // Bumped by retry(): the live page is watched again from scratch.
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((count) => count + 1), []);

  useEffect(() => {
    // The first render already shows the page known at once; anything else starts afresh.
    const initial = initialState(source, roomId, lastKnown);
    const skipped = lastKnown ? null : source.lastKnownMessages?.(roomId, MESSAGE_PAGE_SIZE);
    setState((current) =>
      current.live === initial.live && current.status === initial.status && !current.around && !current.older.length
        ? current
        : initial,
    );
    olderLoaded.current = false;
    return source.watchMessages(roomId, MESSAGE_PAGE_SIZE, {
      next: (page) => {
        if (page === skipped) return;
        setState((current) =>
          current.live === page.messages && current.status === "ready"
            ? current
            : {
                ...current,
                live: page.messages,
                liveHasMore: page.hasMore,
                // Once older pages are loaded, they know best whether more remain.
                hasOlder: olderLoaded.current ? current.hasOlder : page.hasMore,
                status: "ready",
                error: null,
              },
        );
      },
      error: (error) => setState((current) => ({ ...current, status: "error", error })),
    });
  }, [source, roomId, attempt, lastKnown]);

  useEffect(() => {
    setTyping([]);
    return source.watchTyping(roomId, {
      next: (users) => setTyping(users.filter((user) => user.userId !== currentUserId)),
    });
  }, [source, roomId, currentUserId]);

  const messages = useMemo(() => {
    if (state.around) return [...state.older, ...state.around.messages];
    const liveIds = new Set(state.live.map((message) => message.id));
    return [...state.older.filter((message) => !liveIds.has(message.id)), ...state.live];
  }, [state.live, state.older, state.around]);

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

  const hasNewer = state.around?.hasNewer ?? false;
  const newestId = messages.at(-1)?.id;
  /** Pages down from a permalink's window towards the live messages. */
  const loadNewer = useCallback(async () => {
    if (!newestId || !hasNewer || loadingNewer || !source.loadNewerMessages) return;
    setLoadingNewer(true);
    try {
      const page = await source.loadNewerMessages(roomId, newestId, MESSAGE_PAGE_SIZE);
      setState((current) => {
        if (!current.around) return current;
        return joinLive(current, [...current.older, ...current.around.messages, ...page.messages], page.hasMore);
      });
    } finally {
      setLoadingNewer(false);
    }
  }, [source, roomId, newestId, hasNewer, loadingNewer]);

  /** Shows the history around `messageId` (a permalink); false when the room lacks it. */
  const openAround = useCallback(
    async (messageId: string): Promise<boolean> => {
      if (!source.loadAround) return false;
      const page = await source.loadAround(roomId, messageId, AROUND_PAGE_SIZE);
      if (!page) return false;
      olderLoaded.current = true;
      setState((current) => joinLive({ ...current, older: [], hasOlder: page.hasOlder }, page.messages, page.hasNewer));
      return true;
    },
    [source, roomId],
  );

  /** Back to the newest messages, live (leaving a permalink's window). */
  const backToLatest = useCallback(() => {
    setState((current) => {
      if (!current.around) return current;
      olderLoaded.current = false;
      return { ...current, around: null, older: [], hasOlder: current.liveHasMore };
    });
  }, []);

  return {
    ...state,
    messages,
    loadingOlder,
    loadOlder,
    detached: state.around !== null,
    hasNewer,
    loadingNewer,
    loadNewer,
    openAround,
    backToLatest,
    typing,
    retry,
    attempt,
  };
}
