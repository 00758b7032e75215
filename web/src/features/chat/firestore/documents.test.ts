import { describe, expect, it } from "vitest";
import {
  activeTypers,
  attachmentFromDocument,
  attachmentFromUpload,
  attachmentToDocument,
  findMentions,
  linkPreviewOf,
  pinnedMessageOf,
  presenceFrom,
  reactionsByEmoji,
  receiptsFrom,
  roomsMentioning,
  seenBy,
  sortRooms,
  toggleEmoji,
  toMessage,
  toRoomSummary,
  rowProfiles,
  type MessageDocument,
  type ProfileDocument,
  type TimestampLike,
} from "./documents";

function at(iso: string): TimestampLike {
  const date = new Date(iso);
  return { toDate: () => new Date(date), toMillis: () => date.getTime() };
}

const profiles: Record<string, ProfileDocument> = {
  u_ana: { username: "ana", displayName: "Ana Lima", avatarUrl: "https://cdn.example/ana.png" },
  u_ben: {
    username: "ben",
    displayName: "Ben Okafor",
    avatarUrl: null,
    presence: { state: "away", lastChanged: at("2026-11-25T09:00:00Z") },
  },
};
const profileOf = (uid: string) => profiles[uid];

describe("toMessage", () => {
  const base: MessageDocument = { senderId: "u_ana", text: "Hello", createdAt: at("2026-11-25T09:30:00Z") };

  it("maps a sent message with its sender's profile, reply and reactions", () => {
    const message = toMessage({
      id: "m2",
      roomId: "r1",
      data: { ...base, replyTo: "m1", mentions: ["u_ben"], reactions: { u_ben: ["👍", "🎉"], u_ana: ["👍"] } },
      pending: false,
      now: new Date("2026-11-25T10:00:00Z"),
      profileOf,
      replyPreview: (id) => ({ messageId: id, senderId: "u_ben", senderName: "Ben Okafor", text: "Lunch?" }),
    });
    expect(message).toEqual({
      id: "m2",
      roomId: "r1",
      senderId: "u_ana",
      senderName: "Ana Lima",
      senderAvatarUrl: "https://cdn.example/ana.png",
      text: "Hello",
      createdAt: new Date("2026-11-25T09:30:00Z"),
      editedAt: null,
      deleted: false,
      replyTo: { messageId: "m1", senderId: "u_ben", senderName: "Ben Okafor", text: "Lunch?" },
      mentions: ["u_ben"],
      reactions: { "👍": ["u_ben", "u_ana"], "🎉": ["u_ben"] },
      attachments: [],
      delivery: "sent",
    });
  });

  it("marks a pending write as sending and dates it now until the server stamps it", () => {
    const now = new Date("2026-11-25T10:00:00Z");
    const message = toMessage({
      id: "m3",
      roomId: "r1",
      data: { ...base, createdAt: null },
      pending: true,
      now,
      profileOf,
      replyPreview: () => null,
    });
    expect(message.delivery).toBe("sending");
    expect(message.createdAt).toEqual(now);
  });

  it("empties a soft-deleted message and names an unknown sender", () => {
    const message = toMessage({
      id: "m4",
      roomId: "r1",
      data: {
        ...base,
        senderId: "u_gone",
        deleted: true,
        text: "",
        reactions: { u_ben: ["😂"] },
        editedAt: at("2026-11-25T09:31:00Z"),
      },
      pending: false,
      now: new Date(),
      profileOf,
      replyPreview: () => null,
    });
    expect(message).toMatchObject({ deleted: true, text: "", reactions: {}, attachments: [], senderName: "Someone" });
    expect(message.editedAt).toEqual(new Date("2026-11-25T09:31:00Z"));
  });
});

