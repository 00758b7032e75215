import type { Message, RoomSummary } from "@/features/chat/types";

let sequence = 0;

export function message(overrides: Partial<Message> & { createdAt: Date }): Message {
  sequence += 1;
  return {
    id: `m${sequence}`,
    roomId: "r1",
    senderId: "u_bob",
    senderName: "Bob Stone",
    senderAvatarUrl: null,
    text: `message ${sequence}`,
    editedAt: null,
    deleted: false,
    replyTo: null,
    mentions: [],
    reactions: {},
    attachments: [],
    delivery: "sent",
    ...overrides,
  };
}

export function room(overrides: Partial<RoomSummary> & { id: string; name: string }): RoomSummary {
  return {
    kind: "group",
    avatarUrl: null,
    peerId: null,
    lastMessage: null,
    unreadCount: 0,
    mentioned: false,
    updatedAt: new Date("2026-11-25T09:00:00"),
    ...overrides,
  };
}
