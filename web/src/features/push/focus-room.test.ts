import { describe, expect, it } from "vitest";
import { roomOfPath, trackFocusedRoom } from "./focus-room";

describe("roomOfPath", () => {
  it("finds the room of a conversation or a message permalink, and nothing elsewhere", () => {
    expect(roomOfPath("/rooms/abc")).toBe("abc");
    expect(roomOfPath("/r/abc/m/m1")).toBe("abc");
    expect(roomOfPath("/")).toBeNull();
    expect(roomOfPath("/search")).toBeNull();
    expect(roomOfPath("/join/abc")).toBeNull();
  });
});

function fakeWindowAndDocument() {
  const target = new EventTarget();
  const doc = Object.assign(new EventTarget(), {
    focused: true,
    visibilityState: "visible" as DocumentVisibilityState,
  });
  return {
    target,
    doc: Object.assign(doc, { hasFocus: () => doc.focused }),
    blur() {
      doc.focused = false;
      target.dispatchEvent(new Event("blur"));
    },
    focus() {
      doc.focused = true;
      target.dispatchEvent(new Event("focus"));
    },
    hide() {
      doc.visibilityState = "hidden";
      doc.dispatchEvent(new Event("visibilitychange"));
    },
  };
}

describe("trackFocusedRoom", () => {
  it("reports the open room while focused and visible, null otherwise, each change once", () => {
    const page = fakeWindowAndDocument();
    const reported: (string | null)[] = [];
    const tracker = trackFocusedRoom((room) => reported.push(room), page.doc, page.target);
    tracker.setRoom("r1");
    tracker.setRoom("r1");
    page.blur();
    page.focus();
    tracker.setRoom("r2"); // straight to the next room, no null in between
    tracker.setRoom(null);
    tracker.setRoom("r3");
    page.hide();
    expect(reported).toEqual(["r1", null, "r1", "r2", null, "r3", null]);
  });

  it("says null when stopped, and then listens no more", () => {
    const page = fakeWindowAndDocument();
    const reported: (string | null)[] = [];
    const tracker = trackFocusedRoom((room) => reported.push(room), page.doc, page.target);
    tracker.setRoom("r1");
    tracker.stop();
    page.blur();
    page.focus();
    expect(reported).toEqual(["r1", null]);
  });
});
