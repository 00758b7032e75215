import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { message, room } from "@/test/chat-fixtures";
import {
  LAST_KNOWN_PREFIX,
  LastKnownState,
  MAX_ROOM_PAGES,
  SAVE_DELAY_MS,
  clearLastKnownState,
} from "./last-known-state";

const keys = () => Object.keys(localStorage).sort();

describe("LastKnownState", () => {
  let current = true;
  const open = (uid = "u_ana") => new LastKnownState({ storage: localStorage, uid, isCurrent: () => current });

  beforeEach(() => {
    vi.useFakeTimers();
    localStorage.clear();
    current = true;
  });
  afterEach(() => {
    vi.useRealTimers();
    localStorage.clear();
  });

  it("gives back the room list and a room's newest page as saved, dates included", () => {
    const state = open();
    const stop = state.start();
    const list = [
      room({
        id: "r1",
        name: "General",
        unreadCount: 2,
        lastMessage: { text: "hi", senderId: "u_bob", senderName: "Bob", sentAt: new Date("2026-12-01T10:00:00Z") },
      }),
    ];
    const page = {
      messages: [
        message({ roomId: "r1", createdAt: new Date("2026-12-01T09:00:00Z"), text: "**first**" }),
        message({
          roomId: "r1",
          createdAt: new Date("2026-12-01T10:00:00Z"),
          editedAt: new Date("2026-12-01T10:05:00Z"),
          reactions: { "👍": ["u_ana"] },
        }),
      ],
      hasMore: true,
    };
    state.saveRooms(list);
    state.saveMessages("r1", page);
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    stop();

    const again = open();
    expect(again.rooms()).toEqual(list);
    expect(again.rooms()![0]!.updatedAt).toBeInstanceOf(Date);
    expect(again.messages("r1", 50)).toEqual(page);
    expect(again.messages("r1", 1)).toEqual({ messages: [page.messages[1]], hasMore: true });
    expect(again.messages("r2", 50)).toBeNull();
  });

  it("writes once a second at most, at once when the page is hidden, and nothing before start()", () => {
    const state = open();
    state.saveRooms([room({ id: "r1", name: "General" })]);
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    expect(keys()).toEqual([]);

    let hide = () => {};
    const withHide = new LastKnownState({
      storage: localStorage,
      uid: "u_ana",
      isCurrent: () => true,
      listenForHide: (flush) => {
        hide = flush;
        return () => {
          hide = () => {};
        };
      },
    });
    withHide.start();
    withHide.saveRooms([room({ id: "r1", name: "General" })]);
    withHide.saveRooms([room({ id: "r1", name: "Renamed" })]);
    expect(keys()).toEqual([]);
    hide();
    expect(keys()).toEqual([`${LAST_KNOWN_PREFIX}u_ana.rooms`]);
    expect(open().rooms()![0]!.name).toBe("Renamed");
  });

  it("writes nothing once the session stored here is someone else's, or after stop()", () => {
    const state = open();
    const stop = state.start();
    state.saveRooms([room({ id: "r1", name: "General" })]);
    current = false; // logged out (the session key is gone) before the write was due
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    expect(keys()).toEqual([]);

    current = true;
    state.saveRooms([room({ id: "r1", name: "General" })]);
    stop();
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    expect(keys()).toEqual([]);
  });

  it("keeps only messages the server has, and the pages of the rooms opened last", () => {
    const state = open();
    state.start();
    state.saveMessages("r0", {
      messages: [
        message({ roomId: "r0", createdAt: new Date("2026-12-01T09:00:00Z"), text: "sent" }),
        message({ roomId: "r0", createdAt: new Date("2026-12-01T09:01:00Z"), text: "queued", delivery: "sending" }),
      ],
      hasMore: false,
    });
    for (let index = 1; index <= MAX_ROOM_PAGES; index++)
      state.saveMessages(`r${index}`, {
        messages: [message({ roomId: `r${index}`, createdAt: new Date("2026-12-01T09:00:00Z") })],
        hasMore: false,
      });
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    const again = open();
    expect(again.messages("r0", 50)).toBeNull();
    expect(again.messages("r1", 50)).not.toBeNull();
    expect(again.messages(`r${MAX_ROOM_PAGES}`, 50)).not.toBeNull();
    expect(keys().filter((key) => key.includes(".room."))).toHaveLength(MAX_ROOM_PAGES);

    state.saveMessages("r0", {
      messages: [message({ roomId: "r0", createdAt: new Date("2026-12-01T09:00:00Z"), text: "sent" })],
      hasMore: false,
    });
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    expect(
      open()
        .messages("r0", 50)
        ?.messages.map((item) => item.text),
    ).toEqual(["sent"]);
  });

  it("drops the page of a room that left the list, or that was forgotten", () => {
    const state = open();
    state.start();
    for (const id of ["r1", "r2", "r3"])
      state.saveMessages(id, { messages: [message({ roomId: id, createdAt: new Date() })], hasMore: false });
    state.saveRooms([room({ id: "r1", name: "One" }), room({ id: "r3", name: "Three" })]);
    state.forgetRoom("r3");
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    const again = open();
    expect(again.messages("r1", 50)).not.toBeNull();
    expect(again.messages("r2", 50)).toBeNull();
    expect(again.messages("r3", 50)).toBeNull();
  });

  it("treats a corrupt or foreign value as nothing", () => {
    localStorage.setItem(`${LAST_KNOWN_PREFIX}u_ana.rooms`, "{not json");
    localStorage.setItem(`${LAST_KNOWN_PREFIX}u_ana.room.r1`, JSON.stringify({ format: 99, messages: [] }));
    localStorage.setItem(
      `${LAST_KNOWN_PREFIX}u_ana.room.r2`,
      JSON.stringify({ format: 1, hasMore: false, messages: [{ id: "m1", text: "x", createdAt: "not a date" }] }),
    );
    const state = open();
    expect(state.rooms()).toBeNull();
    expect(state.messages("r1", 50)).toBeNull();
    expect(state.messages("r2", 50)).toBeNull();
  });
});

describe("clearLastKnownState", () => {
  afterEach(() => localStorage.clear());

  it("deletes everyone's last known state, or everyone's but one person's, and nothing else", () => {
    localStorage.setItem(`${LAST_KNOWN_PREFIX}u_ana.rooms`, "a");
    localStorage.setItem(`${LAST_KNOWN_PREFIX}u_ana.room.r1`, "a");
    localStorage.setItem(`${LAST_KNOWN_PREFIX}u_an.rooms`, "b");
    localStorage.setItem(`${LAST_KNOWN_PREFIX}u_bob.rooms`, "c");
    localStorage.setItem("flowchat.session", "s");

    clearLastKnownState(localStorage, "u_ana");
    expect(keys()).toEqual([
      `${LAST_KNOWN_PREFIX}u_ana.room.r1`,
      `${LAST_KNOWN_PREFIX}u_ana.rooms`,
      "flowchat.session",
    ]);

    clearLastKnownState(localStorage);
    expect(keys()).toEqual(["flowchat.session"]);
  });
});
