import { describe, expect, it } from "vitest";
import { message } from "@/test/chat-fixtures";
import { buildTimeline, formatDayLabel } from "./group-messages";

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

    expect(timeline.map((item) => (item.kind === "day" ? "day" : `${item.senderId}×${item.messages.length}`))).toEqual([
      "day",
      "bob×2",
      "ann×1",
      "bob×1",
    ]);
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
