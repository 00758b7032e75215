// What the chat UI needs from the real-time backend. The Firestore + RTDB implementation
// lands with the emulators; components and hooks depend only on this interface, and tests
// pass an in-memory one.
import type {
  Message,
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

export interface ChatDataSource {
  /** The current user's rooms, most recently active first; called again on every change. */
  watchRooms(subscriber: Subscriber<RoomSummary[]>): Unsubscribe;

  /** The newest `limit` messages of a room, live; oldest first. */
  watchMessages(roomId: string, limit: number, subscriber: Subscriber<MessagePage>): Unsubscribe;
  /** Messages older than `beforeMessageId`, for history on scroll. */
  loadOlderMessages(roomId: string, beforeMessageId: string, limit: number): Promise<MessagePage>;

  sendMessage(roomId: string, draft: MessageDraft): Promise<Message>;
  editMessage(roomId: string, messageId: string, text: string): Promise<void>;
  deleteMessage(roomId: string, messageId: string): Promise<void>;
  toggleReaction(roomId: string, messageId: string, emoji: string): Promise<void>;

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

  /** The current user's unread notifications, newest first, at most `limit`, live; optional. */
  watchNotifications?(limit: number, subscriber: Subscriber<NotificationsPage>): Unsubscribe;
  markNotificationsRead?(ids: string[]): Promise<void>;
  markAllNotificationsRead?(): Promise<void>;
}
