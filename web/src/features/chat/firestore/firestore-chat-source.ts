// ChatDataSource on Firestore (rooms, messages, reads, typing) and the Realtime Database
// (this tab's presence). Loaded lazily after sign-in; see live-chat-provider.tsx.
import {
  collection,
  deleteField,
  doc,
  FieldPath,
  getCountFromServer,
  getDoc,
  getDocs,
  limit as limitTo,
  onSnapshot,
  orderBy,
  query,
  serverTimestamp,
  setDoc,
  startAfter,
  Timestamp,
  updateDoc,
  where,
  type DocumentSnapshot,
  type Firestore,
  type QueryDocumentSnapshot,
} from "firebase/firestore";
import type { Database } from "firebase/database";
import type { ChatDataSource, MessagePage, Subscriber, Unsubscribe } from "../data-source";
import type { Message, MessageDraft, MessageReplyPreview, Presence, PresenceState, ReadReceipt, RoomSummary, TypingUser } from "../types";
import {
  activeTypers,
  attachmentToDocument,
  displayNameOf,
  findMentions,
  mayHaveUnread,
  peerOf,
  presenceFrom,
  receiptsFrom,
  replyPreviewOf,
  sortRooms,
  toggleEmoji,
  toMessage,
  toRoomSummary,
  unreadSince,
  roomsMentioning,
  type MemberDocument,
  type MessageDocument,
  type NotificationDocument,
  type MyRoomDocument,
  type ReadMarkerDocument,
  type RoomDocument,
  type TypingDocument,
} from "./documents";
import { markAllNotificationsRead, markNotificationsRead, watchUnreadNotifications } from "@/features/notifications/firestore-notifications";
import type { NotificationsPage } from "@/features/notifications/types";
import { OwnPresence } from "./own-presence";
import { ProfileDirectory } from "./profiles";

/** Typing documents live this long (the rules allow at most 15 s) and are refreshed before. */
const TYPING_TTL_MS = 10_000;
const TYPING_REFRESH_MS = 7_000;
/** Stop claiming to type after this long without a new setTyping(true) (a keystroke). */
const TYPING_GIVE_UP_MS = 12_000;
/** How often expired typing documents are dropped from what readers see. */
const TYPING_SWEEP_MS = 2_000;

function shareReceiptsKey(uid: string): string {
  return `flowchat.shareReceipts.${uid}`;
}

