import { describe, expect, it } from "vitest";
import { message } from "@/test/chat-fixtures";
import { buildTimeline, formatDayLabel, timelineBuilder } from "./group-messages";

const at = (text: string) => new Date(text);

describe("buildTimeline", () => {
  it("groups consecutive messages from one sender", () => {
    const messages = [
      message({ senderId: "bob", createdAt: at("2026-11-25T09:00:00") }),
      message({ senderId: "bob", createdAt: at("2026-11-25T09:01:00") }),
      message({ senderId: "ann", createdAt: at("2026-11-25T09:02:00") }),
      message({ senderId: "bob", createdAt: at("2026-11-25T09:03:00") }),
    ];

    const timeline = buildTimeline(messages);

    expect(
      timeline.map((item) => (item.kind === "group" ? `${item.senderId}×${item.messages.length}` : item.kind)),
    ).toEqual(["day", "bob×2", "ann×1", "bob×1"]);
  });

  it("puts a system line on its own and starts a new group after it", () => {
    const joined = message({
      id: "s1",
      senderId: "cat",
      createdAt: at("2026-11-25T09:01:30"),
      system: { event: "joined", subjectName: "", value: "" },
    });
    const messages = [
      message({ senderId: "bob", createdAt: at("2026-11-25T09:01:00") }),
      joined,
      message({ senderId: "bob", createdAt: at("2026-11-25T09:02:00") }),
    ];

    const timeline = buildTimeline(messages);

    expect(
      timeline.map((item) => (item.kind === "group" ? `${item.senderId}×${item.messages.length}` : item.kind)),
    ).toEqual(["day", "bob×1", "system", "bob×1"]);
    expect(timeline[2]).toEqual({ kind: "system", key: "system-s1", message: joined });
  });

  it("starts a new group after five quiet minutes", () => {
    const messages = [
      message({ senderId: "bob", createdAt: at("2026-11-25T09:00:00") }),
      message({ senderId: "bob", createdAt: at("2026-11-25T09:04:59") }),
      message({ senderId: "bob", createdAt: at("2026-11-25T09:10:00") }),
    ];

    const groups = buildTimeline(messages).filter((item) => item.kind === "group");

    expect(groups.map((group) => group.messages.length)).toEqual([2, 1]);
  });

  it("puts a day separator before each new local day and never groups across it", () => {
    const messages = [
      message({ senderId: "bob", createdAt: at("2026-11-24T23:59:00") }),
      message({ senderId: "bob", createdAt: at("2026-11-25T00:01:00") }),
    ];

    const kinds = buildTimeline(messages).map((item) => item.kind);

    expect(kinds).toEqual(["day", "group", "day", "group"]);
  });

  it("returns nothing for no messages", () => {
    expect(buildTimeline([])).toEqual([]);
  });
});

describe("formatDayLabel", () => {
  const now = at("2026-11-25T15:00:00");
  it("names today and yesterday", () => {
    expect(formatDayLabel(at("2026-11-25T01:00:00"), now)).toBe("Today");
    expect(formatDayLabel(at("2026-11-24T23:00:00"), now)).toBe("Yesterday");
  });
  it("spells out older days, with the year only when it differs", () => {
    expect(formatDayLabel(at("2026-11-20T10:00:00"), now)).toMatch(/November 20/);
    expect(formatDayLabel(at("2025-03-02T10:00:00"), now)).toMatch(/2025/);
  });
});

