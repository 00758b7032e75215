// RoomActions on FlowChat's callable functions, and uploads to Cloudinary with a signature
// from `signUpload`.
import { connectFunctionsEmulator, getFunctions, httpsCallable, type Functions } from "firebase/functions";
import { firebaseApp } from "@/lib/firebase";
import { config } from "@/lib/config";
import type { Attachment } from "../types";
import { attachmentFromUpload, type UploadResponse } from "./documents";
import type {
  MemberRole,
  MessageSearch,
  MessageSearchPage,
  MyRoom,
  MyRoomsListing,
  NewGroup,
  NotifySetting,
  PersonResult,
  RoomActions,
  RoomChanges,
  RoomInvite,
  RoomMember,
  PendingInvite,
} from "../rooms/room-actions";

let functionsInstance: Functions | undefined;

/** The Functions client for us-central1, pointed at the emulator's host when emulating. */
export function roomFunctions(): Functions {
  if (functionsInstance) return functionsInstance;
  const functions = getFunctions(firebaseApp, "us-central1");
  if (config.emulators) {
    const url = new URL(config.functionsUrl);
    connectFunctionsEmulator(functions, url.hostname, Number(url.port || 80));
  }
  functionsInstance = functions;
  return functions;
}

interface ListMyRoomsResult {
  rooms: (Omit<MyRoom, "role" | "notify"> & { role: string; notify: string })[];
  invites: (Omit<RoomInvite, "createdAt"> & { createdAt: string })[];
  blocked: string[];
}

interface ListMembersResult {
  members: (Omit<RoomMember, "joinedAt" | "role"> & { role: string; joinedAt: string })[];
  next: string | null;
  pendingInvites: (Omit<PendingInvite, "invitedAt"> & { invitedAt: string })[];
}

interface SearchMessagesResult {
  hits: {
    roomId: string;
    messageId: string;
    senderId: string;
    senderName: string;
    createdAt: string;
    snippet: string;
  }[];
  nextCursor: string | null;
}

interface SignUploadResult {
  uploadUrl: string;
  params: Record<string, string>;
  publicId: string;
  kind: "image" | "file";
  maxBytes: number;
}

/** A room that cannot be checked in this long is reported as a problem, with a retry. */
const RESTORE_TIMEOUT_MS = 15_000;

function role(value: string): MemberRole {
  return value === "owner" || value === "admin" ? value : "member";
}

function notify(value: string): NotifySetting {
  return value === "all" || value === "none" ? value : "mentions";
}

/** Posts the form with XMLHttpRequest, which (unlike fetch) reports upload progress. */
export function postForm(url: string, form: FormData, onProgress: (fraction: number) => void): Promise<UploadResponse> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.responseType = "json";
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      const body = request.response as (UploadResponse & { error?: { message?: string } }) | null;
      if (request.status >= 200 && request.status < 300 && body?.public_id) resolve(body);
      else reject(new Error(body?.error?.message ?? `Upload failed (${request.status})`));
    };
    request.onerror = () => reject(new Error("Upload failed: network error"));
    request.onabort = () => reject(new Error("Upload cancelled"));
    request.send(form);
  });
}

export class CallableRoomActions implements RoomActions {
  constructor(private readonly functions: Functions = roomFunctions()) {}

  private async call<Result>(name: string, data: object, timeoutMs?: number): Promise<Result> {
    const options = timeoutMs ? { timeout: timeoutMs } : undefined;
    const result = await httpsCallable<object, Result>(this.functions, name, options)(data);
    return result.data;
  }

  async startDirect(username: string): Promise<string> {
    const result = await this.call<{ roomId: string }>("createRoom", {
      kind: "direct",
      username: username.trim().replace(/^@/, ""),
    });
    return result.roomId;
  }

  async createGroup(group: NewGroup): Promise<string> {
    const result = await this.call<{ roomId: string }>("createRoom", { ...group });
    return result.roomId;
  }

  async invite(roomId: string, username: string): Promise<void> {
    await this.call("inviteMember", { roomId, username: username.trim().replace(/^@/, "") });
  }

  async acceptInvite(inviteId: string): Promise<string> {
    const result = await this.call<{ roomId: string }>("acceptInvite", { inviteId });
    return result.roomId;
  }

  async declineInvite(inviteId: string): Promise<void> {
    await this.call("declineInvite", { inviteId });
  }

