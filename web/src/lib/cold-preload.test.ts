import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SESSION_STORAGE_KEY } from "@/features/auth/session-store";
import { LastKnownState, SAVE_DELAY_MS } from "@/features/chat/last-known-state";
import { paintsFromLastKnownState } from "@/features/chat/paint-first";
import { message } from "@/test/chat-fixtures";
import { startColdPreload } from "./cold-preload";

const FILES = ["/assets/auth-x.js", "/assets/connect-y.js"];

// What index.html runs: the function's source text alone, nothing from this module's scope.
const inlined = new Function("files", `return (${startColdPreload.toString()})(files);`) as (
  files: string[],
) => boolean;

const preloaded = () =>
  [...document.head.querySelectorAll<HTMLLinkElement>('link[rel="modulepreload"]')].map((link) =>
    link.getAttribute("href"),
  );

function signIn(uid: string) {
  localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ user: { id: uid }, refreshToken: "r", accessToken: "a" }));
}

function savePage(uid: string, roomId: string) {
  vi.useFakeTimers();
  const state = new LastKnownState({ storage: localStorage, uid, isCurrent: () => true });
  const stop = state.start();
  state.saveMessages(roomId, {
    messages: [message({ roomId, createdAt: new Date("2026-12-01T10:00:00Z") })],
    hasMore: false,
  });
  vi.advanceTimersByTime(SAVE_DELAY_MS);
  stop();
  vi.useRealTimers();
}

describe("startColdPreload (index.html)", () => {
  beforeEach(() => {
    localStorage.clear();
    document.head.querySelectorAll('link[rel="modulepreload"]').forEach((link) => link.remove());
  });
  afterEach(() => {
    localStorage.clear();
    window.history.replaceState(null, "", "/");
  });

  it("preloads the files on a signed-in load with no last known page for the route", () => {
    signIn("u_ana");
    window.history.replaceState(null, "", "/rooms/r1");
    expect(inlined(FILES)).toBe(true);
    expect(preloaded()).toEqual(FILES);
    const [link] = document.head.querySelectorAll<HTMLLinkElement>('link[rel="modulepreload"]');
    expect(link!.getAttribute("crossorigin")).toBe("");
  });

  it("preloads nothing when signed out or the session cannot be read", () => {
    window.history.replaceState(null, "", "/rooms/r1");
    expect(inlined(FILES)).toBe(false);
    localStorage.setItem(SESSION_STORAGE_KEY, "{not json");
    expect(inlined(FILES)).toBe(false);
    expect(preloaded()).toEqual([]);
  });

  it("decides as paintsFromLastKnownState does, with the keys the last known state writes", () => {
    signIn("u_ana");
    savePage("u_ana", "r1");
    savePage("u_bob", "r2");
    const cases = [
      "/rooms/r1", // warm: the page is saved
      "/rooms/r1/",
      "/rooms/r1?message=m1", // a permalink opens from the server's answer
      "/rooms/r2", // someone else's page
      "/rooms/r3",
      "/",
      "/settings/account",
    ];
    for (const url of cases) {
      window.history.replaceState(null, "", url);
      const cold = inlined([]);
      expect({ url, cold }).toEqual({ url, cold: !paintsFromLastKnownState("u_ana") });
    }
    window.history.replaceState(null, "", "/rooms/r1");
    expect(inlined(FILES)).toBe(false);
    expect(preloaded()).toEqual([]);
  });
});
