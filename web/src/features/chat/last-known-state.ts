// The person's last known chat state on this device: their room list and the newest page of
// the rooms they opened last, as the live source last gave them. A page load paints from it
// at once, before Firebase Auth has restored its sign-in and before the Firestore SDK has
// loaded and opened its IndexedDB cache (together most of a second); the live source's
// answers replace it as they arrive. This is what chat clients such as Slack do: show the
// last known state first, then catch up.
//
// Kept in localStorage (read synchronously while the first page renders), one key per list
// and per room, under `flowchat.lastKnown.<uid>.`. Only ever read for the person whose
// FlowChat session this browser holds, written only while that session is still the one
// stored, and deleted with the Firestore cache when a session ends (features/auth/app-session.ts).
// No Firebase imports here: this file is part of the first page load.
import { SESSION_STORAGE_KEY } from "@/features/auth/session-store";
import type { MessagePage } from "./data-source";
import { captureLastFrame, type StoredFrame } from "./last-frame";
import type { Attachment, Message, RoomSummary } from "./types";

export const LAST_KNOWN_PREFIX = "flowchat.lastKnown.";
const FORMAT = 1;
/** Rooms whose newest page is kept (the ones opened last). */
export const MAX_ROOM_PAGES = 8;
/** Rows of the room list kept (most recently active first). */
export const MAX_LISTED_ROOMS = 500;
/** Messages kept per room: one page of the conversation view. */
export const MAX_PAGE_MESSAGES = 50;
/** A stored value larger than this (UTF-16 code units) loses its oldest messages first. */
const MAX_VALUE_CHARS = 400_000;
/** Writes wait this long for more changes (a busy room changes many times a second). */
export const SAVE_DELAY_MS = 1_000;
/** The page's last frame (last-frame.ts) is taken at most this often while the page is open,
 * and always when it is hidden or closed. */
export const FRAME_INTERVAL_MS = 10_000;

interface StoredRooms {
  format: typeof FORMAT;
  rooms: RoomSummary[];
}

interface StoredPage {
  format: typeof FORMAT;
  hasMore: boolean;
  messages: Message[];
}

function keyOf(uid: string, part: string): string {
  return `${LAST_KNOWN_PREFIX}${uid}.${part}`;
}

function roomKey(uid: string, roomId: string): string {
  return keyOf(uid, `room.${roomId}`);
}

function toDate(value: unknown): Date {
  const date = new Date(value as string);
  if (typeof value !== "string" || Number.isNaN(date.getTime())) throw new Error("not a date");
  return date;
}

function reviveRoom(value: RoomSummary): RoomSummary {
  if (typeof value?.id !== "string" || typeof value.name !== "string") throw new Error("not a room");
  return {
    ...value,
    updatedAt: toDate(value.updatedAt),
    lastMessage: value.lastMessage ? { ...value.lastMessage, sentAt: toDate(value.lastMessage.sentAt) } : null,
  };
}

function reviveMessage(value: Message): Message {
  if (typeof value?.id !== "string" || typeof value.text !== "string") throw new Error("not a message");
  return {
    ...value,
    createdAt: toDate(value.createdAt),
    editedAt: value.editedAt === null ? null : toDate(value.editedAt),
  };
}

/** What a room's page keeps: messages the server has (not ones still sending here, whose
 * state only this tab's Firestore knows) and no upload in progress. */
function keepable(message: Message): boolean {
  return message.delivery === "sent" && !message.attachments.some((item: Attachment) => item.progress !== undefined);
}

export interface LastKnownStateOptions {
  storage: Storage;
  uid: string;
  /** Whether this person's session is still the one this browser holds; nothing is written
   * otherwise (a write due after a log-out must not bring their data back). */
  isCurrent: () => boolean;
  saveDelayMs?: number;
  /** Calls `flush` when the page is hidden or closed; returns how to stop. */
  listenForHide?: (flush: () => void) => () => void;
  /** The page as it looks now, when it is worth painting at the next load (last-frame.ts). */
  captureFrame?: () => StoredFrame | null;
}

