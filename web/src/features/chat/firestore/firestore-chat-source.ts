// ChatDataSource on Firestore (rooms, messages, reads, typing) and the Realtime Database
// (this tab's presence). Loaded lazily after sign-in; see live-chat-provider.tsx.
import {
  collection,
  deleteField,
  doc,
  documentId,
  FieldPath,
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
import {
  isPermissionDenied,
  type AroundPage,
  type ChatDataSource,
  type MessagePage,
  type Subscriber,
  type Unsubscribe,
} from "../data-source";
import type {
  Message,
  MessageDraft,
  MessageReplyPreview,
  PinnedMessage,
  Presence,
  PresenceState,
  ReadReceipt,
  RoomSummary,
  TypingUser,
} from "../types";
import {
  activeTypers,
  attachmentToDocument,
  displayNameOf,
  findMentions,
  peerOf,
  pinnedMessageOf,
  presenceFrom,
  receiptsFrom,
  replyPreviewOf,
  sortRooms,
  toggleEmoji,
  toMessage,
  toRoomSummary,
  roomsMentioning,
  rowProfiles,
  type MemberDocument,
  type MessageDocument,
  type NotificationDocument,
  type PinDocument,
  type MyRoomDocument,
  type ReadMarkerDocument,
  type RoomDocument,
  type TypingDocument,
} from "./documents";
import {
  markAllNotificationsRead,
  markNotificationsRead,
  watchUnreadNotifications,
} from "@/features/notifications/firestore-notifications";
import type { NotificationsPage } from "@/features/notifications/types";
import { frameBatch } from "@/lib/frame-batch";
import { reportBackend, resetBackendReports } from "@/lib/backend-connection";
import { markLoad } from "@/lib/load-marks";
import { OwnPresence } from "./own-presence";
import { ProfileDirectory } from "./profiles";
import { readSeqToWrite, unreadCount } from "./unread";

/** A room's readSeq is written at most this often from one device (see advanceReadSeq). */
const READ_SEQ_INTERVAL_MS = 1_000;
/**
 * Typing documents live this long (the rules allow at most 15 s) and are refreshed before,
 * so a typer whose tab vanished stops showing within a few seconds.
 */
const TYPING_TTL_MS = 6_000;
const TYPING_REFRESH_MS = 4_000;
/** Stop claiming to type this long after the last keystroke. */
const TYPING_GIVE_UP_MS = 4_000;
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

/** The documents of a room that is open somewhere: what its header and composer need
 * beyond the room-list row (member count, archived, whether the person may post). */
interface OpenRoom {
  views: number;
  room: RoomDocument | undefined;
  member: MemberDocument | undefined;
  stops: (() => void)[];
}

export class FirestoreChatSource implements ChatDataSource {
  private readonly profiles: ProfileDirectory;
  private readonly presence: OwnPresence;
  /** Snapshots seen per message id: history cursors and read-marker timestamps. */
  private readonly snapshots = new Map<string, DocumentSnapshot>();
  private readonly replyCache = new Map<string, MessageDocument | null>();
  private readonly typingTimers = new Map<
    string,
    { refresh: ReturnType<typeof setInterval>; giveUp: ReturnType<typeof setTimeout> }
  >();
  /** The person's own read markers (receipts), as last read or written here. */
  private readonly ownMarkers = new Map<string, ReadMarkerDocument>();
  /** The room-list rows, while the room list is watched. */
  private readonly rows = new Map<string, MyRoomDocument>();
  /** Per room, the send time of the newest message the person has read on this device. */
  private readonly readUpTo = new Map<string, number>();
  /** Per room, the last readSeq written from here (so a burst of rows writes it once). */
  private readonly readSeqWritten = new Map<string, number>();
  /** Per room, when readSeq was last written from here, and the write waiting its turn. */
  private readonly readSeqPacing = new Map<string, { at: number; later?: ReturnType<typeof setTimeout> }>();
  private readonly openRooms = new Map<string, OpenRoom>();
  /** Per open room, the send times of the messages its live window holds (unread.ts). */
  private readonly sentTimes = new Map<string, number[]>();
  private readonly openRoomWatchers = new Set<(roomId: string) => void>();
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
    // The person's own profile, with metadata: served from the cache means the server is not
    // answering (the SDK goes offline after a failed attempt or about 10 s without an answer).
    this.stopReachability = onSnapshot(
      doc(db, "users", uid),
      { includeMetadataChanges: true },
      (snapshot) => reportBackend("firestore", !snapshot.metadata.fromCache),
      () => reportBackend("firestore", false),
    );
  }

  private readonly stopReachability: () => void;

  async dispose(): Promise<void> {
    this.stopReachability();
    resetBackendReports();
    for (const roomId of [...this.typingTimers.keys()]) this.stopTypingTimers(roomId);
    for (const { later } of this.readSeqPacing.values()) clearTimeout(later);
    this.readSeqPacing.clear();
    this.profiles.stopAll();
    await this.presence.stop();
  }

  private messagesOf(roomId: string) {
    return collection(this.db, "rooms", roomId, "messages");
  }

  // --- rooms ---

  /**
   * The whole room list from one listener on `users/{uid}/rooms`: each row carries what the
   * list shows and the numbers unread counts come from (unread.ts), so a load costs one read
   * per room and later only changed rows are billed. Rows are mapped again only when they
   * change, and the list is handed on at most once per frame.
   */
  watchRooms(subscriber: Subscriber<RoomSummary[]>): Unsubscribe {
    const summaries = new Map<string, RoomSummary>();
    const changed = new Set<string>();
    let mentioning = new Set<string>();
    let loaded = false;
    const remapAll = () => {
      for (const id of this.rows.keys()) changed.add(id);
      batch.schedule();
    };
    // Profiles name only direct rooms whose row lacks `peer` (a group row carries its name
    // and the sender's).
    const people = this.profiles.group(remapAll);

    const batch = frameBatch(() => {
      if (!loaded) return;
      for (const id of changed) {
        const summary = this.summaryOf(id, mentioning.has(id), people);
        if (summary) summaries.set(id, summary);
        else summaries.delete(id);
      }
      changed.clear();
      subscriber.next(sortRooms([...summaries.values()]));
    });
    const onOpenRoomChange = (roomId: string) => {
      changed.add(roomId);
      batch.schedule();
    };
    this.openRoomWatchers.add(onOpenRoomChange);

    const stopList = onSnapshot(
      collection(this.db, "users", this.uid, "rooms"),
      (snapshot) => {
        markLoad("rooms-first-snapshot", { fromCache: snapshot.metadata.fromCache, rooms: snapshot.size });
        for (const change of snapshot.docChanges()) {
          const id = change.doc.id;
          if (change.type === "removed") this.rows.delete(id);
          else this.rows.set(id, change.doc.data() as MyRoomDocument);
          changed.add(id);
          if (change.type !== "removed") void this.advanceReadSeq(id);
        }
        // A direct row names the other person from its own `peer`; only rows written before
        // the functions copied it there fall back to following that person's profile.
        people.follow(
          [...this.rows.values()].flatMap((row) =>
            row.kind === "direct" && !row.peer?.uid ? (row.directMembers ?? []).filter((uid) => uid !== this.uid) : [],
          ),
        );
        loaded = true;
        batch.schedule();
      },
      (error) => subscriber.error?.(toError(error)),
    );

    // One listener for all rooms: unread notifications say which rooms mention the person.
    const stopNotifications = onSnapshot(
      query(collection(this.db, "users", this.uid, "notifications"), where("read", "==", false)),
      (snapshot) => {
        this.unreadNotifications = snapshot.docs.map((item) => ({
          id: item.id,
          data: item.data() as NotificationDocument,
        }));
        // A notification written after its message was already read (a picture's trigger can
        // run after the person, who had the conversation open, read it) is done with at once.
        const alreadyRead = this.unreadNotifications.filter(({ data }) => {
          const readUpTo = data.roomId ? this.ownMarkers.get(data.roomId)?.lastReadAt?.toMillis?.() : undefined;
          const createdAt = data.createdAt?.toMillis?.();
          return readUpTo !== undefined && createdAt !== undefined && createdAt <= readUpTo;
        });
        if (alreadyRead.length > 0) void this.markNotificationsRead(alreadyRead.map(({ id }) => id)).catch(() => {});
        const before = mentioning;
        mentioning = roomsMentioning(
          this.unreadNotifications.filter((item) => !alreadyRead.includes(item)).map((item) => item.data),
        );
        for (const id of new Set([...before, ...mentioning]))
          if (before.has(id) !== mentioning.has(id)) changed.add(id);
        batch.schedule();
      },
      () => {},
    );

    return () => {
      batch.cancel();
      stopList();
      stopNotifications();
      this.openRoomWatchers.delete(onOpenRoomChange);
      people.stop();
    };
  }

  /** The list's summary of one room, or null while it cannot be shown (no row, a row the
   * functions have not finished, a direct room whose other person is not loaded yet). */
  private summaryOf(id: string, mentioned: boolean, people: ReturnType<ProfileDirectory["group"]>): RoomSummary | null {
    const row = this.rows.get(id);
    if (!row?.kind) return null;
    const open = this.openRooms.get(id);
    const room: RoomDocument = {
      kind: row.kind,
      name: row.name ?? "",
      lastMessage: row.lastMessage ?? null,
      lastMessageAt: row.lastMessageAt ?? null,
      ...(row.directMembers ? { directMembers: row.directMembers } : {}),
      ...(open?.room ? { memberCount: open.room.memberCount, archived: open.room.archived } : {}),
      // The topic is shown in the open room's header only, so it comes from the room itself.
      ...(open?.room?.topic ? { topic: open.room.topic } : {}),
    };
    const copied = rowProfiles(row);
    const profileOf = (uid: string) => copied.get(uid) ?? people.get(uid);
    const peerId = peerOf(room, this.uid);
    if (peerId && !copied.has(peerId) && !people.loaded(peerId)) return null;
    return toRoomSummary({
      id,
      room,
      mine: row,
      currentUserId: this.uid,
      unreadCount: unreadCount(row),
      mentioned,
      ...(open?.member ? { member: open.member } : {}),
      profileOf,
    });
  }

  /** Follows the room and membership documents of a room while a view of it is open. */
  private openRoom(roomId: string): () => void {
    let open = this.openRooms.get(roomId);
    if (!open) {
      const created: OpenRoom = { views: 0, room: undefined, member: undefined, stops: [] };
      const changed = () => {
        for (const watcher of this.openRoomWatchers) watcher(roomId);
      };
      created.stops.push(
        onSnapshot(
          doc(this.db, "rooms", roomId),
          (snapshot) => {
            const before = created.room?.memberCount;
            created.room = snapshot.data() as RoomDocument | undefined;
            // Someone joined or left: @mentions must be matched against the new member list.
            if (created.room?.memberCount !== before) this.memberNames.delete(roomId);
            changed();
          },
          () => {},
        ),
        onSnapshot(
          doc(this.db, "rooms", roomId, "members", this.uid),
          (snapshot) => {
            created.member = snapshot.data() as MemberDocument | undefined;
            changed();
          },
          () => {},
        ),
      );
      this.openRooms.set(roomId, created);
      open = created;
    }
    const current = open;
    current.views += 1;
    return () => {
      current.views -= 1;
      if (current.views > 0) return;
      for (const stop of current.stops) stop();
      this.openRooms.delete(roomId);
      for (const watcher of this.openRoomWatchers) watcher(roomId);
    };
  }

  // --- messages ---

  private replyPreview(
    roomId: string,
    messageId: string,
    window: Map<string, MessageDocument>,
    people: { get: (uid: string) => ReturnType<ProfileDirectory["get"]> },
    refetch: () => void,
  ): MessageReplyPreview | null {
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

  /** The UI's messages for these snapshots; those in `built` (unchanged since they were
   * mapped) are reused as the same objects, so memoised views skip them. */
  private toMessages(
    roomId: string,
    docs: readonly DocumentSnapshot[],
    people: ReturnType<ProfileDirectory["group"]>,
    refresh: () => void,
    built: Map<string, Message> = new Map(),
  ): Message[] {
    const window = new Map<string, MessageDocument>();
    for (const snapshot of docs)
      window.set(snapshot.id, snapshot.data({ serverTimestamps: "estimate" }) as MessageDocument);
    const now = new Date();
    const senders = new Set<string>();
    for (const data of window.values()) senders.add(data.senderId);
    for (const data of this.replyCache.values()) if (data) senders.add(data.senderId);
    people.follow(senders);
    return docs.map((snapshot) => {
      const known = built.get(snapshot.id);
      if (known) return known;
      const message = toMessage({
        id: snapshot.id,
        roomId,
        data: window.get(snapshot.id)!,
        pending: snapshot.metadata.hasPendingWrites,
        now,
        profileOf: (uid) => people.get(uid),
        replyPreview: (replyId) => this.replyPreview(roomId, replyId, window, people, refresh),
      });
      built.set(snapshot.id, message);
      return message;
    });
  }

  /** The query watchMessages listens to (one more than `limit`: whether there are older ones). */
  private newestMessages(roomId: string, limit: number) {
    return query(this.messagesOf(roomId), orderBy("createdAt", "desc"), limitTo(limit + 1));
  }

  /** A listener on the same query as watchMessages': the SDK shares one target between the
   * two, so watchMessages started before this one stops begins from what it has fetched. */
  prefetchMessages(roomId: string, limit: number): Unsubscribe {
    return onSnapshot(
      this.newestMessages(roomId, limit),
      () => {},
      () => {
        // Not a member (or no such room): the conversation page says so.
      },
    );
  }

  watchMessages(roomId: string, limit: number, subscriber: Subscriber<MessagePage>): Unsubscribe {
    let docs: QueryDocumentSnapshot[] = [];
    let hasMore = false;
    let loaded = false;
    // A busy room sends many snapshots a second: the view gets at most one page per frame,
    // and messages whose documents did not change keep their objects.
    const built = new Map<string, Message>();
    const batch = frameBatch(() => {
      if (!loaded) return;
      const newestFirst = this.toMessages(roomId, docs.slice(0, limit), people, emit, built);
      subscriber.next({ messages: newestFirst.reverse(), hasMore });
    });
    /** A name or a replied-to message arrived: every message may show it. */
    const emit = () => {
      built.clear();
      batch.schedule();
    };
    const people = this.profiles.group(emit);
    const closeRoom = this.openRoom(roomId);
    const newest = this.newestMessages(roomId, limit);
    const stop = onSnapshot(
      newest,
      { includeMetadataChanges: true },
      (snapshot) => {
        if (!snapshot.empty)
          markLoad("messages-first-snapshot", { fromCache: snapshot.metadata.fromCache, messages: snapshot.size });
        for (const change of snapshot.docChanges({ includeMetadataChanges: true })) {
          const id = change.doc.id;
          built.delete(id);
          // Replies quote the message: they show its new text too.
          for (const [other, message] of built) if (message.replyTo?.messageId === id) built.delete(other);
        }
        docs = snapshot.docs;
        hasMore = docs.length > limit;
        const times: number[] = [];
        for (const item of docs) {
          const sent = item.get("createdAt") as Timestamp | null;
          if (sent) times.push(sent.toMillis());
        }
        this.sentTimes.set(roomId, times);
        void this.advanceReadSeq(roomId);
        for (const item of docs) this.snapshots.set(item.id, item);
        loaded = true;
        // Only the changed messages were dropped from `built` above: the others keep their
        // objects (emit() would rebuild them all, and every bubble would render again).
        batch.schedule();
      },
      (error) => subscriber.error?.(toError(error)),
    );
    return () => {
      batch.cancel();
      stop();
      this.sentTimes.delete(roomId);
      closeRoom();
      people.stop();
    };
  }

  async loadOlderMessages(roomId: string, beforeMessageId: string, limit: number): Promise<MessagePage> {
    const cursor = await this.cursorOf(roomId, beforeMessageId);
    const result = await getDocs(
      query(this.messagesOf(roomId), orderBy("createdAt", "desc"), startAfter(cursor), limitTo(limit + 1)),
    );
    const messages = await this.pageOf(roomId, result.docs.slice(0, limit).reverse());
    return { messages, hasMore: result.docs.length > limit };
  }

  async loadNewerMessages(roomId: string, afterMessageId: string, limit: number): Promise<MessagePage> {
    const cursor = await this.cursorOf(roomId, afterMessageId);
    const result = await getDocs(
      query(this.messagesOf(roomId), orderBy("createdAt", "asc"), startAfter(cursor), limitTo(limit + 1)),
    );
    const messages = await this.pageOf(roomId, result.docs.slice(0, limit));
    return { messages, hasMore: result.docs.length > limit };
  }

  /** A permalink's message however old: it, `limit` messages before and `limit` after (two
   * cursor queries on createdAt, each way from the message's own snapshot). */
  async loadAround(roomId: string, messageId: string, limit: number): Promise<AroundPage | null> {
    const target = await getDoc(doc(this.messagesOf(roomId), messageId));
    if (!target.exists()) return null;
    const messages = this.messagesOf(roomId);
    const [before, after] = await Promise.all([
      getDocs(query(messages, orderBy("createdAt", "desc"), startAfter(target), limitTo(limit + 1))),
      getDocs(query(messages, orderBy("createdAt", "asc"), startAfter(target), limitTo(limit + 1))),
    ]);
    const docs = [...before.docs.slice(0, limit).reverse(), target, ...after.docs.slice(0, limit)];
    return {
      messages: await this.pageOf(roomId, docs),
      hasOlder: before.docs.length > limit,
      hasNewer: after.docs.length > limit,
    };
  }

  private async cursorOf(roomId: string, messageId: string): Promise<DocumentSnapshot> {
    return this.snapshots.get(messageId) ?? (await getDoc(doc(this.messagesOf(roomId), messageId)));
  }

  /** Messages of a page loaded once (not live), oldest first, with their senders' names. */
  private async pageOf(roomId: string, docs: DocumentSnapshot[]): Promise<Message[]> {
    for (const item of docs) this.snapshots.set(item.id, item);
    const people = this.profiles.group(() => {});
    // Wait (briefly) for the senders' names, so the page does not flash "Someone".
    const senders = [...new Set(docs.map((item) => (item.data() as MessageDocument).senderId))];
    people.follow(senders);
    for (let attempt = 0; attempt < 40 && !senders.every((uid) => people.loaded(uid)); attempt++) {
      await new Promise<void>((resolve) => setTimeout(resolve, 50));
    }
    const messages = this.toMessages(roomId, docs, people, () => {});
    people.stop();
    return messages;
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
      preview: deleteField(),
    });
  }

  async removeLinkPreview(roomId: string, messageId: string): Promise<void> {
    // Deleted and marked hidden in one write, so a late or repeated fetch cannot bring it back.
    await updateDoc(doc(this.messagesOf(roomId), messageId), { preview: deleteField(), previewHidden: true });
  }

  watchPins(roomId: string, subscriber: Subscriber<PinnedMessage[]>): Unsubscribe {
    let pins: { id: string; data: PinDocument }[] = [];
    const emit = () => {
      const listed = pins.map(({ id, data }) => pinnedMessageOf(id, data, (uid) => people.get(uid)));
      listed.sort((a, b) => (b.pinnedAt?.getTime() ?? Infinity) - (a.pinnedAt?.getTime() ?? Infinity));
      subscriber.next(listed);
    };
    const people = this.profiles.group(emit);
    const stop = onSnapshot(
      collection(this.db, "rooms", roomId, "pins"),
      (snapshot) => {
        pins = snapshot.docs.map((item) => ({ id: item.id, data: item.data() as PinDocument }));
        people.follow(pins.map((pin) => pin.data.senderId).filter((uid): uid is string => typeof uid === "string"));
        emit();
      },
      (error) => subscriber.error?.(toError(error)),
    );
    return () => {
      stop();
      people.stop();
    };
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
    // A message still waiting for its server time was just sent here: read up to now.
    const readUpTo = createdAt?.toMillis() ?? Date.now();
    this.readUpTo.set(roomId, Math.max(this.readUpTo.get(roomId) ?? 0, readUpTo));
    await Promise.all([this.advanceReadSeq(roomId), this.writeReadMarker(roomId, messageId, createdAt)]);
    // Notifications for what is now read are done with (the rules allow only read: true).
    const done = this.unreadNotifications.filter(
      ({ data }) => data.roomId === roomId && (data.createdAt?.toMillis() ?? 0) <= readUpTo,
    );
    await this.markNotificationsRead(done.map(({ id }) => id)).catch(() => {});
  }

  /** Moves the person's readSeq up to their room-list row's seq once they have read every
   * message the row counts; called on markRead and again when the row changes, since the
   * row trails new messages by up to a second. At most one write per room per
   * READ_SEQ_INTERVAL_MS (every device listening to the room list reads each one); a call
   * within it is answered by one write at its end, from the state then. */
  private async advanceReadSeq(roomId: string): Promise<void> {
    const row = this.rows.get(roomId);
    const readUpTo = this.readUpTo.get(roomId);
    if (!row || readUpTo === undefined) return;
    const target = readSeqToWrite(row, readUpTo, this.sentTimes.get(roomId));
    if (target === null || (this.readSeqWritten.get(roomId) ?? 0) >= target) return;
    const pacing = this.readSeqPacing.get(roomId);
    const wait = pacing ? pacing.at + READ_SEQ_INTERVAL_MS - Date.now() : 0;
    if (pacing && wait > 0) {
      pacing.later ??= setTimeout(() => {
        pacing.later = undefined;
        void this.advanceReadSeq(roomId);
      }, wait);
      return;
    }
    this.readSeqPacing.set(roomId, { at: Date.now() });
    this.readSeqWritten.set(roomId, target);
    try {
      await updateDoc(doc(this.db, "users", this.uid, "rooms", roomId), { readSeq: target });
    } catch (error) {
      // Another device read further first (the rules keep readSeq moving forward only).
      if (isPermissionDenied(error)) return;
      this.readSeqWritten.delete(roomId); // try again with the next row or markRead
      console.warn("read position not saved", roomId, error);
    }
  }

  /** The read receipt others may see (`rooms/{roomId}/reads/{uid}`); never moves back. */
  private async writeReadMarker(
    roomId: string,
    messageId: string,
    createdAt: Timestamp | null | undefined,
  ): Promise<void> {
    const previous = await this.ownMarker(roomId);
    if (previous?.lastReadMessageId === messageId) return;
    if (createdAt && previous?.lastReadAt && previous.lastReadAt.toMillis() >= createdAt.toMillis()) return;
    const marker = {
      lastReadAt: createdAt ?? serverTimestamp(),
      lastReadMessageId: messageId,
      shareReceipts: this.shareReceipts,
    };
    await setDoc(doc(this.db, "rooms", roomId, "reads", this.uid), marker);
    this.ownMarkers.set(roomId, { ...marker, lastReadAt: createdAt ?? Timestamp.now() });
  }

  private async ownMarker(roomId: string): Promise<ReadMarkerDocument | undefined> {
    const known = this.ownMarkers.get(roomId);
    if (known) return known;
    const marker = (await getDoc(doc(this.db, "rooms", roomId, "reads", this.uid))).data() as
      ReadMarkerDocument | undefined;
    if (marker) this.ownMarkers.set(roomId, marker);
    return marker;
  }

  getShareReceipts(): boolean {
    return this.shareReceipts;
  }

  /** Remembers the choice and rewrites the markers of the rooms already read. */
  async setShareReceipts(share: boolean): Promise<void> {
    this.shareReceipts = share;
    localStorage.setItem(shareReceiptsKey(this.uid), share ? "true" : "false");
    await Promise.all(
      [...this.rows.keys()].map(async (roomId) => {
        const marker = await this.ownMarker(roomId).catch(() => undefined);
        if (!marker?.lastReadAt || !marker.lastReadMessageId || marker.shareReceipts === share) return;
        const updated = {
          lastReadAt: marker.lastReadAt,
          lastReadMessageId: marker.lastReadMessageId,
          shareReceipts: share,
        };
        await setDoc(doc(this.db, "rooms", roomId, "reads", this.uid), updated);
        this.ownMarkers.set(roomId, updated);
      }),
    );
  }

  watchReadReceipts(roomId: string, subscriber: Subscriber<ReadReceipt[]>): Unsubscribe {
    // Rules are not filters: only shared markers may be asked for. The person's own marker is
    // left out: receipts show who else has read, and each of their own reads would otherwise
    // come back to this listener as a document read.
    const shared = query(
      collection(this.db, "rooms", roomId, "reads"),
      where("shareReceipts", "==", true),
      where(documentId(), "!=", this.uid),
    );
    return onSnapshot(
      shared,
      (snapshot) =>
        subscriber.next(
          receiptsFrom(snapshot.docs.map((item) => ({ uid: item.id, data: item.data() as ReadMarkerDocument }))),
        ),
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

  async setFocusRoom(roomId: string | null): Promise<void> {
    await this.presence.setFocusRoom(roomId);
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
