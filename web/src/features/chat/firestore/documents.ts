// Firestore documents ↔ the chat domain types. Pure functions, no SDK imports, so they are
// tested without a backend. The layout is docs/architecture.md's; field names match
// firestore.rules exactly.
import { systemEventOf } from "../system-line";
import type {
  Attachment,
  LinkPreview,
  Message,
  MessageReplyPreview,
  PinnedMessage,
  Presence,
  PresenceState,
  ReadReceipt,
  RoomKind,
  RoomSummary,
  TypingUser,
} from "../types";

/** What Firestore's Timestamp offers that the mapping needs. */
export interface TimestampLike {
  toDate(): Date;
  toMillis(): number;
}

/** `rooms/{roomId}/messages/{messageId}` */
export interface MessageDocument {
  senderId: string;
  text: string;
  /** null while a local write waits for its server timestamp. */
  createdAt: TimestampLike | null;
  editedAt?: TimestampLike | null;
  deleted?: boolean;
  replyTo?: string;
  mentions?: string[];
  attachments?: AttachmentDocument[];
  /** uid → that person's emoji. */
  reactions?: Record<string, string[]>;
  clientId?: string;
  /** "system" on a line the functions wrote (see system-line.ts); with event, subjectName, value. */
  kind?: string;
  event?: string;
  subjectName?: string;
  value?: string;
  /** The first link's card, written by the functions only; the sender may remove it. */
  preview?: unknown;
  previewHidden?: boolean;
}

/** `rooms/{roomId}/pins/{messageId}`, written by the functions. */
export interface PinDocument {
  messageId?: string;
  senderId?: string;
  text?: string;
  pinnedBy?: string;
  pinnedAt?: TimestampLike | null;
}

const PREVIEW_FIELDS = ["url", "title", "description", "siteName", "imageUrl"] as const;

