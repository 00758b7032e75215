// The chat domain as the UI sees it. The Firestore-backed data source (to come) maps
// documents to these shapes; components never see Firestore types.

export type RoomKind = "direct" | "group";

export interface RoomSummary {
  id: string;
  kind: RoomKind;
  /** Group name, or the other person's display name for a direct room. */
  name: string;
  avatarUrl: string | null;
  /** For direct rooms, the other member; lets the list show their presence. */
  peerId: string | null;
  lastMessage: { text: string; senderId: string; senderName: string; sentAt: Date } | null;
  unreadCount: number;
  /** Whether the unread messages include an @mention of the current user. */
  mentioned: boolean;
  updatedAt: Date;
  /** How many people are in the room, when the data source knows. */
  memberCount?: number;
  /** A group's topic, shown under its name in the header. */
  topic?: string;
  /** false when the person may not post (archived room, or a block closed a direct room). */
  canPost?: boolean;
  /** The person's role in the room, when known (who may pin follows it). */
  role?: "owner" | "admin" | "member";
  /** A direct room whose other person deleted their account. */
  peerDeleted?: boolean;
}

export interface Attachment {
  id: string;
  kind: "image" | "file";
  /** What the bubble shows or links to: an image's preview (a downscaled copy), a file
   * itself; "" while the upload is still being verified. */
  url: string;
  /** Verified images only: the original, full-size picture (the lightbox shows it). */
  fullUrl?: string;
  name: string;
  sizeBytes: number;
  mimeType: string;
  width?: number;
  height?: number;
  /** Present while the upload is still running (0..1). */
  progress?: number;
}

export interface MessageReplyPreview {
  messageId: string;
  senderId: string;
  senderName: string;
  text: string;
}

export type MessageDeliveryState = "sending" | "sent" | "failed";

export interface Message {
  id: string;
  roomId: string;
  senderId: string;
  senderName: string;
  senderAvatarUrl: string | null;
  text: string;
  createdAt: Date;
  editedAt: Date | null;
  /** Deleted messages keep their place in the timeline and lose their content. */
  deleted: boolean;
  replyTo: MessageReplyPreview | null;
  mentions: string[];
  /** Emoji → ids of the users who reacted with it. */
  reactions: Record<string, string[]>;
  attachments: Attachment[];
  delivery: MessageDeliveryState;
  /** Set on a line the functions wrote about the room (someone joined, a rename, …). */
  system?: SystemEvent;
  /** The card of the message's first link, written by the functions (absent once removed). */
  preview?: LinkPreview | null;
}

/** A link's preview card; `imageUrl` is a Cloudinary fetch URL (or ""), never the site's. */
export interface LinkPreview {
  url: string;
  title: string;
  description: string;
  siteName: string;
  imageUrl: string;
}

/** A pinned message of a room (`rooms/{roomId}/pins/{messageId}`). */
export interface PinnedMessage {
  messageId: string;
  senderId: string;
  senderName: string;
  text: string;
  pinnedBy: string;
  pinnedAt: Date | null;
}

export interface SystemEvent {
  event: "joined" | "left" | "removed" | "renamed" | "topic" | "pinned";
  /** The person removed ("removed"). */
  subjectName: string;
  /** The new name or topic. */
  value: string;
}

export interface MessageDraft {
  text: string;
  replyToId?: string;
  mentions?: string[];
  attachments?: Attachment[];
}

export type PresenceState = "online" | "away" | "offline";

export interface Presence {
  state: PresenceState;
  lastChanged: Date | null;
}

export interface TypingUser {
  userId: string;
  displayName: string;
}

export interface ReadReceipt {
  userId: string;
  lastReadMessageId: string;
  readAt: Date;
}