  async joinRoom(roomId: string): Promise<void> {
    await this.call("joinRoom", { roomId });
  }

  async leaveRoom(roomId: string): Promise<void> {
    await this.call("leaveRoom", { roomId });
  }

  async removeMember(roomId: string, userId: string): Promise<void> {
    await this.call("removeMember", { roomId, userId });
  }

  async setRole(roomId: string, userId: string, newRole: MemberRole): Promise<void> {
    await this.call("setRole", { roomId, userId, role: newRole });
  }

  async updateRoom(roomId: string, changes: RoomChanges): Promise<void> {
    await this.call("updateRoom", { roomId, ...changes });
  }

  async archiveRoom(roomId: string): Promise<void> {
    await this.call("archiveRoom", { roomId });
  }

  async muteRoom(roomId: string, setting: NotifySetting): Promise<void> {
    await this.call("muteRoom", { roomId, notify: setting });
  }

  async listMyRooms(): Promise<MyRoomsListing> {
    const result = await this.call<ListMyRoomsResult>("listMyRooms", {});
    return {
      rooms: result.rooms.map((room) => ({ ...room, role: role(room.role), notify: notify(room.notify) })),
      invites: result.invites.map((invite) => ({ ...invite, createdAt: new Date(invite.createdAt) })),
      blocked: result.blocked,
    };
  }

  async restoreRoom(roomId: string): Promise<"restored" | "not-found"> {
    try {
      await this.call("restoreRoom", { roomId }, RESTORE_TIMEOUT_MS);
      return "restored";
    } catch (error) {
      // Not a room id at all is as much "not found" as a room that is not theirs.
      const code = (error as { code?: unknown }).code;
      if (code === "functions/not-found" || code === "functions/invalid-argument") return "not-found";
      throw error;
    }
  }

  async listMembers(roomId: string): Promise<RoomMember[]> {
    const members: RoomMember[] = [];
    let after: string | null = null;
    do {
      const page: ListMembersResult = await this.call<ListMembersResult>(
        "listMembers",
        after ? { roomId, after } : { roomId },
      );
      members.push(
        ...page.members.map((member) => ({ ...member, role: role(member.role), joinedAt: new Date(member.joinedAt) })),
      );
      after = page.next;
    } while (after);
    return members;
  }

  async listPendingInvites(roomId: string): Promise<PendingInvite[]> {
    // The first page of members carries the pending invites; one member is enough.
    const page = await this.call<ListMembersResult>("listMembers", { roomId, limit: 1 });
    return (page.pendingInvites ?? []).map((invite) => ({ ...invite, invitedAt: new Date(invite.invitedAt) }));
  }

  async blockUser(userId: string): Promise<void> {
    await this.call("blockUser", { userId });
  }

  async unblockUser(userId: string): Promise<void> {
    await this.call("unblockUser", { userId });
  }

  async searchPeople(query: string): Promise<PersonResult[]> {
    const result = await this.call<{ people: PersonResult[] }>("searchPeople", { query });
    return result.people;
  }

  async searchMessages(search: MessageSearch): Promise<MessageSearchPage> {
    const { before, after, ...rest } = search;
    const result = await this.call<SearchMessagesResult>("searchMessages", {
      ...rest,
      ...(before ? { before: before.toISOString() } : {}),
      ...(after ? { after: after.toISOString() } : {}),
    });
    return {
      hits: result.hits.map((hit) => ({ ...hit, createdAt: new Date(hit.createdAt) })),
      nextCursor: result.nextCursor,
    };
  }

  async pinMessage(roomId: string, messageId: string): Promise<void> {
    await this.call("pinMessage", { roomId, messageId });
  }

  async unpinMessage(roomId: string, messageId: string): Promise<void> {
    await this.call("unpinMessage", { roomId, messageId });
  }

  async uploadAttachment(roomId: string, file: File, onProgress: (fraction: number) => void): Promise<Attachment> {
    const signed = await this.call<SignUploadResult>("signUpload", {
      roomId,
      filename: file.name,
      contentType: file.type,
      size: file.size,
    });
    const form = new FormData();
    for (const [key, value] of Object.entries(signed.params)) form.append(key, value);
    form.append("file", file);
    const uploaded = await postForm(signed.uploadUrl, form, onProgress);
    return attachmentFromUpload(uploaded, file, signed.kind);
  }
}
