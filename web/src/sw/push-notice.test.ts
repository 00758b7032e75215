import { describe, expect, it } from "vitest";
import { pushNotice } from "./push-notice";

describe("pushNotice", () => {
  it("reads FCM's data payload: title, body, one tag per room, the message's permalink", () => {
    const notice = pushNotice({
      from: "1234",
      notification: { title: "ignored when data has one", body: "ignored too" },
      data: { roomId: "room 1", messageId: "m1", title: "Ana in Team", body: "lunch?", link: "/r/room%201/m/m1" },
    });
    expect(notice).toEqual({ title: "Ana in Team", body: "lunch?", tag: "room:room 1", link: "/r/room%201/m/m1" });
  });

  it("builds the permalink and falls back to the notification part when data lacks them", () => {
    expect(
      pushNotice({ notification: { title: "Ana", body: "hi" }, data: { roomId: "r/1", messageId: "m 2" } }),
    ).toEqual({
      title: "Ana",
      body: "hi",
      tag: "room:r/1",
      link: "/r/r%2F1/m/m%202",
    });
    expect(pushNotice({ data: { roomId: "r1" } })).toEqual({
      title: "FlowChat",
      body: "New message",
      tag: "room:r1",
      link: "/rooms/r1",
    });
    expect(pushNotice({})).toEqual({ title: "FlowChat", body: "New message", tag: "flowchat", link: "/" });
  });

  it("never lets a payload send the click to another site", () => {
    for (const link of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]) {
      expect(pushNotice({ data: { roomId: "r1", messageId: "m1", link } })?.link).toBe("/r/r1/m/m1");
    }
  });

  it("ignores what is not an object", () => {
    expect(pushNotice(null)).toBeNull();
    expect(pushNotice("text")).toBeNull();
  });
});
