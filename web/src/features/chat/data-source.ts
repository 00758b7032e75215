// What the chat UI needs from the real-time backend. The Firestore + RTDB implementation
// lands with the emulators; components and hooks depend only on this interface, and tests
// pass an in-memory one.
import type {
  Message,
  PinnedMessage,
  MessageDraft,
  Presence,
  PresenceState,
  ReadReceipt,
  RoomSummary,
  TypingUser,
} from "./types";
import type { NotificationsPage } from "@/features/notifications/types";

export type Unsubscribe = () => void;

export interface Subscriber<T> {
  next: (value: T) => void;
  error?: (error: Error) => void;
}

/** Whether a write failed because the rules refused it (the person may no longer post here),
 * rather than for a passing reason such as the network. Firebase errors carry the code. */
export function isPermissionDenied(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "permission-denied";
}

export interface MessagePage {
  /** Oldest first. */
  messages: Message[];
  hasMore: boolean;
}

/** The messages around one message (a permalink), oldest first, that message included. */
export interface AroundPage {
  messages: Message[];
  hasOlder: boolean;
  hasNewer: boolean;
}

export interface ChatDataSource {
  /** The current user's rooms, most recently active first; called again on every change. */
  watchRooms(subscriber: Subscriber<RoomSummary[]>): Unsubscribe;
  /** What watchRooms will give first, when it is known at once (the last known state), so a
   * page renders with it from the start; the same object as watchRooms then gives. Optional. */
  lastKnownRooms?(): RoomSummary[] | null;
  /** Likewise for watchMessages. Optional. */
  lastKnownMessages?(roomId: string, limit: number): MessagePage | null;

  /** The newest `limit` messages of a room, live; oldest first. */
  watchMessages(roomId: string, limit: number, subscriber: Subscriber<MessagePage>): Unsubscribe;
  /** Starts fetching what watchMessages(roomId, limit) will give, before anyone watches it (a
   * room opened by its address while the room list is still loading), so that it answers
   * sooner; kept until the returned function is called. Errors (not a member) are ignored.
   * Optional. */
  prefetchMessages?(roomId: string, limit: number): Unsubscribe;
  /** Messages older than `beforeMessageId`, for history on scroll. */
  loadOlderMessages(roomId: string, beforeMessageId: string, limit: number): Promise<MessagePage>;
  /** Messages newer than `afterMessageId`, oldest first: paging down from a permalink. */
  loadNewerMessages?(roomId: string, afterMessageId: string, limit: number): Promise<MessagePage>;
  /** Up to `limit` messages each side of `messageId`; null when the room has no such message. */
  loadAround?(roomId: string, messageId: string, limit: number): Promise<AroundPage | null>;

  sendMessage(roomId: string, draft: MessageDraft): Promise<Message>;
  editMessage(roomId: string, messageId: string, text: string): Promise<void>;
  deleteMessage(roomId: string, messageId: string): Promise<void>;
  toggleReaction(roomId: string, messageId: string, emoji: string): Promise<void>;
  /** The sender takes their message's link preview away (for good); optional. */
  removeLinkPreview?(roomId: string, messageId: string): Promise<void>;
  /** The room's pinned messages, newest pin first, live; optional. */
  watchPins?(roomId: string, subscriber: Subscriber<PinnedMessage[]>): Unsubscribe;

  /** Marks everything up to and including `messageId` as read by the current user. */
  markRead(roomId: string, messageId: string): Promise<void>;
  watchReadReceipts(roomId: string, subscriber: Subscriber<ReadReceipt[]>): Unsubscribe;
  /** Whether others may see how far the current user has read (all rooms); optional. */
  getShareReceipts?(): boolean;
  setShareReceipts?(share: boolean): Promise<void>;

  setTyping(roomId: string, typing: boolean): Promise<void>;
  watchTyping(roomId: string, subscriber: Subscriber<TypingUser[]>): Unsubscribe;

  watchPresence(userIds: string[], subscriber: Subscriber<Map<string, Presence>>): Unsubscribe;
  setOwnPresence(state: PresenceState): Promise<void>;
  /** The room open in this tab while the tab has focus, or null: no push for it meanwhile. */
  setFocusRoom?(roomId: string | null): Promise<void>;

  /** The current user's unread notifications, newest first, at most `limit`, live; optional. */
  watchNotifications?(limit: number, subscriber: Subscriber<NotificationsPage>): Unsubscribe;
  markNotificationsRead?(ids: string[]): Promise<void>;
  markAllNotificationsRead?(): Promise<void>;
}