/** The preview card of a message document, when it has a well-formed one and shows it. */
export function linkPreviewOf(
  data: Pick<MessageDocument, "preview" | "previewHidden" | "deleted">,
): LinkPreview | null {
  const preview = data.preview;
  if (data.deleted || data.previewHidden || typeof preview !== "object" || preview === null) return null;
  const fields = preview as Record<string, unknown>;
  if (!PREVIEW_FIELDS.every((key) => typeof fields[key] === "string")) return null;
  const url = fields.url as string;
  if (!/^https?:\/\//i.test(url)) return null;
  const imageUrl = fields.imageUrl as string;
  return {
    url,
    title: fields.title as string,
    description: fields.description as string,
    siteName: fields.siteName as string,
    imageUrl: /^https?:\/\//i.test(imageUrl) ? imageUrl : "",
  };
}

function withPreview(preview: LinkPreview | null): { preview?: LinkPreview } {
  return preview ? { preview } : {};
}

export function pinnedMessageOf(
  id: string,
  data: PinDocument,
  profileOf: (uid: string) => ProfileDocument | undefined,
): PinnedMessage {
  const senderId = typeof data.senderId === "string" ? data.senderId : "";
  return {
    messageId: id,
    senderId,
    senderName: displayNameOf(profileOf(senderId)),
    text: typeof data.text === "string" ? data.text : "",
    pinnedBy: typeof data.pinnedBy === "string" ? data.pinnedBy : "",
    pinnedAt: data.pinnedAt?.toDate() ?? null,
  };
}

/** One entry of a message's `attachments`. The sender writes the upload's id, kind, name and
 * size; `url`, `previewUrl`, `format` and `verified` come from the functions once Cloudinary
 * confirms the upload (the rules refuse them from clients). */
export interface AttachmentDocument {
  publicId: string;
  url?: string;
  kind: "image" | "file";
  name: string;
  bytes: number;
  contentType?: string;
  width?: number;
  height?: number;
  format?: string;
  verified?: boolean;
  previewUrl?: string;
}

/** `users/{uid}`: the public profile, with presence merged in by a function. */
export interface ProfileDocument {
  username?: string;
  displayName?: string;
  avatarUrl?: string | null;
  presence?: { state?: string; lastChanged?: TimestampLike | null };
  /** Set on an account that was deleted (its profile then reads "Deleted user"). */
  disabled?: boolean;
}

/** The newest message of a room, as its summary and each member's room-list row hold it. */
export interface LastMessageDocument {
  id: string;
  senderId: string;
  /** The sender's display name when the message was sent (older summaries lack it). */
  senderName?: string;
  preview: string;
  createdAt: TimestampLike | null;
}

/** `rooms/{roomId}`: the summary the functions keep. */
export interface RoomDocument {
  kind?: RoomKind;
  name?: string;
  topic?: string;
  isPrivate?: boolean;
  archived?: boolean;
  memberCount?: number;
  directMembers?: string[];
  lastMessage?: LastMessageDocument | null;
  lastMessageAt?: TimestampLike | null;
  createdAt?: TimestampLike | null;
}

/** `users/{uid}/rooms/{roomId}`: one row of the person's room list, everything the row
 * shows. The functions keep all but `readSeq`, which the person writes (see unread.ts). */
export interface MyRoomDocument {
  kind?: RoomKind;
  name?: string;
  directMembers?: string[];
  role?: string;
  notify?: string;
  joinedAt?: TimestampLike | null;
  lastMessage?: LastMessageDocument | null;
  lastMessageAt?: TimestampLike | null;
  /** A direct room's other person as the functions last copied them (name and picture;
   * rewritten when they change their profile), so the list follows no profile per row. */
  peer?: PeerDocument;
  /** How many messages the room has had; where that stood when the person joined. */
  seq?: number;
  joinedSeq?: number;
  readSeq?: number;
}

/** `peer` of a direct room's row: the fields of the other person's profile a row shows. */
export interface PeerDocument {
  uid?: string;
  username?: string;
  displayName?: string;
  avatarUrl?: string | null;
  /** The account was deleted: the room is closed. */
  disabled?: boolean;
}

/** The people a row names, from the row alone: a direct room's `peer`, or nothing (rows the
 * functions wrote before `peer` existed, whose person is then followed as a profile). */
export function rowProfiles(row: MyRoomDocument): Map<string, ProfileDocument> {
  const peer = row.peer;
  if (row.kind !== "direct" || !peer?.uid) return new Map();
  const profile: ProfileDocument = { avatarUrl: peer.avatarUrl ?? null };
  if (peer.username !== undefined) profile.username = peer.username;
  if (peer.displayName !== undefined) profile.displayName = peer.displayName;
  if (peer.disabled === true) profile.disabled = true;
  return new Map([[peer.uid, profile]]);
}

/** `rooms/{roomId}/members/{uid}`: the membership mirror the rules check. */
export interface MemberDocument {
  role?: string;
  canPost?: boolean;
  joinedAt?: TimestampLike | null;
}

/** `rooms/{roomId}/reads/{uid}` */
export interface ReadMarkerDocument {
  lastReadAt?: TimestampLike | null;
  lastReadMessageId?: string;
  shareReceipts?: boolean;
}

/** `users/{uid}/notifications/{roomId}_{messageId}`, written by the message trigger. */
export interface NotificationDocument {
  type?: "mention" | "direct" | string;
  roomId?: string;
  messageId?: string;
  createdAt?: TimestampLike | null;
  read?: boolean;
}

/** Rooms with an unread @mention of the person, from their unread notifications. */
export function roomsMentioning(notifications: readonly NotificationDocument[]): Set<string> {
  const rooms = new Set<string>();
  for (const notification of notifications) {
    if (notification.type === "mention" && notification.read !== true && notification.roomId)
      rooms.add(notification.roomId);
  }
  return rooms;
}

/** `rooms/{roomId}/typing/{uid}` */
export interface TypingDocument {
  typing?: boolean;
  expiresAt?: TimestampLike | null;
}

export const UNKNOWN_PERSON = "Someone";

export function displayNameOf(profile: ProfileDocument | undefined): string {
  return profile?.displayName?.trim() || profile?.username || UNKNOWN_PERSON;
}

/** Firestore's `{uid: [emoji]}` as the UI's `{emoji: [uid]}`, in first-seen order. */
export function reactionsByEmoji(byUser: Record<string, string[]> | undefined): Record<string, string[]> {
  const byEmoji: Record<string, string[]> = {};
  for (const [uid, emojis] of Object.entries(byUser ?? {})) {
    if (!Array.isArray(emojis)) continue;
    for (const emoji of emojis) (byEmoji[emoji] ??= []).push(uid);
  }
  return byEmoji;
}

/** The caller's emoji list after toggling `emoji` (added at the end, or removed). */
export function toggleEmoji(mine: readonly string[] | undefined, emoji: string): string[] {
  const current = mine ?? [];
  return current.includes(emoji) ? current.filter((item) => item !== emoji) : [...current, emoji];
}

/** Only http(s) links ever reach an `src` or `href`. */
export function safeUrl(url: string | undefined): string {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : "";
}

export function attachmentFromDocument(document: AttachmentDocument): Attachment {
  // No link until a function has verified the upload ("" shows as processing); images then
  // show the function-made preview (the original, `fullUrl`, opens in the lightbox), files
  // link to the original.
  const image = document.kind === "image";
  const link = image ? (document.previewUrl ?? document.url) : document.url;
  const url = document.verified ? safeUrl(link) : "";
  const attachment: Attachment = {
    id: document.publicId,
    kind: image ? "image" : "file",
    url,
    name: document.name,
    sizeBytes: document.bytes,
    mimeType: document.contentType ?? "",
  };
  const fullUrl = image && document.verified ? safeUrl(document.url) : "";
  if (fullUrl) attachment.fullUrl = fullUrl;
  if (document.width) attachment.width = document.width;
  if (document.height) attachment.height = document.height;
  return attachment;
}

/** The attachment as a new message carries it: only keys the rules allow, never `verified`. */
export function attachmentToDocument(attachment: Attachment): AttachmentDocument {
  const document: AttachmentDocument = {
    publicId: attachment.id,
    kind: attachment.kind,
    name: attachment.name.slice(0, 255),
    bytes: Math.round(attachment.sizeBytes),
  };
  if (attachment.mimeType) document.contentType = attachment.mimeType;
  if (attachment.width) document.width = Math.round(attachment.width);
  if (attachment.height) document.height = Math.round(attachment.height);
  return document;
}

/** What Cloudinary answers to an upload (the fields FlowChat uses). */
export interface UploadResponse {
  public_id: string;
  secure_url: string;
  bytes: number;
  width?: number;
  height?: number;
  format?: string;
}

export function attachmentFromUpload(
  response: UploadResponse,
  file: { name: string; type: string },
  kind: "image" | "file",
): Attachment {
  const attachment: Attachment = {
    id: response.public_id,
    kind,
    url: response.secure_url,
    name: file.name,
    sizeBytes: response.bytes,
    mimeType: file.type,
  };
  if (response.width) attachment.width = response.width;
  if (response.height) attachment.height = response.height;
  return attachment;
}

export function replyPreviewOf(id: string, data: MessageDocument, senderName: string): MessageReplyPreview {
  const text = data.deleted ? "Message deleted" : data.text || (data.attachments?.length ? "📎 Attachment" : "");
  return { messageId: id, senderId: data.senderId, senderName, text };
}

export interface MessageContext {
  id: string;
  roomId: string;
  data: MessageDocument;
  /** The write has not reached the server yet. */
  pending: boolean;
  /** Used for a pending write whose server timestamp is not known yet. */
  now: Date;
  profileOf: (uid: string) => ProfileDocument | undefined;
  replyPreview: (messageId: string) => MessageReplyPreview | null;
}

export function toMessage({ id, roomId, data, pending, now, profileOf, replyPreview }: MessageContext): Message {
  const sender = profileOf(data.senderId);
  const deleted = data.deleted === true;
  return {
    id,
    roomId,
    senderId: data.senderId,
    senderName: displayNameOf(sender),
    senderAvatarUrl: sender?.avatarUrl ?? null,
    text: deleted ? "" : typeof data.text === "string" ? data.text : "",
    createdAt: data.createdAt?.toDate() ?? now,
    editedAt: data.editedAt?.toDate() ?? null,
    deleted,
    replyTo: data.replyTo ? replyPreview(data.replyTo) : null,
    mentions: Array.isArray(data.mentions) ? data.mentions : [],
    reactions: deleted ? {} : reactionsByEmoji(data.reactions),
    attachments: deleted ? [] : (data.attachments ?? []).map(attachmentFromDocument),
    delivery: pending ? "sending" : "sent",
    ...(data.kind === "system" ? { system: systemEventOf(data) } : {}),
    ...withPreview(linkPreviewOf(data)),
  };
}

export function presenceFrom(profile: ProfileDocument | undefined): Presence {
  const state = profile?.presence?.state;
  const known: PresenceState = state === "online" || state === "away" ? state : "offline";
  return { state: known, lastChanged: profile?.presence?.lastChanged?.toDate() ?? null };
}

/** The other member of a direct room. */
export function peerOf(room: RoomDocument, currentUserId: string): string | null {
  if (room.kind !== "direct") return null;
  return room.directMembers?.find((uid) => uid !== currentUserId) ?? null;
}

export interface RoomParts {
  id: string;
  room: RoomDocument;
  mine: MyRoomDocument;
  currentUserId: string;
  unreadCount: number;
  /** An unread message of the room @mentions the person. */
  mentioned?: boolean;
  /** The person's membership mirror, once loaded. */
  member?: MemberDocument;
  profileOf: (uid: string) => ProfileDocument | undefined;
}

function roleOf(role: string | undefined): { role?: "owner" | "admin" | "member" } {
  return role === "owner" || role === "admin" || role === "member" ? { role } : {};
}

export function toRoomSummary({
  id,
  room,
  mine,
  currentUserId,
  unreadCount,
  mentioned = false,
  member,
  profileOf,
}: RoomParts): RoomSummary {
  const kind: RoomKind = room.kind ?? mine.kind ?? "group";
  const peerId = peerOf({ ...room, kind }, currentUserId);
  const peer = peerId ? profileOf(peerId) : undefined;
  const last = room.lastMessage;
  // The row's sender name is a copy taken when the message was counted; a profile this view
  // follows (a direct room's other person) is newer, so a rename or a deleted account shows.
  const lastSender = last?.senderId ? profileOf(last.senderId) : undefined;
  const sentAt = last?.createdAt?.toDate() ?? room.lastMessageAt?.toDate() ?? null;
  return {
    id,
    kind,
    name: kind === "direct" ? (peer ? displayNameOf(peer) : "Direct message") : room.name?.trim() || "Untitled group",
    avatarUrl: kind === "direct" ? (peer?.avatarUrl ?? null) : null,
    peerId,
    lastMessage:
      last && sentAt
        ? {
            text: last.preview,
            senderId: last.senderId,
            senderName: lastSender ? displayNameOf(lastSender) : last.senderName || UNKNOWN_PERSON,
            sentAt,
          }
        : null,
    unreadCount,
    mentioned: mentioned && unreadCount > 0,
    updatedAt: sentAt ?? mine.joinedAt?.toDate() ?? room.createdAt?.toDate() ?? new Date(0),
    ...(typeof room.memberCount === "number" ? { memberCount: room.memberCount } : {}),
    ...(kind === "group" && room.topic?.trim() ? { topic: room.topic.trim() } : {}),
    canPost: room.archived !== true && member?.canPost !== false && peer?.disabled !== true,
    ...roleOf(member?.role ?? mine.role),
    ...(peer?.disabled === true ? { peerDeleted: true } : {}),
  };
}

/** Most recently active first; ties by name so the order is stable. */
export function sortRooms(rooms: RoomSummary[]): RoomSummary[] {
  return [...rooms].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || a.name.localeCompare(b.name));
}