describe("reactions", () => {
  it("turns {uid: [emoji]} into {emoji: [uid]}", () => {
    expect(reactionsByEmoji({ a: ["❤️"], b: ["❤️", "👍"] })).toEqual({ "❤️": ["a", "b"], "👍": ["b"] });
    expect(reactionsByEmoji(undefined)).toEqual({});
  });

  it("toggles one emoji in the caller's own list", () => {
    expect(toggleEmoji(undefined, "👍")).toEqual(["👍"]);
    expect(toggleEmoji(["👍", "🎉"], "👍")).toEqual(["🎉"]);
    expect(toggleEmoji(["🎉"], "👍")).toEqual(["🎉", "👍"]);
  });
});

describe("attachments", () => {
  const document = {
    publicId: "rooms/r1/abc",
    url: "http://cdn.local/demo/image/upload/v1/rooms/r1/abc.png",
    kind: "image" as const,
    name: "mockup.png",
    bytes: 2048,
    contentType: "image/png",
    width: 640,
    height: 480,
  };

  const previewUrl = "http://cdn.local/demo/image/upload/c_limit,w_640/rooms/r1/abc.png";

  it("has no link until the function verifies it, then the preview and the full-size original", () => {
    const unverified = attachmentFromDocument({ ...document, previewUrl });
    expect(unverified.url).toBe("");
    expect(unverified).not.toHaveProperty("fullUrl");
    const verified = attachmentFromDocument({ ...document, verified: true, previewUrl });
    expect(verified).toEqual({
      id: "rooms/r1/abc",
      kind: "image",
      url: previewUrl,
      fullUrl: document.url,
      name: "mockup.png",
      sizeBytes: 2048,
      mimeType: "image/png",
      width: 640,
      height: 480,
    });
  });

  it("never links to anything but http(s)", () => {
    const file = { ...document, kind: "file" as const, verified: true };
    expect(attachmentFromDocument({ ...file, url: "javascript:alert(1)" }).url).toBe("");
    expect(attachmentFromDocument(file).url).toBe(document.url);
    const image = attachmentFromDocument({ ...document, verified: true, previewUrl, url: "javascript:alert(1)" });
    expect(image.url).toBe(previewUrl);
    expect(image).not.toHaveProperty("fullUrl");
  });

  it("gives only images a full-size link", () => {
    const file = attachmentFromDocument({ ...document, kind: "file", verified: true, previewUrl });
    expect(file.url).toBe(document.url);
    expect(file).not.toHaveProperty("fullUrl");
  });

  it("writes only keys the rules allow: no link, never verified", () => {
    const upload = attachmentFromUpload(
      { public_id: "rooms/r1/abc", secure_url: document.url, bytes: 2048, width: 640, height: 480, format: "png" },
      { name: "mockup.png", type: "image/png" },
      "image",
    );
    const written = attachmentToDocument(upload);
    expect(written).toEqual({
      publicId: "rooms/r1/abc",
      kind: "image",
      name: "mockup.png",
      bytes: 2048,
      contentType: "image/png",
      width: 640,
      height: 480,
    });
    expect(Object.keys(written)).not.toContain("verified");
    expect(Object.keys(written)).not.toContain("url");
  });
});

