import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { alice } from "@/test/fake-api";
import { message, room } from "@/test/chat-fixtures";
import { LastKnownState } from "../last-known-state";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { DeferredChatSource } from "./deferred-chat-source";

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("DeferredChatSource", () => {
  it("subscribes to the real source once it arrives, and not after an unsubscribe", async () => {
    const deferred = new DeferredChatSource();
    const real = new InMemoryChatSource(alice);
    real.rooms = [room({ id: "r1", name: "General" })];
    const kept = vi.fn();
    const dropped = vi.fn();
    deferred.watchRooms({ next: kept });
    const unsubscribe = deferred.watchRooms({ next: dropped });
    unsubscribe();

    deferred.resolve(real);
    await settle();

    expect(kept).toHaveBeenCalledWith([expect.objectContaining({ id: "r1" })]);
    expect(dropped).not.toHaveBeenCalled();
    await deferred.sendMessage("r1", { text: "hello" });
    expect(real.sendMessage).toHaveBeenCalledWith("r1", { text: "hello" });
  });

  it("prefetches a room's messages on the real source once it arrives; a failure is not reported", async () => {
    const deferred = new DeferredChatSource();
    const real = new InMemoryChatSource(alice);
    const stopKept = vi.fn();
    const prefetchMessages = vi.fn((_roomId: string, _limit: number) => stopKept);
    Object.assign(real, { prefetchMessages });
    const stop = deferred.prefetchMessages("r1", 50);
    deferred.prefetchMessages("r2", 50)();

    deferred.resolve(real);
    await settle();
    expect(prefetchMessages).toHaveBeenCalledExactlyOnceWith("r1", 50);
    stop();
    expect(stopKept).toHaveBeenCalledTimes(1);

    const failing = new DeferredChatSource();
    failing.prefetchMessages("r1", 50);
    failing.fail(new Error("offline"));
    await settle(); // no unhandled rejection (Vitest fails the run on one)
  });

  it("passes a connection failure to watchers and callers", async () => {
    const deferred = new DeferredChatSource();
    const error = vi.fn();
    deferred.watchMessages("r1", 50, { next: vi.fn(), error });
    deferred.fail(new Error("offline"));
    await settle();

    expect(error).toHaveBeenCalledWith(new Error("offline"));
    await expect(deferred.markRead("r1", "m1")).rejects.toThrow("offline");
  });
});

describe("DeferredChatSource with the last known state", () => {
  const lastKnown = () => new LastKnownState({ storage: localStorage, uid: alice.id, isCurrent: () => true });
  const saved = [message({ id: "k1", roomId: "r1", createdAt: new Date("2026-12-01T09:00:00Z"), text: "kept" })];

  beforeEach(() => {
    localStorage.clear();
    const state = lastKnown();
    const stop = state.start();
    state.saveRooms([room({ id: "r1", name: "General" })]);
    state.saveMessages("r1", { messages: saved, hasMore: false });
    state.flush();
    stop();
  });
  afterEach(() => localStorage.clear());

  it("shows it at once, then the real source's answers, which become the new last known state", async () => {
    const deferred = new DeferredChatSource(lastKnown());
    const stopKeeping = deferred.keepLastKnown();
    expect(deferred.lastKnownRooms()?.map((item) => item.name)).toEqual(["General"]);
    const known = deferred.lastKnownMessages("r1", 50);
    expect(known?.messages.map((item) => item.text)).toEqual(["kept"]);
    const rooms = vi.fn();
    const pages = vi.fn();
    deferred.watchRooms({ next: rooms });
    deferred.watchMessages("r1", 50, { next: pages });
    // The same objects the first render started from.
    expect(rooms).toHaveBeenCalledWith(deferred.lastKnownRooms());
    expect(pages).toHaveBeenCalledWith(known);

    const real = new InMemoryChatSource(alice);
    real.rooms = [room({ id: "r1", name: "Renamed" })];
    real.messages.set("r1", [message({ id: "n1", roomId: "r1", createdAt: new Date(), text: "from the server" })]);
    deferred.resolve(real);
    await settle();
    expect(rooms).toHaveBeenLastCalledWith([expect.objectContaining({ name: "Renamed" })]);
    expect(pages.mock.lastCall?.[0].messages.map((item: { text: string }) => item.text)).toEqual(["from the server"]);
    // Answered: nothing more from the last known state in this page.
    expect(deferred.lastKnownRooms()).toBeNull();
    expect(deferred.lastKnownMessages("r1", 50)).toBeNull();

    deferred.keepLastKnown()(); // a second keeper stops at once; the first still writes
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    stopKeeping();
    const now = lastKnown();
    expect(now.rooms()?.map((item) => item.name)).toEqual(["Renamed"]);
    expect(now.messages("r1", 50)?.messages.map((item) => item.text)).toEqual(["from the server"]);
  });

  it("reads up to a message shown from it only once the real page has that message", async () => {
    const deferred = new DeferredChatSource(lastKnown());
    deferred.watchMessages("r1", 50, { next: vi.fn() });
    const real = new InMemoryChatSource(alice);
    real.silent.messages = true; // the real page has not come yet
    deferred.resolve(real);
    const marked = deferred.markRead("r1", "k1");
    await settle();
    expect(real.markRead).not.toHaveBeenCalled();

    // The real page has newer messages and not the one shown: nothing is marked for it (the
    // view marks the real newest message when it shows it).
    real.silent.messages = false;
    real.receive(message({ id: "n2", roomId: "r1", createdAt: new Date(), text: "newer" }));
    await marked;
    expect(real.markRead).not.toHaveBeenCalled();

    // A message the real page has is marked as usual.
    await deferred.markRead("r1", "n2");
    expect(real.markRead).toHaveBeenCalledWith("r1", "n2");
  });
});
