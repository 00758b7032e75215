import { describe, expect, it } from "vitest";
import { message } from "@/test/chat-fixtures";
import { describeSystemLine, systemEventOf } from "./system-line";

describe("system lines", () => {
  it("reads only well-formed system documents", () => {
    expect(systemEventOf({ kind: "system", event: "renamed", value: "Trip" })).toEqual({
      event: "renamed",
      subjectName: "",
      value: "Trip",
    });
    expect(systemEventOf({ kind: "system", event: "exploded" })).toBeUndefined();
    expect(systemEventOf({ event: "joined" })).toBeUndefined();
  });

  it.each([
    [{ event: "joined" as const, subjectName: "", value: "" }, "u_ben", "Ben Ortiz joined"],
    [{ event: "joined" as const, subjectName: "", value: "" }, "u_me", "You joined"],
    [{ event: "left" as const, subjectName: "", value: "" }, "u_ben", "Ben Ortiz left"],
    [{ event: "removed" as const, subjectName: "Cat Diaz", value: "" }, "u_ben", "Ben Ortiz removed Cat Diaz"],
    [
      { event: "renamed" as const, subjectName: "", value: "Weekend trip 🏕️" },
      "u_ben",
      "Ben Ortiz renamed the group to “Weekend trip 🏕️”",
    ],
    [
      { event: "topic" as const, subjectName: "", value: "Bring boots" },
      "u_ben",
      "Ben Ortiz changed the topic to “Bring boots”",
    ],
    [{ event: "topic" as const, subjectName: "", value: "" }, "u_ben", "Ben Ortiz cleared the topic"],
    [{ event: "pinned" as const, subjectName: "", value: "m1" }, "u_ben", "Ben Ortiz pinned a message"],
    [{ event: "pinned" as const, subjectName: "", value: "m1" }, "u_me", "You pinned a message"],
  ])("%o by %s", (system, senderId, expected) => {
    expect(
      describeSystemLine(message({ senderId, senderName: "Ben Ortiz", createdAt: new Date(), system }), "u_me"),
    ).toBe(expected);
  });
});