describe("rooms", () => {
  it("names a direct room after the other person and shows their avatar", () => {
    const summary = toRoomSummary({
      id: "r1",
      room: {
        kind: "direct",
        directMembers: ["u_ana", "u_ben"],
        lastMessage: { id: "m9", senderId: "u_ben", preview: "See you", createdAt: at("2026-11-25T09:45:00Z") },
        lastMessageAt: at("2026-11-25T09:45:00Z"),
      },
      mine: { kind: "direct", joinedAt: at("2026-11-25T08:00:00Z") },
      currentUserId: "u_ana",
      unreadCount: 2,
      profileOf,
    });
    expect(summary).toEqual({
      id: "r1",
      kind: "direct",
      name: "Ben Okafor",
      avatarUrl: null,
      peerId: "u_ben",
      lastMessage: {
        text: "See you",
        senderId: "u_ben",
        senderName: "Ben Okafor",
        sentAt: new Date("2026-11-25T09:45:00Z"),
      },
      unreadCount: 2,
      mentioned: false,
      updatedAt: new Date("2026-11-25T09:45:00Z"),
      canPost: true,
    });
  });

  it("names the last sender from a profile it follows rather than the row's older copy", () => {
    const room = {
      kind: "direct" as const,
      directMembers: ["u_ana", "u_ben"],
      lastMessage: {
        id: "m9",
        senderId: "u_ben",
        senderName: "Ben Okafor",
        preview: "Hi",
        createdAt: at("2026-11-25T09:45:00Z"),
      },
    };
    const parts = { id: "r1", room, mine: {}, currentUserId: "u_ana", unreadCount: 0 };
    const renamed = toRoomSummary({
      ...parts,
      profileOf: (uid) => (uid === "u_ben" ? { displayName: "Deleted user" } : undefined),
    });
    expect(renamed.lastMessage?.senderName).toBe("Deleted user");
    // A group's senders are not followed: the copy is what there is.
    const group = toRoomSummary({
      ...parts,
      room: { ...room, kind: "group", name: "Design" },
      profileOf: () => undefined,
    });
    expect(group.lastMessage?.senderName).toBe("Ben Okafor");
  });

  it("names a direct room from the row's copy of the other person, with no profile to follow", () => {
    const mine = {
      kind: "direct" as const,
      directMembers: ["u_ana", "u_ben"],
      peer: {
        uid: "u_ben",
        username: "ben",
        displayName: "Ben Renamed",
        avatarUrl: "https://res.cloudinary.com/x/ben.png",
      },
    };
    const copied = rowProfiles(mine);
    expect([...copied.keys()]).toEqual(["u_ben"]);
    const room = {
      kind: "direct" as const,
      directMembers: mine.directMembers,
      lastMessage: {
        id: "m9",
        senderId: "u_ben",
        senderName: "Ben Okafor",
        preview: "Hi",
        createdAt: at("2026-11-25T09:45:00Z"),
      },
    };
    const summary = toRoomSummary({
      id: "r1",
      room,
      mine,
      currentUserId: "u_ana",
      unreadCount: 0,
      profileOf: (uid) => copied.get(uid),
    });
    expect([summary.name, summary.avatarUrl, summary.lastMessage?.senderName]).toEqual([
      "Ben Renamed",
      "https://res.cloudinary.com/x/ben.png",
      "Ben Renamed",
    ]);
    // A deleted account's copy is rewritten as "Deleted user" with no picture, and closes the room.
    const gone = rowProfiles({
      ...mine,
      peer: { uid: "u_ben", displayName: "Deleted user", avatarUrl: null, disabled: true },
    });
    const closed = toRoomSummary({
      id: "r1",
      room,
      mine,
      currentUserId: "u_ana",
      unreadCount: 0,
      profileOf: (uid) => gone.get(uid),
    });
    expect(closed).toMatchObject({ name: "Deleted user", canPost: false, peerDeleted: true });
    // Groups, and rows written before the copy existed, name nobody from the row.
    expect(rowProfiles({ kind: "group", name: "Design" }).size).toBe(0);
    expect(rowProfiles({ kind: "direct", directMembers: mine.directMembers }).size).toBe(0);
  });

  it("carries a group's topic for the header, and never a direct room's", () => {
    const parts = { id: "r1", mine: {}, currentUserId: "u_ana", unreadCount: 0, profileOf };
    expect(
      toRoomSummary({ ...parts, room: { kind: "group", name: "Design", topic: "  Weekly critique  " } }).topic,
    ).toBe("Weekly critique");
    expect(toRoomSummary({ ...parts, room: { kind: "group", name: "Design", topic: "   " } })).not.toHaveProperty(
      "topic",
    );
    expect(
      toRoomSummary({ ...parts, room: { kind: "direct", directMembers: ["u_ana", "u_ben"], topic: "x" } }),
    ).not.toHaveProperty("topic");
  });

  it("flags rooms with an unread mention, from the person's unread notifications", () => {
    const mentioning = roomsMentioning([
      { type: "mention", roomId: "r1", read: false },
      { type: "direct", roomId: "r2", read: false },
      { type: "mention", roomId: "r3", read: true },
    ]);
    expect([...mentioning]).toEqual(["r1"]);
    const parts = { room: { kind: "group" as const, name: "Design" }, mine: {}, currentUserId: "u_ana", profileOf };
    expect(toRoomSummary({ ...parts, id: "r1", unreadCount: 3, mentioned: mentioning.has("r1") }).mentioned).toBe(true);
    // Once the messages are read, the mention is too.
    expect(toRoomSummary({ ...parts, id: "r1", unreadCount: 0, mentioned: true }).mentioned).toBe(false);
  });

  it("may not post in an archived room or when the membership mirror says so", () => {
    const parts = { id: "r4", mine: {}, currentUserId: "u_ana", unreadCount: 0, profileOf };
    expect(toRoomSummary({ ...parts, room: { kind: "group", name: "Old", archived: true } }).canPost).toBe(false);
    expect(toRoomSummary({ ...parts, room: { kind: "direct" }, member: { canPost: false } }).canPost).toBe(false);
    expect(
      toRoomSummary({ ...parts, room: { kind: "group", archived: false }, member: { canPost: true } }).canPost,
    ).toBe(true);
  });

  it("closes a direct room whose other person deleted their account, and says why", () => {
    const gone = (uid: string): ProfileDocument | undefined =>
      uid === "u_ben" ? { displayName: "Deleted user", disabled: true } : profileOf(uid);
    const parts = {
      id: "r5",
      mine: { role: "member" },
      currentUserId: "u_ana",
      unreadCount: 0,
      member: { canPost: true },
    };
    const direct = { kind: "direct" as const, directMembers: ["u_ana", "u_ben"] };
    const closed = toRoomSummary({ ...parts, room: direct, profileOf: gone });
    expect([closed.canPost, closed.peerDeleted, closed.role]).toEqual([false, true, "member"]);
    const open = toRoomSummary({ ...parts, room: direct, profileOf });
    expect(open.canPost).toBe(true);
    expect(open).not.toHaveProperty("peerDeleted");
    expect(toRoomSummary({ ...parts, room: direct, member: { canPost: true, role: "owner" }, profileOf }).role).toBe(
      "owner",
    );
  });

  it("keeps a group's name and sorts by recent activity", () => {
    const group = toRoomSummary({
      id: "r2",
      room: { kind: "group", name: "Design" },
      mine: { joinedAt: at("2026-11-25T09:50:00Z") },
      currentUserId: "u_ana",
      unreadCount: 0,
      profileOf,
    });
    expect(group).toMatchObject({
      name: "Design",
      peerId: null,
      lastMessage: null,
      updatedAt: new Date("2026-11-25T09:50:00Z"),
    });
    const older = { ...group, id: "r3", name: "Alpha", updatedAt: new Date("2026-11-24T09:00:00Z") };
    expect(sortRooms([older, group]).map((room) => room.id)).toEqual(["r2", "r3"]);
  });
});

