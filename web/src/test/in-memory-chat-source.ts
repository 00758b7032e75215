// A ChatDataSource held in memory, for component tests. Not used by the running app.
import { vi } from "vitest";
import type { AroundPage, ChatDataSource, MessagePage, Subscriber } from "@/features/chat/data-source";
import type { Message, MessageDraft, Presence, ReadReceipt, RoomSummary, TypingUser } from "@/features/chat/types";

export class InMemoryChatSource implements ChatDataSource {
  rooms: RoomSummary[] = [];
  messages = new Map<string, Message[]>();
  typing = new Map<string, TypingUser[]>();
  private roomWatchers = new Set<Subscriber<RoomSummary[]>>();
  private messageWatchers = new Set<{ roomId: string; limit: number; subscriber: Subscriber<MessagePage> }>();
  private typingWatchers = new Set<{ roomId: string; subscriber: Subscriber<TypingUser[]> }>();
  private nextId = 1000;

  constructor(private readonly currentUser: { id: string; displayName: string }) {}

  // Spies the tests inspect.
  markRead = vi.fn(async (_roomId: string, _messageId: string) => {});
  setTyping = vi.fn(async (_roomId: string, _typing: boolean) => {});
  sendMessage = vi.fn(async (roomId: string, draft: MessageDraft): Promise<Message> => {
    const message: Message = {
      id: `sent-${this.nextId++}`,
      roomId,
      senderId: this.currentUser.id,
      senderName: this.currentUser.displayName,
      senderAvatarUrl: null,
      text: draft.text,
      createdAt: new Date(),
      editedAt: null,
      deleted: false,
      replyTo: this.replyPreview(roomId, draft.replyToId),
      mentions: draft.mentions ?? [],
      reactions: {},
      attachments: draft.attachments ?? [],
      delivery: "sent",
    };
    this.receive(message);
    return message;
  });

  private replyPreview(roomId: string, messageId: string | undefined): Message["replyTo"] {
    const original = this.messages.get(roomId)?.find((message) => message.id === messageId);
    return original
      ? { messageId: original.id, senderId: original.senderId, senderName: original.senderName, text: original.text }
      : null;
  }

  /** A message arriving in a room, as if from the server. */
  receive(message: Message) {
    this.messages.set(message.roomId, [...(this.messages.get(message.roomId) ?? []), message]);
    this.emitMessages(message.roomId);
  }

  setTypingUsers(roomId: string, users: TypingUser[]) {
    this.typing.set(roomId, users);
    for (const watcher of this.typingWatchers) if (watcher.roomId === roomId) watcher.subscriber.next(users);
  }

  /** The room list changing, as if from the server. */
  setRooms(rooms: RoomSummary[]) {
    this.rooms = rooms;
    for (const watcher of this.roomWatchers) watcher.next(rooms);
  }

  /** What never arrives, as over a connection that hangs (tests of slow loading). */
  silent = { rooms: false, messages: false };

  watchRooms(subscriber: Subscriber<RoomSummary[]>) {
    this.roomWatchers.add(subscriber);
    if (!this.silent.rooms) subscriber.next(this.rooms);
    return () => {
      this.roomWatchers.delete(subscriber);
    };
  }

  watchMessages(roomId: string, limit: number, subscriber: Subscriber<MessagePage>) {
    const watcher = { roomId, limit, subscriber };
    this.messageWatchers.add(watcher);
    if (!this.silent.messages) subscriber.next(this.newest(roomId, limit));
    return () => {
      this.messageWatchers.delete(watcher);
    };
  }

  async loadOlderMessages(roomId: string, beforeMessageId: string, limit: number): Promise<MessagePage> {
    const all = this.messages.get(roomId) ?? [];
    const end = all.findIndex((message) => message.id === beforeMessageId);
    const start = Math.max(0, end - limit);
    return { messages: all.slice(start, end), hasMore: start > 0 };
  }

  async loadNewerMessages(roomId: string, afterMessageId: string, limit: number): Promise<MessagePage> {
    const all = this.messages.get(roomId) ?? [];
    const start = all.findIndex((message) => message.id === afterMessageId) + 1;
    return { messages: all.slice(start, start + limit), hasMore: start + limit < all.length };
  }

  async loadAround(roomId: string, messageId: string, limit: number): Promise<AroundPage | null> {
    const all = this.messages.get(roomId) ?? [];
    const index = all.findIndex((message) => message.id === messageId);
    if (index < 0) return null;
    const start = Math.max(0, index - limit);
    const end = Math.min(all.length, index + limit + 1);
    return { messages: all.slice(start, end), hasOlder: start > 0, hasNewer: end < all.length };
  }

  editMessage = vi.fn(async (roomId: string, messageId: string, text: string) => {
    this.update(roomId, messageId, (message) => ({ ...message, text, editedAt: new Date() }));
  });

  deleteMessage = vi.fn(async (roomId: string, messageId: string) => {
    this.update(roomId, messageId, (message) => ({ ...message, text: "", deleted: true, reactions: {} }));
  });

  toggleReaction = vi.fn(async (roomId: string, messageId: string, emoji: string) => {
    const me = this.currentUser.id;
    this.update(roomId, messageId, (message) => {
      const users = message.reactions[emoji] ?? [];
      const next = users.includes(me) ? users.filter((id) => id !== me) : [...users, me];
      return { ...message, reactions: { ...message.reactions, [emoji]: next } };
    });
  });

  async setOwnPresence() {}

  private update(roomId: string, messageId: string, change: (message: Message) => Message) {
    const messages = this.messages.get(roomId) ?? [];
    this.messages.set(
      roomId,
      messages.map((message) => (message.id === messageId ? change(message) : message)),
    );
    this.emitMessages(roomId);
  }

  watchReadReceipts(_roomId: string, subscriber: Subscriber<ReadReceipt[]>) {
    subscriber.next([]);
    return () => {};
  }

  watchTyping(roomId: string, subscriber: Subscriber<TypingUser[]>) {
    const watcher = { roomId, subscriber };
    this.typingWatchers.add(watcher);
    subscriber.next(this.typing.get(roomId) ?? []);
    return () => this.typingWatchers.delete(watcher);
  }

  watchPresence(_userIds: string[], subscriber: Subscriber<Map<string, Presence>>) {
    subscriber.next(new Map());
    return () => {};
  }

  private newest(roomId: string, limit: number): MessagePage {
    const all = this.messages.get(roomId) ?? [];
    return { messages: all.slice(-limit), hasMore: all.length > limit };
  }

  private emitMessages(roomId: string) {
    for (const watcher of this.messageWatchers) {
      if (watcher.roomId === roomId) watcher.subscriber.next(this.newest(roomId, watcher.limit));
    }
  }
}