export function activeTypers(
  entries: readonly { uid: string; data: TypingDocument }[],
  now: Date,
  currentUserId: string,
  profileOf: (uid: string) => ProfileDocument | undefined,
): TypingUser[] {
  return entries
    .filter(
      ({ uid, data }) =>
        uid !== currentUserId && data.typing === true && (data.expiresAt?.toMillis() ?? 0) > now.getTime(),
    )
    .map(({ uid }) => ({ userId: uid, displayName: displayNameOf(profileOf(uid)) }));
}

export function receiptsFrom(entries: readonly { uid: string; data: ReadMarkerDocument }[]): ReadReceipt[] {
  const receipts: ReadReceipt[] = [];
  for (const { uid, data } of entries) {
    if (!data.lastReadAt || !data.lastReadMessageId) continue;
    receipts.push({ userId: uid, lastReadMessageId: data.lastReadMessageId, readAt: data.lastReadAt.toDate() });
  }
  return receipts;
}

/** Members named as `@username` in the text (case-insensitive), at most 50. */
export function findMentions(text: string, members: readonly { uid: string; username: string }[]): string[] {
  const named = new Set(
    [...text.matchAll(/(?:^|[^\w.])@([A-Za-z0-9_.]{3,30})/g)].map((match) =>
      match[1]!.toLowerCase().replace(/\.+$/, ""),
    ),
  );
  return members
    .filter((member) => named.has(member.username.toLowerCase()))
    .map((member) => member.uid)
    .slice(0, 50);
}

/** Who has read `message` among the receipts (not its sender, not the current user). */
export function seenBy(
  message: Pick<Message, "senderId" | "createdAt">,
  receipts: readonly ReadReceipt[],
  currentUserId: string,
): string[] {
  return receipts
    .filter(
      (receipt) =>
        receipt.userId !== currentUserId &&
        receipt.userId !== message.senderId &&
        receipt.readAt.getTime() >= message.createdAt.getTime(),
    )
    .map((receipt) => receipt.userId);
}
