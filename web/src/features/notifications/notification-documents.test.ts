import { describe, expect, it } from "vitest";
import {
  ArrivalTracker,
  formatRelativeTime,
  notificationTitle,
  toAppNotification,
  unreadBadge,
  type NotificationFields,
} from "./notification-documents";
import type { AppNotification } from "./types";

function at(iso: string) {
  const date = new Date(iso);
  return { toDate: () => new Date(date) };
}

const mention: NotificationFields = {
  type: "mention",
  roomId: "room-1",
  roomName: "Design team",
  messageId: "m1",
  senderId: "u_dee",
  senderName: "Dee Nguyen",
  preview: "@eli can you review the mockups?",
  createdAt: at("2026-03-02T10:00:00Z"),
  read: false,
};

function item(id: string, iso: string): AppNotification {
  return toAppNotification(id, { ...mention, roomId: "room-1", messageId: id, createdAt: at(iso) })!;
}

describe("toAppNotification", () => {
  it("maps what the message trigger writes", () => {
    expect(toAppNotification("room-1_m1", mention)).toEqual({
      id: "room-1_m1",
      type: "mention",
      roomId: "room-1",
      roomName: "Design team",
      messageId: "m1",
      senderId: "u_dee",
      senderName: "Dee Nguyen",
      preview: "@eli can you review the mockups?",
      createdAt: new Date("2026-03-02T10:00:00Z"),
      read: false,
      quiet: false,
    });
    expect(toAppNotification("room-1_m1", { ...mention, quiet: true })?.quiet).toBe(true);
  });

  it("fills in what a damaged document lacks, and skips one without a room", () => {
    const direct = toAppNotification("room-2_m9", {
      type: "direct",
      roomId: "room-2",
      senderName: " ",
      roomName: 3,
      createdAt: null,
    });
    expect(direct).toMatchObject({
      type: "direct",
      senderName: "Someone",
      roomName: "Someone",
      messageId: "m9",
      preview: "",
      createdAt: null,
      read: false,
    });
    expect(toAppNotification("x", { type: "odd", roomId: "r" })?.type).toBe("mention");
    expect(toAppNotification("x", { type: "mention" })).toBeNull();
  });

  it("titles a direct message by its sender and a mention with its room", () => {
    expect(notificationTitle(toAppNotification("a", mention)!)).toBe("Dee Nguyen mentioned you in Design team");
    expect(notificationTitle(toAppNotification("a", { ...mention, type: "direct" })!)).toBe("Dee Nguyen");
  });
});

describe("ArrivalTracker", () => {
  it("reports nothing for the first server snapshot, then only notifications that arrive", () => {
    const tracker = new ArrivalTracker();
    const old = item("a", "2026-03-02T10:00:00Z");
    expect(tracker.next({ items: [old], hasMore: false, fromCache: false })).toEqual([]);
    const fresh1 = item("b", "2026-03-02T10:01:00Z");
    const fresh2 = item("c", "2026-03-02T10:02:00Z");
    expect(tracker.next({ items: [fresh2, fresh1, old], hasMore: false, fromCache: false })).toEqual([fresh1, fresh2]);
    // Seen ones are not reported again.
    expect(tracker.next({ items: [fresh2, fresh1, old], hasMore: false, fromCache: false })).toEqual([]);
  });

  it("waits for the server: what a cached snapshot lacked is not new", () => {
    const tracker = new ArrivalTracker();
    expect(tracker.next({ items: [], hasMore: false, fromCache: true })).toEqual([]);
    expect(tracker.next({ items: [item("a", "2026-03-02T10:00:00Z")], hasMore: false, fromCache: false })).toEqual([]);
  });

  it("does not report an older notification coming back into the limited window", () => {
    const tracker = new ArrivalTracker();
    tracker.next({
      items: [item("c", "2026-03-02T10:02:00Z"), item("b", "2026-03-02T10:01:00Z")],
      hasMore: true,
      fromCache: false,
    });
    // "c" was read; "a" (older) now fits in the window.
    expect(
      tracker.next({
        items: [item("b", "2026-03-02T10:01:00Z"), item("a", "2026-03-02T10:00:00Z")],
        hasMore: false,
        fromCache: false,
      }),
    ).toEqual([]);
  });

  it("reports a new one after everything was marked read", () => {
    const tracker = new ArrivalTracker();
    tracker.next({ items: [item("a", "2026-03-02T10:00:00Z")], hasMore: false, fromCache: false });
    tracker.next({ items: [], hasMore: false, fromCache: false });
    const next = item("b", "2026-03-02T10:05:00Z");
    expect(tracker.next({ items: [next], hasMore: false, fromCache: false })).toEqual([next]);
  });
});

describe("formatRelativeTime", () => {
  const now = new Date("2026-03-10T12:00:00Z");
  it.each([
    ["2026-03-10T11:59:30Z", "just now"],
    ["2026-03-10T11:55:00Z", "5 min ago"],
    ["2026-03-10T09:00:00Z", "3 h ago"],
    ["2026-03-09T10:00:00Z", "yesterday"],
    ["2026-03-06T12:00:00Z", "4 d ago"],
  ])("%s → %s", (iso, expected) => {
    expect(formatRelativeTime(new Date(iso), now)).toBe(expected);
  });

  it("gives the date for older ones, and 'just now' for an unknown time or a clock ahead", () => {
    expect(formatRelativeTime(new Date("2026-01-02T12:00:00Z"), now)).toMatch(/2/);
    expect(formatRelativeTime(null, now)).toBe("just now");
    expect(formatRelativeTime(new Date("2026-03-10T12:01:00Z"), now)).toBe("just now");
  });
});

describe("unreadBadge", () => {
  it("is empty at zero, the count below the limit, N+ beyond it", () => {
    expect(unreadBadge({ items: [], hasMore: false })).toBe("");
    expect(unreadBadge({ items: [item("a", "2026-03-02T10:00:00Z")], hasMore: false })).toBe("1");
    expect(unreadBadge({ items: [item("a", "2026-03-02T10:00:00Z")], hasMore: true })).toBe("1+");
  });
});
