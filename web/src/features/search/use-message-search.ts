import { useCallback, useEffect, useMemo, useState } from "react";
import { useRoomActions, type MessageHit, type MessageSearch } from "@/features/chat/rooms/room-actions";

const DEBOUNCE_MS = 250;
export const MIN_QUERY_CHARS = 2;

export interface MessageSearchState {
  status: "idle" | "searching" | "done" | "error";
  hits: MessageHit[];
  nextCursor: string | null;
  loadingMore: boolean;
}

const IDLE: MessageSearchState = { status: "idle", hits: [], nextCursor: null, loadingMore: false };

/** Messages for `search` as it changes (after a short pause), and the next page on demand. */
export function useMessageSearch(search: Omit<MessageSearch, "cursor">) {
  const actions = useRoomActions();
  const [state, setState] = useState<MessageSearchState>(IDLE);
  const { query, roomId, senderId, has } = search;
  const before = search.before?.getTime();
  const after = search.after?.getTime();
  const request = useMemo<MessageSearch>(
    () => ({
      query,
      roomId,
      senderId,
      has,
      before: before === undefined ? undefined : new Date(before),
      after: after === undefined ? undefined : new Date(after),
    }),
    [query, roomId, senderId, has, before, after],
  );

  useEffect(() => {
    if (!actions || query.trim().length < MIN_QUERY_CHARS) {
      setState(IDLE);
      return;
    }
    let current = true;
    setState((previous) => ({ ...previous, status: "searching" }));
    const timer = setTimeout(() => {
      actions.searchMessages(request).then(
        (page) =>
          current && setState({ status: "done", hits: page.hits, nextCursor: page.nextCursor, loadingMore: false }),
        () => current && setState({ ...IDLE, status: "error" }),
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [actions, request, query]);

  const loadMore = useCallback(async () => {
    if (!actions || !state.nextCursor || state.loadingMore) return;
    setState((previous) => ({ ...previous, loadingMore: true }));
    try {
      const page = await actions.searchMessages({ ...request, cursor: state.nextCursor });
      setState((previous) => ({
        ...previous,
        hits: [...previous.hits, ...page.hits],
        nextCursor: page.nextCursor,
        loadingMore: false,
      }));
    } catch {
      setState((previous) => ({ ...previous, loadingMore: false }));
    }
  }, [actions, request, state.nextCursor, state.loadingMore]);

  return { ...state, loadMore };
}

/** Hits grouped by room, rooms in the order of their best hit. */
export function groupByRoom(hits: readonly MessageHit[]): { roomId: string; hits: MessageHit[] }[] {
  const groups = new Map<string, MessageHit[]>();
  for (const hit of hits) groups.set(hit.roomId, [...(groups.get(hit.roomId) ?? []), hit]);
  return [...groups].map(([roomId, roomHits]) => ({ roomId, hits: roomHits }));
}