/** One person's last known state; see the top of this file. */
export class LastKnownState {
  private readonly storage: Storage;
  readonly uid: string;
  private readonly isCurrent: () => boolean;
  private readonly saveDelayMs: number;
  /** Values to write (null: remove), by key, until the next save. */
  private readonly pending = new Map<string, string | null>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** How many start() calls have not been stopped (React may start, stop and start again). */
  private keepers = 0;
  private stopListening: (() => void) | undefined;
  private readonly listenForHide: LastKnownStateOptions["listenForHide"];
  private readonly captureFrame: LastKnownStateOptions["captureFrame"];
  private frameTakenAt = -Infinity;

  constructor(options: LastKnownStateOptions) {
    this.storage = options.storage;
    this.uid = options.uid;
    this.isCurrent = options.isCurrent;
    this.saveDelayMs = options.saveDelayMs ?? SAVE_DELAY_MS;
    this.listenForHide = options.listenForHide;
    this.captureFrame = options.captureFrame;
  }

  /** The room list as last seen, or null. */
  rooms(): RoomSummary[] | null {
    const stored = this.read<StoredRooms>(keyOf(this.uid, "rooms"));
    if (!stored) return null;
    try {
      return stored.rooms.map(reviveRoom);
    } catch {
      this.remove(keyOf(this.uid, "rooms"));
      return null;
    }
  }

  /** A room's newest `limit` messages as last seen (oldest first), or null. */
  messages(roomId: string, limit: number): MessagePage | null {
    const stored = this.read<StoredPage>(roomKey(this.uid, roomId));
    if (!stored) return null;
    try {
      const messages = stored.messages.map(reviveMessage);
      if (messages.length === 0) return null;
      return {
        messages: messages.slice(-limit),
        hasMore: stored.hasMore || messages.length > limit,
      };
    } catch {
      this.remove(roomKey(this.uid, roomId));
      return null;
    }
  }

  saveRooms(rooms: RoomSummary[]): void {
    const listed = new Set(rooms.map((room) => room.id));
    // Rooms the person is no longer in keep nothing here.
    for (const roomId of this.recent()) if (!listed.has(roomId)) this.forgetRoom(roomId);
    const value: StoredRooms = { format: FORMAT, rooms: rooms.slice(0, MAX_LISTED_ROOMS) };
    this.schedule(keyOf(this.uid, "rooms"), JSON.stringify(value));
  }

  saveMessages(roomId: string, page: MessagePage): void {
    let messages = page.messages.filter(keepable).slice(-MAX_PAGE_MESSAGES);
    const hasMore = page.hasMore || messages.length < page.messages.length;
    let text = JSON.stringify({ format: FORMAT, hasMore, messages } satisfies StoredPage);
    while (text.length > MAX_VALUE_CHARS && messages.length > 1) {
      messages = messages.slice(Math.ceil(messages.length / 4));
      text = JSON.stringify({ format: FORMAT, hasMore: true, messages } satisfies StoredPage);
    }
    if (text.length > MAX_VALUE_CHARS) return;
    const recent = [roomId, ...this.recent().filter((id) => id !== roomId)];
    for (const dropped of recent.splice(MAX_ROOM_PAGES)) this.schedule(roomKey(this.uid, dropped), null);
    this.schedule(keyOf(this.uid, "recent"), JSON.stringify(recent));
    this.schedule(roomKey(this.uid, roomId), text);
  }

  /** The room is gone for this person (left, removed, refused): its page goes too. */
  forgetRoom(roomId: string): void {
    const recent = this.recent();
    if (!recent.includes(roomId)) return;
    this.schedule(keyOf(this.uid, "recent"), JSON.stringify(recent.filter((id) => id !== roomId)));
    this.schedule(roomKey(this.uid, roomId), null);
  }