function readShareReceipts(uid: string): boolean {
  try {
    return localStorage.getItem(shareReceiptsKey(uid)) !== "false";
  } catch {
    return true;
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

interface RoomEntry {
  mine: MyRoomDocument;
  room: RoomDocument | undefined;
  marker: ReadMarkerDocument | undefined;
  member: MemberDocument | undefined;
  unreadCount: number;
  /** The lastMessageAt/marker pair the count was made for, so it is recounted only when they move. */
  countedFor: string | null;
  stops: (() => void)[];
}

export class FirestoreChatSource implements ChatDataSource {
  private readonly profiles: ProfileDirectory;
  private readonly presence: OwnPresence;
  /** Snapshots seen per message id: history cursors and read-marker timestamps. */
  private readonly snapshots = new Map<string, QueryDocumentSnapshot>();
  private readonly replyCache = new Map<string, MessageDocument | null>();
  private readonly typingTimers = new Map<string, { refresh: ReturnType<typeof setInterval>; giveUp: ReturnType<typeof setTimeout> }>();
  private readonly ownMarkers = new Map<string, ReadMarkerDocument>();
  /** Each room's members for matching @mentions; dropped when the room's member count moves. */
  private readonly memberNames = new Map<string, Promise<{ uid: string; username: string }[]>>();
  /** The person's unread notifications (mentions, direct messages), while the room list is watched. */
  private unreadNotifications: { id: string; data: NotificationDocument }[] = [];
  /** This device's choice (localStorage), written into every read marker. */
  private shareReceipts: boolean;

  constructor(
    private readonly db: Firestore,
    rtdb: Database,
    private readonly uid: string,
  ) {
    this.profiles = new ProfileDirectory(db);
    this.shareReceipts = readShareReceipts(uid);
    this.presence = new OwnPresence(rtdb, uid);
    this.presence.start();
  }

  async dispose(): Promise<void> {
    for (const roomId of [...this.typingTimers.keys()]) this.stopTypingTimers(roomId);
    this.profiles.stopAll();
    await this.presence.stop();
  }

  private messagesOf(roomId: string) {
    return collection(this.db, "rooms", roomId, "messages");
  }

  // --- rooms ---

  watchRooms(subscriber: Subscriber<RoomSummary[]>): Unsubscribe {
    const entries = new Map<string, RoomEntry>();
    const people = this.profiles.group(() => emit());
    let mentioning = new Set<string>();
    let listLoaded = false;
    let stopped = false;

    const emit = () => {
      if (stopped || !listLoaded) return;
      const summaries: RoomSummary[] = [];
      for (const [id, entry] of entries) {
        if (!entry.room) continue;
        const peerId = peerOf(entry.room, this.uid);
        if (peerId && !people.loaded(peerId)) continue;
        summaries.push(
          toRoomSummary({
            id,
            room: entry.room,
            mine: entry.mine,
            currentUserId: this.uid,
            unreadCount: entry.unreadCount,
            mentioned: mentioning.has(id),
            ...(entry.member ? { member: entry.member } : {}),
            profileOf: (uid) => people.get(uid),
          }),
        );
      }
      subscriber.next(sortRooms(summaries));
    };

    const recount = (roomId: string, entry: RoomEntry) => {
      const since = unreadSince(entry.marker?.lastReadAt, entry.mine.joinedAt);
      const lastAt = entry.room?.lastMessageAt;
      const key = `${lastAt?.toMillis() ?? "none"}:${since?.toMillis() ?? "none"}`;
      if (key === entry.countedFor) return;
      entry.countedFor = key;
      if (!mayHaveUnread(lastAt, since)) {
        entry.unreadCount = 0;
        emit();
        return;
      }
      const unread = since
        ? query(this.messagesOf(roomId), where("createdAt", ">", since))
        : query(this.messagesOf(roomId));
      getCountFromServer(unread)
        .then((result) => {
          if (entry.countedFor !== key || stopped) return; // a newer count is under way
          entry.unreadCount = result.data().count;
          emit();
        })
        .catch((error: unknown) => console.warn("unread count failed", roomId, error));
    };

    const follow = (roomId: string, entry: RoomEntry) => {
      entry.stops.push(
        onSnapshot(
          doc(this.db, "rooms", roomId),
          (snapshot) => {
            const before = entry.room?.memberCount;
            entry.room = snapshot.data() as RoomDocument | undefined;
            // Someone joined or left: @mentions must be matched against the new member list.
            if (entry.room?.memberCount !== before) this.memberNames.delete(roomId);
            if (entry.room) {
              const peerId = peerOf(entry.room, this.uid);
              const lastSender = entry.room.lastMessage?.senderId;
              people.follow([peerId ?? "", entry.room.kind === "group" ? (lastSender ?? "") : ""]);
              recount(roomId, entry);
            }
            emit();
          },
          () => {
            // No longer a member: the room list drops it when users/{uid}/rooms does.
            entry.room = undefined;
            emit();
          },
        ),
        onSnapshot(
          doc(this.db, "rooms", roomId, "reads", this.uid),
          (snapshot) => {
            // A marker just written locally has no server time yet: estimate it, or the count
            // would briefly go back to everything since joining.
            entry.marker = snapshot.data({ serverTimestamps: "estimate" }) as ReadMarkerDocument | undefined;
            if (entry.marker) this.ownMarkers.set(roomId, entry.marker);
            recount(roomId, entry);
          },
          () => {},
        ),
        onSnapshot(
          doc(this.db, "rooms", roomId, "members", this.uid),
          (snapshot) => {
            entry.member = snapshot.data() as MemberDocument | undefined;
            emit();
          },
          () => {},
        ),
      );
    };

    const stopList = onSnapshot(
      collection(this.db, "users", this.uid, "rooms"),
      (snapshot) => {
        const present = new Set<string>();
        for (const item of snapshot.docs) {
          present.add(item.id);
          const mine = item.data() as MyRoomDocument;
          const existing = entries.get(item.id);
          if (existing) {
            existing.mine = mine;
            continue;
          }
          const entry: RoomEntry = { mine, room: undefined, marker: undefined, member: undefined, unreadCount: 0, countedFor: null, stops: [] };
          entries.set(item.id, entry);
          follow(item.id, entry);
        }
        for (const [id, entry] of entries) {
          if (present.has(id)) continue;
          for (const stop of entry.stops) stop();
          entries.delete(id);
        }
        listLoaded = true;
        emit();
      },
      (error) => subscriber.error?.(toError(error)),
    );

    // One listener for all rooms: unread notifications say which rooms mention the person.
    const stopNotifications = onSnapshot(
      query(collection(this.db, "users", this.uid, "notifications"), where("read", "==", false)),
      (snapshot) => {
        this.unreadNotifications = snapshot.docs.map((item) => ({ id: item.id, data: item.data() as NotificationDocument }));
        mentioning = roomsMentioning(this.unreadNotifications.map((item) => item.data));
        emit();
      },
      () => {},
    );

    return () => {
      stopped = true;
      stopList();
      stopNotifications();
      for (const entry of entries.values()) for (const stop of entry.stops) stop();
      people.stop();
    };
  }

  // --- messages ---

  private replyPreview(roomId: string, messageId: string, window: Map<string, MessageDocument>, people: { get: (uid: string) => ReturnType<ProfileDirectory["get"]> }, refetch: () => void): MessageReplyPreview | null {
    const data = window.get(messageId) ?? this.replyCache.get(`${roomId}/${messageId}`);
    if (data) return replyPreviewOf(messageId, data, displayNameOf(people.get(data.senderId)));
    if (!this.replyCache.has(`${roomId}/${messageId}`)) {
      this.replyCache.set(`${roomId}/${messageId}`, null);
      getDoc(doc(this.messagesOf(roomId), messageId))
        .then((snapshot) => {
          this.replyCache.set(`${roomId}/${messageId}`, (snapshot.data() as MessageDocument | undefined) ?? null);
          refetch();
        })
        .catch(() => {});
    }
    return null;
  }

  private toMessages(roomId: string, docs: readonly QueryDocumentSnapshot[], people: ReturnType<ProfileDirectory["group"]>, refresh: () => void): Message[] {
    const window = new Map<string, MessageDocument>();
    for (const snapshot of docs) window.set(snapshot.id, snapshot.data({ serverTimestamps: "estimate" }) as MessageDocument);
    const now = new Date();
    const senders = new Set<string>();
    for (const data of window.values()) senders.add(data.senderId);
    for (const data of this.replyCache.values()) if (data) senders.add(data.senderId);
    people.follow(senders);
    return docs.map((snapshot) =>
      toMessage({
        id: snapshot.id,
        roomId,
        data: window.get(snapshot.id)!,
        pending: snapshot.metadata.hasPendingWrites,
        now,
        profileOf: (uid) => people.get(uid),
        replyPreview: (replyId) => this.replyPreview(roomId, replyId, window, people, refresh),
      }),
    );
  }

  watchMessages(roomId: string, limit: number, subscriber: Subscriber<MessagePage>): Unsubscribe {
    let docs: QueryDocumentSnapshot[] = [];
    let hasMore = false;
    let loaded = false;
    const emit = () => {
      if (!loaded) return;
      const newestFirst = this.toMessages(roomId, docs.slice(0, limit), people, emit);
      subscriber.next({ messages: newestFirst.reverse(), hasMore });
    };
    const people = this.profiles.group(emit);
    const newest = query(this.messagesOf(roomId), orderBy("createdAt", "desc"), limitTo(limit + 1));
    const stop = onSnapshot(
      newest,
      { includeMetadataChanges: true },
      (snapshot) => {
        docs = snapshot.docs;
        hasMore = docs.length > limit;
        for (const item of docs) this.snapshots.set(item.id, item);
        loaded = true;
        emit();
      },
      (error) => subscriber.error?.(toError(error)),
    );
    return () => {
      stop();
      people.stop();
    };
  }

  async loadOlderMessages(roomId: string, beforeMessageId: string, limit: number): Promise<MessagePage> {
    const cursor: DocumentSnapshot = this.snapshots.get(beforeMessageId) ?? (await getDoc(doc(this.messagesOf(roomId), beforeMessageId)));
    const result = await getDocs(query(this.messagesOf(roomId), orderBy("createdAt", "desc"), startAfter(cursor), limitTo(limit + 1)));
    const docs = result.docs.slice(0, limit);
    for (const item of docs) this.snapshots.set(item.id, item);
    const people = this.profiles.group(() => {});
    // Wait (briefly) for the senders' names, so the page does not flash "Someone".
    const senders = [...new Set(docs.map((item) => (item.data() as MessageDocument).senderId))];
    people.follow(senders);
    for (let attempt = 0; attempt < 40 && !senders.every((uid) => people.loaded(uid)); attempt++) {
      await new Promise<void>((resolve) => setTimeout(resolve, 50));
    }
    const messages = this.toMessages(roomId, docs, people, () => {}).reverse();
    people.stop();
    return { messages, hasMore: result.docs.length > limit };
  }

  private async mentionsIn(roomId: string, text: string): Promise<string[]> {
    if (!text.includes("@")) return [];
    let members = this.memberNames.get(roomId);
    if (!members) {
      members = getDocs(collection(this.db, "rooms", roomId, "members")).then((snapshot) =>
        Promise.all(
          snapshot.docs.map(async (member) => {
            const profile = await getDoc(doc(this.db, "users", member.id));
            return { uid: member.id, username: String(profile.get("username") ?? "") };
          }),
        ),
      );
      this.memberNames.set(roomId, members);
      members.catch(() => this.memberNames.delete(roomId));
    }
    return findMentions(text, await members);
  }

  async sendMessage(roomId: string, draft: MessageDraft): Promise<Message> {
    this.stopTypingTimers(roomId);
    const ref = doc(this.messagesOf(roomId));
    const mentions = draft.mentions ?? (await this.mentionsIn(roomId, draft.text).catch(() => []));
    const fields: Record<string, unknown> = {
      senderId: this.uid,
      text: draft.text,
      createdAt: serverTimestamp(),
      clientId: crypto.randomUUID(),
    };
    if (draft.replyToId) fields.replyTo = draft.replyToId;
    if (mentions.length > 0) fields.mentions = mentions;
    if (draft.attachments?.length) fields.attachments = draft.attachments.map(attachmentToDocument);
    // Sending ends "typing…" at once rather than when the typing document expires.
    void this.writeTyping(roomId, false).catch(() => {});
    await setDoc(ref, fields);
    const self = this.profiles.get(this.uid);
    return {
      id: ref.id,
      roomId,
      senderId: this.uid,
      senderName: displayNameOf(self),
      senderAvatarUrl: self?.avatarUrl ?? null,
      text: draft.text,
      createdAt: new Date(),
      editedAt: null,
      deleted: false,
      replyTo: null,
      mentions,
      reactions: {},
      attachments: draft.attachments ?? [],
      delivery: "sent",
    };
  }

  async editMessage(roomId: string, messageId: string, text: string): Promise<void> {
    await updateDoc(doc(this.messagesOf(roomId), messageId), { text, editedAt: serverTimestamp() });
  }

  async deleteMessage(roomId: string, messageId: string): Promise<void> {
    await updateDoc(doc(this.messagesOf(roomId), messageId), {
      deleted: true,
      deletedAt: serverTimestamp(),
      deletedBy: this.uid,
      text: "",
      attachments: [],
    });
  }

  async toggleReaction(roomId: string, messageId: string, emoji: string): Promise<void> {
    const ref = doc(this.messagesOf(roomId), messageId);
    const known = this.snapshots.get(messageId);
    const data = (known ?? (await getDoc(ref))).data() as MessageDocument | undefined;
    const mine = toggleEmoji(data?.reactions?.[this.uid], emoji);
    await updateDoc(ref, new FieldPath("reactions", this.uid), mine.length > 0 ? mine : deleteField());
  }

  // --- read markers and receipts ---

  async markRead(roomId: string, messageId: string): Promise<void> {
    const createdAt = this.snapshots.get(messageId)?.get("createdAt") as Timestamp | null | undefined;
    const previous = this.ownMarkers.get(roomId) ?? ((await getDoc(doc(this.db, "rooms", roomId, "reads", this.uid))).data() as ReadMarkerDocument | undefined);
    if (previous?.lastReadMessageId === messageId) return;
    if (createdAt && previous?.lastReadAt && previous.lastReadAt.toMillis() >= createdAt.toMillis()) return;
    const marker = { lastReadAt: createdAt ?? serverTimestamp(), lastReadMessageId: messageId, shareReceipts: this.shareReceipts };
    await setDoc(doc(this.db, "rooms", roomId, "reads", this.uid), marker);
    // Notifications for what is now read are done with (the rules allow only read: true).
    const readUpTo = createdAt?.toMillis() ?? Date.now();
    const done = this.unreadNotifications.filter(
      ({ data }) => data.roomId === roomId && (data.createdAt?.toMillis() ?? 0) <= readUpTo,
    );
    await this.markNotificationsRead(done.map(({ id }) => id)).catch(() => {});
  }

  getShareReceipts(): boolean {
    return this.shareReceipts;
  }

  /** Remembers the choice and rewrites the markers of the rooms already read. */
  async setShareReceipts(share: boolean): Promise<void> {
    this.shareReceipts = share;
    localStorage.setItem(shareReceiptsKey(this.uid), share ? "true" : "false");
    await Promise.all(
      [...this.ownMarkers].map(async ([roomId, marker]) => {
        if (!marker.lastReadAt || !marker.lastReadMessageId || marker.shareReceipts === share) return;
        const updated = { lastReadAt: marker.lastReadAt, lastReadMessageId: marker.lastReadMessageId, shareReceipts: share };
        await setDoc(doc(this.db, "rooms", roomId, "reads", this.uid), updated);
      }),
    );
  }

  watchReadReceipts(roomId: string, subscriber: Subscriber<ReadReceipt[]>): Unsubscribe {
    // Rules are not filters: only shared markers may be asked for.
    const shared = query(collection(this.db, "rooms", roomId, "reads"), where("shareReceipts", "==", true));
    return onSnapshot(
      shared,
      (snapshot) => subscriber.next(receiptsFrom(snapshot.docs.map((item) => ({ uid: item.id, data: item.data() as ReadMarkerDocument })))),
      (error) => subscriber.error?.(toError(error)),
    );
  }

  // --- typing ---

  private stopTypingTimers(roomId: string) {
    const timers = this.typingTimers.get(roomId);
    if (!timers) return;
    clearInterval(timers.refresh);
    clearTimeout(timers.giveUp);
    this.typingTimers.delete(roomId);
  }

  private writeTyping(roomId: string, typing: boolean): Promise<void> {
    const expiresAt = Timestamp.fromMillis(Date.now() + (typing ? TYPING_TTL_MS : 0));
    return setDoc(doc(this.db, "rooms", roomId, "typing", this.uid), { typing, expiresAt });
  }

  /**
   * true on every keystroke is fine: it only re-arms the give-up timer while the document is
   * fresh; the document itself is rewritten every TYPING_REFRESH_MS while typing goes on.
   */
  async setTyping(roomId: string, typing: boolean): Promise<void> {
    const current = this.typingTimers.get(roomId);
    if (typing && current) {
      clearTimeout(current.giveUp);
      current.giveUp = setTimeout(() => void this.setTyping(roomId, false).catch(() => {}), TYPING_GIVE_UP_MS);
      return;
    }
    this.stopTypingTimers(roomId);
    if (typing) {
      const refresh = setInterval(() => void this.writeTyping(roomId, true).catch(() => {}), TYPING_REFRESH_MS);
      const giveUp = setTimeout(() => void this.setTyping(roomId, false).catch(() => {}), TYPING_GIVE_UP_MS);
      this.typingTimers.set(roomId, { refresh, giveUp });
    }
    await this.writeTyping(roomId, typing);
  }

  watchTyping(roomId: string, subscriber: Subscriber<TypingUser[]>): Unsubscribe {
    let entries: { uid: string; data: TypingDocument }[] = [];
    let last = "";
    const emit = () => {
      const typers = activeTypers(entries, new Date(), this.uid, (uid) => people.get(uid));
      const key = typers.map((user) => `${user.userId}:${user.displayName}`).join(",");
      if (key === last) return;
      last = key;
      subscriber.next(typers);
    };
    const people = this.profiles.group(emit);
    const stop = onSnapshot(
      collection(this.db, "rooms", roomId, "typing"),
      (snapshot) => {
        entries = snapshot.docs.map((item) => ({ uid: item.id, data: item.data() as TypingDocument }));
        people.follow(entries.filter((entry) => entry.data.typing).map((entry) => entry.uid));
        emit();
      },
      (error) => subscriber.error?.(toError(error)),
    );
    const sweep = setInterval(emit, TYPING_SWEEP_MS);
    return () => {
      stop();
      clearInterval(sweep);
      people.stop();
    };
  }

  // --- presence ---

  watchPresence(userIds: string[], subscriber: Subscriber<Map<string, Presence>>): Unsubscribe {
    const emit = () => {
      const states = new Map<string, Presence>();
      for (const uid of userIds) if (people.loaded(uid)) states.set(uid, presenceFrom(people.get(uid)));
      subscriber.next(states);
    };
    const people = this.profiles.group(emit);
    people.follow(userIds);
    emit();
    return () => people.stop();
  }

  async setOwnPresence(state: PresenceState): Promise<void> {
    await this.presence.setState(state);
  }

  // --- notifications (features/notifications) ---

  watchNotifications(limit: number, subscriber: Subscriber<NotificationsPage>): Unsubscribe {
    return watchUnreadNotifications(this.db, this.uid, limit, subscriber);
  }

  markNotificationsRead(ids: string[]): Promise<void> {
    return markNotificationsRead(this.db, this.uid, ids);
  }

  markAllNotificationsRead(): Promise<void> {
    return markAllNotificationsRead(this.db, this.uid);
  }
}