describe("typing, receipts, presence, mentions", () => {
  const now = new Date("2026-11-25T10:00:00Z");

  it("lists others who are typing and whose entry has not expired", () => {
    const typers = activeTypers(
      [
        { uid: "u_ben", data: { typing: true, expiresAt: at("2026-11-25T10:00:05Z") } },
        { uid: "u_old", data: { typing: true, expiresAt: at("2026-11-25T09:59:59Z") } },
        { uid: "u_stopped", data: { typing: false, expiresAt: at("2026-11-25T10:00:05Z") } },
        { uid: "u_ana", data: { typing: true, expiresAt: at("2026-11-25T10:00:05Z") } },
      ],
      now,
      "u_ana",
      profileOf,
    );
    expect(typers).toEqual([{ userId: "u_ben", displayName: "Ben Okafor" }]);
  });

  it("says who has seen a message from the shared read markers", () => {
    const receipts = receiptsFrom([
      { uid: "u_ben", data: { lastReadAt: at("2026-11-25T10:00:00Z"), lastReadMessageId: "m5", shareReceipts: true } },
      { uid: "u_cy", data: { lastReadAt: at("2026-11-25T09:00:00Z"), lastReadMessageId: "m1", shareReceipts: true } },
      { uid: "u_new", data: { shareReceipts: true } },
    ]);
    expect(receipts.map((receipt) => receipt.userId)).toEqual(["u_ben", "u_cy"]);
    expect(seenBy({ senderId: "u_ana", createdAt: new Date("2026-11-25T10:00:00Z") }, receipts, "u_ana")).toEqual([
      "u_ben",
    ]);
  });

  it("reads presence from the profile, offline when unknown", () => {
    expect(presenceFrom(profiles.u_ben)).toEqual({ state: "away", lastChanged: new Date("2026-11-25T09:00:00Z") });
    expect(presenceFrom(undefined)).toEqual({ state: "offline", lastChanged: null });
  });

  it("finds @usernames of members only", () => {
    const members = [
      { uid: "u_ana", username: "ana" },
      { uid: "u_ben", username: "Ben.O" },
    ];
    expect(findMentions("Thanks @ben.o and @nobody, cc @ana.", members)).toEqual(["u_ana", "u_ben"]);
    expect(findMentions("mail me at x@ana.com", members)).toEqual([]);
  });
});

