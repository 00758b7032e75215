// What someone has written in a room and not sent yet, kept on this device so that switching
// rooms, reloading or closing the tab loses nothing. A draft is saved a moment after typing
// pauses (at once when the room is left or the page goes away), so the room list, which
// shows drafts, is not re-rendered on every key. Tabs follow each other via `storage`.
import { useCallback, useEffect, useMemo, useSyncExternalStore } from "react";

const PREFIX = "flowchat.draft.";

export const DRAFT_SAVE_DELAY_MS = 400;

/** User ids are UUIDs, so the dot cannot be part of either id. */
export function draftKey(userId: string, roomId: string): string {
  return `${PREFIX}${userId}.${roomId}`;
}

type DraftStorage = Pick<Storage, "getItem" | "setItem" | "removeItem" | "key" | "length">;
type Listener = () => void;

export class DraftStore {
  private readonly pending = new Map<string, string>();
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private version = 0;

  constructor(
    private readonly storage: DraftStorage | null,
    target: Pick<Window, "addEventListener"> | null = null,
  ) {
    target?.addEventListener("storage", (event) => {
      const key = (event as StorageEvent).key;
      if (key === null || key.startsWith(PREFIX)) this.changed();
    });
    target?.addEventListener("pagehide", () => this.flush());
  }

  /** The room's draft, "" when there is none. */
  get(userId: string, roomId: string): string {
    const key = draftKey(userId, roomId);
    const pending = this.pending.get(key);
    if (pending !== undefined) return pending;
    try {
      return this.storage?.getItem(key) ?? "";
    } catch {
      return "";
    }
  }

  /** Keeps `text` as the room's draft (blank text removes it), saved after a short pause. */
  set(userId: string, roomId: string, text: string): void {
    if (text === this.get(userId, roomId)) return;
    this.pending.set(draftKey(userId, roomId), text);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DRAFT_SAVE_DELAY_MS);
  }

  /** Saves what is waiting for the pause now. */
  flush(): void {
    clearTimeout(this.timer);
    if (this.pending.size === 0) return;
    // Deleting the entry being visited is safe for a Map.
    for (const [key, text] of this.pending) {
      try {
        if (text.trim()) this.storage?.setItem(key, text);
        else this.storage?.removeItem(key);
        this.pending.delete(key);
      } catch {
        // Storage full or unavailable (private mode): the draft stays in memory for the
        // life of the page.
      }
    }
    this.changed();
  }

  /** Forgets every draft of this person on this device (they are logging out). */
  clear(userId: string): void {
    const prefix = `${PREFIX}${userId}.`;
    for (const key of [...this.pending.keys()]) if (key.startsWith(prefix)) this.pending.delete(key);
    try {
      const keys: string[] = [];
      for (let index = 0; index < (this.storage?.length ?? 0); index++) {
        const key = this.storage?.key(index);
        if (key?.startsWith(prefix)) keys.push(key);
      }
      for (const key of keys) this.storage?.removeItem(key);
    } catch {
      // Nothing was stored.
    }
    this.changed();
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes whenever a saved draft does, for useSyncExternalStore. */
  getVersion = (): number => this.version;

  private changed(): void {
    this.version += 1;
    for (const listener of [...this.listeners]) listener();
  }
}

let shared: DraftStore | undefined;

/** The store of this page (created on first use, so tests can reset localStorage first). */
export function draftStore(): DraftStore {
  shared ??= new DraftStore(
    typeof localStorage === "undefined" ? null : localStorage,
    typeof window === "undefined" ? null : window,
  );
  return shared;
}

/** The room's draft as the composer opens, and how to keep what is typed next. */
export function useRoomDraft(userId: string, roomId: string): [initialText: string, save: (text: string) => void] {
  const store = draftStore();
  // Read once per room: what is typed afterwards lives in the composer.
  const initialText = useMemo(() => store.get(userId, roomId), [store, userId, roomId]);
  // Leaving the room saves at once, so the room list shows the draft straight away.
  useEffect(() => () => store.flush(), [store]);
  const save = useCallback((text: string) => store.set(userId, roomId, text), [store, userId, roomId]);
  return [initialText, save];
}

/** Reads saved drafts; the caller re-renders whenever one is saved (here or in another tab). */
export function useDrafts(userId: string): (roomId: string) => string {
  const store = draftStore();
  const version = useSyncExternalStore(store.subscribe, store.getVersion, store.getVersion);
  // A new function per version, so memoized children see the change.
  return useCallback((roomId: string) => store.get(userId, roomId), [store, userId, version]);
}
