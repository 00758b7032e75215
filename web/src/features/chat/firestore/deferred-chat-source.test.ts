import { describe, expect, it, vi } from "vitest";
import { alice } from "@/test/fake-api";
import { room } from "@/test/chat-fixtures";
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
