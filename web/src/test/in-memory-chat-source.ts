// A ChatDataSource held in memory, for component tests. Not used by the running app.
import { vi } from "vitest";
import type { ChatDataSource, MessagePage, Subscriber } from "@/features/chat/data-source";
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
      replyTo: null,
      mentions: draft.mentions ?? [],
      reactions: {},
      attachments: draft.attachments ?? [],
      delivery: "sent",
    };
    this.receive(message);
    return message;
  });

  /** A message arriving in a room, as if from the server. */
  receive(message: Message) {
    this.messages.set(message.roomId, [...(this.messages.get(message.roomId) ?? []), message]);
    this.emitMessages(message.roomId);
  }

  setTypingUsers(roomId: string, users: TypingUser[]) {
    this.typing.set(roomId, users);
    for (const watcher of this.typingWatchers) if (watcher.roomId === roomId) watcher.subscriber.next(users);
  }

  watchRooms(subscriber: Subscriber<RoomSummary[]>) {
    this.roomWatchers.add(subscriber);
    subscriber.next(this.rooms);
    return () => this.roomWatchers.delete(subscriber);
  }

  watchMessages(roomId: string, limit: number, subscriber: Subscriber<MessagePage>) {
    const watcher = { roomId, limit, subscriber };
    this.messageWatchers.add(watcher);
    subscriber.next(this.newest(roomId, limit));
    return () => this.messageWatchers.delete(watcher);
  }

  async loadOlderMessages(roomId: string, beforeMessageId: string, limit: number): Promise<MessagePage> {
    const all = this.messages.get(roomId) ?? [];
    const end = all.findIndex((message) => message.id === beforeMessageId);
    const start = Math.max(0, end - limit);
    return { messages: all.slice(start, end), hasMore: start > 0 };
  }

  async editMessage() {}
  async deleteMessage() {}
  async toggleReaction() {}
  async setOwnPresence() {}

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
