// A ChatDataSource available at once that forwards to the real one when it has loaded, so
// the UI shows "loading" (not "no conversations") while the Firebase SDK modules download.
// Given the person's last known state (last-known-state.ts), it shows that meanwhile: the
// room list and a room's newest messages as last seen paint at once, and the real source's
// answers replace them (and are kept as the new last known state).
// No Firebase imports here: this file is part of the first page load.
import {
  isPermissionDenied,
  type AroundPage,
  type ChatDataSource,
  type MessagePage,
  type Subscriber,
  type Unsubscribe,
} from "../data-source";
import type { LastKnownState } from "../last-known-state";
import { markLoad } from "@/lib/load-marks";
import type { NotificationsPage } from "@/features/notifications/types";
import type {
  Message,
  MessageDraft,
  PinnedMessage,
  Presence,
  PresenceState,
  ReadReceipt,
  RoomSummary,
  TypingUser,
} from "../types";

export class DeferredChatSource implements ChatDataSource {
  private readonly ready: Promise<ChatDataSource>;
  private resolveReady!: (source: ChatDataSource) => void;
  private rejectReady!: (error: Error) => void;

  /** Per room shown from the last known state and not yet from the real source: the ids
   * shown, and who waits for the real page (see markRead). */
  private readonly fromLastKnown = new Map<
    string,
    { ids: Set<string>; waiters: ((ids: Set<string> | null) => void)[] }
  >();

  constructor(private readonly lastKnown: LastKnownState | null = null) {
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

  /** Keeps the real source's answers as the last known state until the returned function is
   * called (the session ended, or a new connection replaces this one). */
  keepLastKnown(): () => void {
    return this.lastKnown?.start() ?? (() => {});
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

  /** Whether the real source has given the room list. */
  private roomsAnswered = false;
  /** Rooms whose messages the real source has given (its own cache has them from then on). */
  private readonly messagesAnswered = new Set<string>();

  /** What the last known state holds, read once (the same objects each time they are asked for). */
  private lastKnownList: RoomSummary[] | null | undefined;
  private readonly lastKnownPages = new Map<string, MessagePage | null>();

  /** Whether the last known state has a page of this room to show until the real one. */
  hasLastKnownMessages(roomId: string): boolean {
    return this.lastKnownMessages(roomId, 1) !== null;
  }

  lastKnownRooms(): RoomSummary[] | null {
    if (this.roomsAnswered) return null;
    if (this.lastKnownList === undefined) this.lastKnownList = this.lastKnown?.rooms() ?? null;
    return this.lastKnownList;
  }

  lastKnownMessages(roomId: string, limit: number): MessagePage | null {
    if (this.messagesAnswered.has(roomId)) return null;
    const key = `${limit}:${roomId}`;
    if (!this.lastKnownPages.has(key)) {
      const page = this.lastKnown?.messages(roomId, limit) ?? null;
      if (page && limit > 1) markLoad("last-known-messages", { messages: page.messages.length });
      this.lastKnownPages.set(key, page);
    }
    return this.lastKnownPages.get(key) ?? null;
  }

  watchRooms(subscriber: Subscriber<RoomSummary[]>): Unsubscribe {
    const lastSeen = this.lastKnownRooms();
    if (lastSeen) subscriber.next(lastSeen);
    return this.forward(subscriber, (source) =>
      source.watchRooms({
        next: (rooms) => {
          this.roomsAnswered = true;
          this.lastKnown?.saveRooms(rooms);
          subscriber.next(rooms);
        },
        error: (error) => subscriber.error?.(error),
      }),
    );
  }

  watchMessages(roomId: string, limit: number, subscriber: Subscriber<MessagePage>): Unsubscribe {
    const lastSeen = this.lastKnownMessages(roomId, limit);
    if (lastSeen) {
      const shown = this.fromLastKnown.get(roomId) ?? { ids: new Set<string>(), waiters: [] };
      for (const message of lastSeen.messages) shown.ids.add(message.id);
      this.fromLastKnown.set(roomId, shown);
      subscriber.next(lastSeen);
    }
    const stop = this.forward(subscriber, (source) =>
      source.watchMessages(roomId, limit, {
        next: (page) => {
          this.messagesAnswered.add(roomId);
          this.lastKnown?.saveMessages(roomId, page);
          this.settleLastKnown(roomId, new Set(page.messages.map((message) => message.id)));
          subscriber.next(page);
        },
        error: (error) => {
          // No longer the person's room: what was kept of it goes.
          if (isPermissionDenied(error)) this.lastKnown?.forgetRoom(roomId);
          subscriber.error?.(error);
        },
      }),
    );
    return () => {
      stop();
      this.settleLastKnown(roomId, null);
    };
  }

  prefetchMessages(roomId: string, limit: number): Unsubscribe {
    return this.forward({ next: () => {} }, (source) => source.prefetchMessages?.(roomId, limit) ?? (() => {}));
  }

  /** The real source's first page of a room shown from the last known state (null: the
   * room is no longer watched). */
  private settleLastKnown(roomId: string, ids: Set<string> | null): void {
    const shown = this.fromLastKnown.get(roomId);
    if (!shown) return;
    this.fromLastKnown.delete(roomId);
    for (const waiter of shown.waiters) waiter(ids);
  }

  async loadOlderMessages(roomId: string, beforeMessageId: string, limit: number): Promise<MessagePage> {
    return (await this.ready).loadOlderMessages(roomId, beforeMessageId, limit);
  }

  async loadNewerMessages(roomId: string, afterMessageId: string, limit: number): Promise<MessagePage> {
    const source = await this.ready;
    if (!source.loadNewerMessages) return { messages: [], hasMore: false };
    return source.loadNewerMessages(roomId, afterMessageId, limit);
  }

  async loadAround(roomId: string, messageId: string, limit: number): Promise<AroundPage | null> {
    const source = await this.ready;
    return source.loadAround ? source.loadAround(roomId, messageId, limit) : null;
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

  async removeLinkPreview(roomId: string, messageId: string): Promise<void> {
    await (await this.ready).removeLinkPreview?.(roomId, messageId);
  }

  watchPins(roomId: string, subscriber: Subscriber<PinnedMessage[]>): Unsubscribe {
    return this.forward(subscriber, (source) => source.watchPins?.(roomId, subscriber) ?? (() => {}));
  }

  async markRead(roomId: string, messageId: string): Promise<void> {
    const source = await this.ready;
    // A message shown from the last known state: the real source does not know when it was
    // sent, and newer messages may have arrived since. Read up to it only once the real page
    // has it (the view marks the real newest message itself when it shows).
    const shown = this.fromLastKnown.get(roomId);
    if (shown?.ids.has(messageId)) {
      const live = await new Promise<Set<string> | null>((resolve) => shown.waiters.push(resolve));
      if (!live?.has(messageId)) return;
    }
    return source.markRead(roomId, messageId);
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

  async setFocusRoom(roomId: string | null): Promise<void> {
    await (await this.ready).setFocusRoom?.(roomId);
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
