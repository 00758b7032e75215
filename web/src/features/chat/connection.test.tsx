import { act, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { toast } from "sonner";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LOST_AFTER_MS, reportBackend, resetBackendReports } from "@/lib/backend-connection";
import { room } from "@/test/chat-fixtures";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { ChatDataProvider } from "./chat-data-context";
import type { ChatDataSource } from "./data-source";
import { copyMessageLink, mayPin } from "./live-conversation";
import type { Presence } from "./types";
import { usePresence } from "./use-presence";

/** A source whose people are all online, as their profiles last said. */
class OnlineEveryone extends InMemoryChatSource {
  override watchPresence(userIds: string[], subscriber: { next: (value: Map<string, Presence>) => void }) {
    subscriber.next(new Map(userIds.map((uid) => [uid, { state: "online", lastChanged: new Date() }])));
    return () => {};
  }
}

describe("other people's presence while we are cut off", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    resetBackendReports();
    vi.useRealTimers();
  });

  it("is not claimed once the backend cannot be reached, and comes back with it", () => {
    const source: ChatDataSource = new OnlineEveryone({ id: "u_me", displayName: "Me" });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <ChatDataProvider source={source}>{children}</ChatDataProvider>
    );
    const { result } = renderHook(() => usePresence(["u_ben"]), { wrapper });
    expect(result.current.get("u_ben")?.state).toBe("online");
    act(() => reportBackend("realtime", false));
    act(() => vi.advanceTimersByTime(LOST_AFTER_MS));
    expect(result.current.get("u_ben")).toBeUndefined();
    act(() => reportBackend("realtime", true));
    expect(result.current.get("u_ben")?.state).toBe("online");
  });
});

describe("who may pin", () => {
  it.each([
    [room({ id: "d", name: "Ben", kind: "direct" }), true],
    [room({ id: "d", name: "Ben", kind: "direct", canPost: false }), false],
    [room({ id: "g", name: "Team", role: "owner" }), true],
    [room({ id: "g", name: "Team", role: "admin" }), true],
    [room({ id: "g", name: "Team", role: "member" }), false],
    [room({ id: "g", name: "Team" }), false],
    [room({ id: "g", name: "Team", role: "owner", canPost: false }), false],
  ])("%o → %s", (shown, expected) => {
    expect(mayPin(shown)).toBe(expected);
  });
});

describe("Copy link", () => {
  afterEach(() => vi.restoreAllMocks());

  it("copies the message's permalink on this origin and says so", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    const success = vi.spyOn(toast, "success");
    await copyMessageLink("room 1", "m/2");
    expect(writeText).toHaveBeenCalledWith(`${window.location.origin}/r/room%201/m/m%2F2`);
    expect(success).toHaveBeenCalledWith("Link copied");
  });

  it("shows the link when the clipboard refuses", async () => {
    Object.defineProperty(navigator, "clipboard", {
      configurable: true,
      value: { writeText: vi.fn().mockRejectedValue(new Error("denied")) },
    });
    const failure = vi.spyOn(toast, "error");
    await copyMessageLink("r1", "m1");
    expect(failure).toHaveBeenCalledWith("Couldn't copy the link", {
      description: `${window.location.origin}/r/r1/m/m1`,
    });
  });
});