describe("buildTimeline keys over time", () => {
  const bob = (id: string, minute: number) =>
    message({ id, senderId: "bob", createdAt: at(`2026-11-25T09:${String(minute).padStart(2, "0")}:00`) });
  const ann = (id: string, minute: number) =>
    message({ id, senderId: "ann", createdAt: at(`2026-11-25T09:${String(minute).padStart(2, "0")}:00`) });
  const keys = (timeline: ReturnType<typeof buildTimeline>) => timeline.map((item) => item.key);

  it("keeps a group's key when its first message leaves a live window and new ones join", () => {
    const first = buildTimeline([bob("m1", 0), bob("m2", 1), bob("m3", 2)]);
    const slid = buildTimeline([bob("m2", 1), bob("m3", 2), bob("m4", 3)], first);

    expect(keys(first)).toEqual(["day-2026-11-25", "group-m1"]);
    expect(keys(slid)).toEqual(["day-2026-11-25", "group-m1"]);
    expect(keys(buildTimeline([bob("m2", 1), bob("m3", 2), bob("m4", 3)]))).toEqual(["day-2026-11-25", "group-m2"]);
  });

  it("gives a new group its own key and keeps the others'", () => {
    const before = buildTimeline([bob("m1", 0), ann("m2", 1)]);
    const after = buildTimeline([bob("m1", 0), ann("m2", 1), bob("m3", 2)], before);

    expect(keys(after)).toEqual(["day-2026-11-25", "group-m1", "group-m2", "group-m3"]);
  });

  it("keeps keys unique when a group splits", () => {
    const before = buildTimeline([bob("m1", 0), bob("m2", 1), bob("m3", 2)]);
    const joined = message({
      id: "s1",
      senderId: "cat",
      createdAt: at("2026-11-25T09:01:30"),
      system: { event: "joined", subjectName: "", value: "" },
    });
    const after = buildTimeline([bob("m1", 0), bob("m2", 1), joined, bob("m3", 2)], before);

    expect(keys(after)).toEqual(["day-2026-11-25", "group-m1", "system-s1", "group-m3"]);
    expect(new Set(keys(after)).size).toBe(after.length);
  });

  it("numbers a new group apart when its own key was kept by another group", () => {
    // m1 started the group before; now an earlier message from ann comes first and m1 starts a
    // group again, while m2 (once in m1's group) is behind another of ann's messages.
    const before = buildTimeline([bob("m1", 1), bob("m2", 3)]);
    const after = buildTimeline([bob("m2", 3), ann("a1", 4), bob("m1", 5)], before);

    expect(keys(after)).toEqual(["day-2026-11-25", "group-m1", "group-a1", "group-m1-2"]);
  });
});

describe("timelineBuilder", () => {
  it("gives back the same timeline for the same messages, and keeps keys across changes", () => {
    const timelineOf = timelineBuilder();
    const messages = [
      message({ id: "m1", senderId: "bob", createdAt: at("2026-11-25T09:00:00") }),
      message({ id: "m2", senderId: "bob", createdAt: at("2026-11-25T09:01:00") }),
    ];
    const first = timelineOf(messages);

    expect(timelineOf(messages)).toBe(first);
    const next = timelineOf([
      messages[1]!,
      message({ id: "m3", senderId: "bob", createdAt: at("2026-11-25T09:02:00") }),
    ]);
    expect(next.map((item) => item.key)).toEqual(["day-2026-11-25", "group-m1"]);
  });
});

describe("buildTimeline rows that did not change", () => {
  it("are the same objects as before; a changed group is a new one", () => {
    const m1 = message({ id: "m1", senderId: "bob", createdAt: at("2026-11-25T09:00:00") });
    const m2 = message({ id: "m2", senderId: "ann", createdAt: at("2026-11-25T09:01:00") });
    const m3 = message({ id: "m3", senderId: "ann", createdAt: at("2026-11-25T09:02:00") });
    const before = buildTimeline([m1, m2]);
    const after = buildTimeline([m1, m2, m3], before);

    expect(after[0]).toBe(before[0]); // the day
    expect(after[1]).toBe(before[1]); // bob's group, unchanged
    expect(after[2]).not.toBe(before[2]); // ann's group, one more message
    expect(after[2]).toMatchObject({ key: "group-m2", messages: [m2, m3] });
    const edited = { ...m1, text: "edited" };
    expect(buildTimeline([edited, m2, m3], after)[1]).not.toBe(after[1]);
  });
});
