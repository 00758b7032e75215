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
  listMembers(roomId: string): Promise<RoomMember[]>;
  blockUser(userId: string): Promise<void>;
  unblockUser(userId: string): Promise<void>;
  /** Signs and uploads one file for a room; `onProgress` gets 0..1. */
  uploadAttachment(roomId: string, file: File, onProgress: (fraction: number) => void): Promise<Attachment>;
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