describe("link previews and pins", () => {
  const preview = {
    url: "https://trail.example/boots",
    title: "Boots",
    description: "Wet trails",
    siteName: "Trail News",
    imageUrl: "https://res.cloudinary.com/demo/image/fetch/https://trail.example/b.png",
  };

  it("reads a well-formed card, and none once hidden, deleted or malformed", () => {
    expect(linkPreviewOf({ preview })).toEqual(preview);
    expect(linkPreviewOf({ preview, previewHidden: true })).toBeNull();
    expect(linkPreviewOf({ preview, deleted: true })).toBeNull();
    expect(linkPreviewOf({ preview: { ...preview, title: 7 } })).toBeNull();
    expect(linkPreviewOf({ preview: "https://trail.example" })).toBeNull();
    expect(linkPreviewOf({})).toBeNull();
  });

  it("never links to anything but http(s)", () => {
    expect(linkPreviewOf({ preview: { ...preview, url: "javascript:alert(1)" } })).toBeNull();
    expect(
      linkPreviewOf({ preview: { ...preview, imageUrl: "data:image/svg+xml,<svg onload=alert(1)>" } })?.imageUrl,
    ).toBe("");
  });

  it("puts the card on the message", () => {
    const data: MessageDocument = {
      senderId: "u_ben",
      text: "https://trail.example/boots",
      createdAt: at("2026-11-25T09:00:00Z"),
      preview,
    };
    const shown = toMessage({
      id: "m1",
      roomId: "r1",
      data,
      pending: false,
      now: new Date(),
      profileOf,
      replyPreview: () => null,
    });
    expect(shown.preview).toEqual(preview);
    const plain = toMessage({
      id: "m2",
      roomId: "r1",
      data: { ...data, preview: undefined },
      pending: false,
      now: new Date(),
      profileOf,
      replyPreview: () => null,
    });
    expect(plain).not.toHaveProperty("preview");
  });

  it("names a pin's sender from their profile", () => {
    expect(
      pinnedMessageOf(
        "m1",
        { senderId: "u_ben", text: "Meet at 9", pinnedBy: "u_ana", pinnedAt: at("2026-11-25T10:00:00Z") },
        profileOf,
      ),
    ).toEqual({
      messageId: "m1",
      senderId: "u_ben",
      senderName: "Ben Okafor",
      text: "Meet at 9",
      pinnedBy: "u_ana",
      pinnedAt: new Date("2026-11-25T10:00:00Z"),
    });
  });
});
