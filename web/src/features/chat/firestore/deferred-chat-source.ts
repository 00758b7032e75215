// A ChatDataSource available at once that forwards to the real one when it has loaded, so
// the UI shows "loading" (not "no conversations") while the Firebase SDK modules download.
// No Firebase imports here: this file is part of the first page load.
import type { ChatDataSource, MessagePage, Subscriber, Unsubscribe } from "../data-source";
import type { NotificationsPage } from "@/features/notifications/types";
import type { Message, MessageDraft, Presence, PresenceState, ReadReceipt, RoomSummary, TypingUser } from "../types";

export class DeferredChatSource implements ChatDataSource {
  private readonly ready: Promise<ChatDataSource>;
  private resolveReady!: (source: ChatDataSource) => void;
  private rejectReady!: (error: Error) => void;

  constructor() {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody may be waiting yet; a failure still reaches each later caller.
    this.ready.catch(() => {});
  }

  resolve(source: ChatDataSource): void {
    this.current = source;
    this.resolveReady(source);
  }

  fail(error: Error): void {
    this.rejectReady(error);
  }

  private forward<T>(subscriber: Subscriber<T>, start: (source: ChatDataSource) => Unsubscribe): Unsubscribe {
    let stop: Unsubscribe | null = null;
    let cancelled = false;
    this.ready.then(
      (source) => {
        if (!cancelled) stop = start(source);
      },
      (error: Error) => {
        if (!cancelled) subscriber.error?.(error);
      },
    );
    return () => {
      cancelled = true;
      stop?.();
    };
  }

  watchRooms(subscriber: Subscriber<RoomSummary[]>): Unsubscribe {
    return this.forward(subscriber, (source) => source.watchRooms(subscriber));
  }

  watchMessages(roomId: string, limit: number, subscriber: Subscriber<MessagePage>): Unsubscribe {
    return this.forward(subscriber, (source) => source.watchMessages(roomId, limit, subscriber));
  }

  async loadOlderMessages(roomId: string, beforeMessageId: string, limit: number): Promise<MessagePage> {
    return (await this.ready).loadOlderMessages(roomId, beforeMessageId, limit);
  }

  async sendMessage(roomId: string, draft: MessageDraft): Promise<Message> {
    return (await this.ready).sendMessage(roomId, draft);
  }

  async editMessage(roomId: string, messageId: string, text: string): Promise<void> {
    return (await this.ready).editMessage(roomId, messageId, text);
  }

  async deleteMessage(roomId: string, messageId: string): Promise<void> {
    return (await this.ready).deleteMessage(roomId, messageId);
  }

  async toggleReaction(roomId: string, messageId: string, emoji: string): Promise<void> {
    return (await this.ready).toggleReaction(roomId, messageId, emoji);
  }

  async markRead(roomId: string, messageId: string): Promise<void> {
    return (await this.ready).markRead(roomId, messageId);
  }

  watchReadReceipts(roomId: string, subscriber: Subscriber<ReadReceipt[]>): Unsubscribe {
    return this.forward(subscriber, (source) => source.watchReadReceipts(roomId, subscriber));
  }

  private current: ChatDataSource | null = null;

  getShareReceipts(): boolean {
    return this.current?.getShareReceipts?.() ?? true;
  }

  async setShareReceipts(share: boolean): Promise<void> {
    await (await this.ready).setShareReceipts?.(share);
  }

  async setTyping(roomId: string, typing: boolean): Promise<void> {
    return (await this.ready).setTyping(roomId, typing);
  }

  watchTyping(roomId: string, subscriber: Subscriber<TypingUser[]>): Unsubscribe {
    return this.forward(subscriber, (source) => source.watchTyping(roomId, subscriber));
  }

  watchPresence(userIds: string[], subscriber: Subscriber<Map<string, Presence>>): Unsubscribe {
    return this.forward(subscriber, (source) => source.watchPresence(userIds, subscriber));
  }

  async setOwnPresence(state: PresenceState): Promise<void> {
    return (await this.ready).setOwnPresence(state);
  }

  watchNotifications(limit: number, subscriber: Subscriber<NotificationsPage>): Unsubscribe {
    return this.forward(subscriber, (source) => source.watchNotifications?.(limit, subscriber) ?? (() => {}));
  }

  async markNotificationsRead(ids: string[]): Promise<void> {
    await (await this.ready).markNotificationsRead?.(ids);
  }

  async markAllNotificationsRead(): Promise<void> {
    await (await this.ready).markAllNotificationsRead?.();
  }
}