  /** Writes what is pending now, with the page's frame when it is due (always when the page
   * is being hidden or closed: `hiding`). */
  flush(hiding = false): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.active) return;
    const writes = [...this.pending];
    this.pending.clear();
    const frameDue = this.captureFrame && (hiding || Date.now() - this.frameTakenAt >= FRAME_INTERVAL_MS);
    if ((writes.length === 0 && !hiding) || !this.isCurrent()) return;
    if (frameDue) {
      const frame = this.captureFrame!();
      if (frame) {
        writes.push([keyOf(this.uid, "frame"), JSON.stringify(frame)]);
        this.frameTakenAt = Date.now();
      }
    }
    for (const [key, value] of writes) {
      try {
        if (value === null) this.storage.removeItem(key);
        else this.storage.setItem(key, value);
      } catch (error) {
        // Storage full or unavailable: the last known state is a nicety, never a failure.
        console.warn("last known state not saved", error);
        return;
      }
    }
  }

  /**
   * Starts writing what the live source gives (also at once when the page is hidden or
   * closed); the returned function stops it and drops what was not written yet (the session
   * ended, or a new connection replaces this one). Nothing is written before start().
   */
  start(): () => void {
    this.keepers += 1;
    const stopListening = this.keepers === 1 ? this.listenForHide?.(() => this.flush(true)) : undefined;
    if (stopListening) this.stopListening = stopListening;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.keepers -= 1;
      if (this.active) return;
      this.stopListening?.();
      this.stopListening = undefined;
      this.pending.clear();
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
    };
  }

  private get active(): boolean {
    return this.keepers > 0;
  }

  /** Rooms with a stored page, opened last first (pending changes included). */
  private recent(): string[] {
    const key = keyOf(this.uid, "recent");
    const text = this.pending.has(key) ? this.pending.get(key) : this.readText(key);
    try {
      const value: unknown = text ? JSON.parse(text) : [];
      return Array.isArray(value) ? value.filter((id): id is string => typeof id === "string") : [];
    } catch {
      return [];
    }
  }

  private schedule(key: string, value: string | null): void {
    if (!this.active) return;
    this.pending.set(key, value);
    this.timer ??= setTimeout(() => this.flush(), this.saveDelayMs);
  }

  private remove(key: string): void {
    this.schedule(key, null);
  }

  private readText(key: string): string | null {
    try {
      return this.storage.getItem(key);
    } catch {
      return null;
    }
  }

  private read<T extends { format: number }>(key: string): T | null {
    // A write not yet saved is the newest state.
    const text = this.pending.has(key) ? this.pending.get(key) : this.readText(key);
    if (!text) return null;
    try {
      const value = JSON.parse(text) as T;
      if (value?.format === FORMAT) return value;
    } catch {
      // Corrupt or from another version: dropped below.
    }
    this.remove(key);
    return null;
  }
}

/** Whether `uid`'s last known state holds a page of this room (without reading it). */
export function hasLastKnownPage(storage: Storage, uid: string, roomId: string): boolean {
  try {
    return storage.getItem(roomKey(uid, roomId)) !== null;
  } catch {
    return false;
  }
}

/** The uid of the FlowChat session this browser holds, or null. */
function storedSessionUid(storage: Storage): string | null {
  try {
    const text = storage.getItem(SESSION_STORAGE_KEY);
    const value = text ? (JSON.parse(text) as { user?: { id?: unknown } }) : null;
    return typeof value?.user?.id === "string" ? value.user.id : null;
  } catch {
    return null;
  }
}

/**
 * This browser's last known state for `uid` (localStorage), written out when the page is hidden
 * or closed too; null where localStorage is unavailable.
 */
export function openLastKnownState(uid: string): LastKnownState | null {
  let storage: Storage;
  try {
    storage = window.localStorage;
  } catch {
    return null;
  }
  return new LastKnownState({
    storage,
    uid,
    isCurrent: () => storedSessionUid(storage) === uid,
    // Only a built app paints a frame (vite.config.ts): the dev server would take them for nothing.
    captureFrame: import.meta.env.PROD ? () => captureLastFrame(window) : undefined,
    listenForHide: (flush) => {
      const flushWhenHidden = () => {
        if (document.visibilityState === "hidden") flush();
      };
      document.addEventListener("visibilitychange", flushWhenHidden);
      window.addEventListener("pagehide", flush);
      return () => {
        document.removeEventListener("visibilitychange", flushWhenHidden);
        window.removeEventListener("pagehide", flush);
      };
    },
  });
}

/**
 * Deletes the last known state of everyone on this device, or of everyone but `exceptUid`:
 * at a log-out (or a session that ended), and at start-up for anyone who is not the person
 * signed in here.
 */
export function clearLastKnownState(storage: Storage, exceptUid?: string): void {
  try {
    const keys: string[] = [];
    for (let index = 0; index < storage.length; index++) {
      const key = storage.key(index);
      if (key?.startsWith(LAST_KNOWN_PREFIX) && (exceptUid === undefined || !key.startsWith(keyOf(exceptUid, ""))))
        keys.push(key);
    }
    for (const key of keys) storage.removeItem(key);
  } catch (error) {
    console.warn("last known state not cleared", error);
  }
}
