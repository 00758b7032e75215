// Room flows that go through FlowChat's callable functions (PostgreSQL is the source of
// truth for rooms and membership), and attachment uploads. The Firestore source implements
// this; tests pass their own.
import { createContext, useContext, type ReactNode } from "react";
import type { Attachment, RoomKind } from "../types";

export type MemberRole = "owner" | "admin" | "member";
export type NotifySetting = "all" | "mentions" | "none";

export interface MyRoom {
  id: string;
  kind: RoomKind;
  name: string;
  topic: string;
  isPrivate: boolean;
  archived: boolean;
  role: MemberRole;
  notify: NotifySetting;
  memberCount: number;
}

export interface RoomInvite {
  id: string;
  roomId: string;
  roomName: string;
  inviterId: string;
  inviterName: string;
  createdAt: Date;
}

export interface RoomMember {
  userId: string;
  role: MemberRole;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  joinedAt: Date;
}

/** Someone invited to the room who has not answered yet. */
export interface PendingInvite {
  inviteId: string;
  userId: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  invitedBy: string;
  invitedAt: Date;
}

export interface MyRoomsListing {
  rooms: MyRoom[];
  invites: RoomInvite[];
  blocked: string[];
}

export interface NewGroup {
  name: string;
  topic: string;
  isPrivate: boolean;
}

export interface RoomChanges {
  name?: string;
  topic?: string;
  isPrivate?: boolean;
}

/** Someone found by name (searchPeople). */
export interface PersonResult {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

export type HasFilter = "file" | "image" | "link";

export interface MessageSearch {
  query: string;
  roomId?: string;
  senderId?: string;
  has?: HasFilter;
  before?: Date;
  after?: Date;
  cursor?: string;
}

/** A message found by searchMessages; `snippet` is HTML: escaped text, matches in <mark>. */
export interface MessageHit {
  roomId: string;
  messageId: string;
  senderId: string;
  senderName: string;
  createdAt: Date;
  snippet: string;
}

export interface MessageSearchPage {
  hits: MessageHit[];
  nextCursor: string | null;
}

export interface RoomActions {
  /** The one direct room with this person (created, or reopened); its id. */
  startDirect(username: string): Promise<string>;
  createGroup(group: NewGroup): Promise<string>;
  invite(roomId: string, username: string): Promise<void>;
  acceptInvite(inviteId: string): Promise<string>;
  declineInvite(inviteId: string): Promise<void>;
  joinRoom(roomId: string): Promise<void>;
  leaveRoom(roomId: string): Promise<void>;
  removeMember(roomId: string, userId: string): Promise<void>;
  setRole(roomId: string, userId: string, role: MemberRole): Promise<void>;
  updateRoom(roomId: string, changes: RoomChanges): Promise<void>;
  archiveRoom(roomId: string): Promise<void>;
  muteRoom(roomId: string, notify: NotifySetting): Promise<void>;
  listMyRooms(): Promise<MyRoomsListing>;
  /**
   * For a room missing from the room list: asks the functions to repair its documents
   * from PostgreSQL if it is one of the person's rooms. "not-found" when it is not (no such
   * room, or not theirs); throws when the functions cannot be reached.
   */
  restoreRoom(roomId: string): Promise<"restored" | "not-found">;
  listMembers(roomId: string): Promise<RoomMember[]>;
  /** Unanswered invites: all of them for those who manage members, else the caller's own. */
  listPendingInvites?(roomId: string): Promise<PendingInvite[]>;
  blockUser(userId: string): Promise<void>;
  unblockUser(userId: string): Promise<void>;
  /** People whose name or username matches (two characters at least), best first. */
  searchPeople(query: string): Promise<PersonResult[]>;
  /** Messages of the rooms the person is in now, best first, then newest. */
  searchMessages(search: MessageSearch): Promise<MessageSearchPage>;
  /** Signs and uploads one file for a room; `onProgress` gets 0..1. */
  uploadAttachment(roomId: string, file: File, onProgress: (fraction: number) => void): Promise<Attachment>;
  /** Pins a message (groups: owners and admins; direct rooms: both people); optional. */
  pinMessage?(roomId: string, messageId: string): Promise<void>;
  unpinMessage?(roomId: string, messageId: string): Promise<void>;
}

const RoomActionsContext = createContext<RoomActions | null>(null);

export function RoomActionsProvider({ actions, children }: { actions: RoomActions | null; children: ReactNode }) {
  return <RoomActionsContext.Provider value={actions}>{children}</RoomActionsContext.Provider>;
}

/** null while signed out or before the real-time backend has loaded. */
export function useRoomActions(): RoomActions | null {
  return useContext(RoomActionsContext);
}

/** A callable's error as a sentence for people ("username: not found" → "Not found"). */
export function describeError(error: unknown, fallback: string): string {
  const message = error instanceof Error ? error.message : "";
  const text = message.replace(/^[a-zA-Z]+: /, "").trim();
  if (!text || /^internal$/i.test(text)) return fallback;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
