import { describe, expect, it, vi } from "vitest";
import { registerPush, unregisterPush, type PushBackend } from "./device-token";

/** FCM and the callables as the tests need them: tokens handed out, calls recorded. */
function recordingBackend(token: string | null = "fcm-1") {
  const calls: string[] = [];
  const backend: PushBackend = {
    getToken: vi.fn(async () => token),
    deleteToken: vi.fn(async () => {
      calls.push("deleteToken");
    }),
    call: vi.fn(async (name, value) => {
      calls.push(`${name} ${value}`);
    }),
  };
  return { backend, calls };
}

describe("registerPush", () => {
  it("is skipped, with one log line, when there is no VAPID key (the emulators)", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const { backend, calls } = recordingBackend();
    expect(await registerPush("u1", { backend, storage: localStorage, vapidKey: null })).toBe("no-vapid-key");
    expect(await registerPush("u1", { backend, storage: localStorage, vapidKey: null })).toBe("no-vapid-key");
    expect(backend.getToken).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
    expect(info).toHaveBeenCalledTimes(1);
    info.mockRestore();
  });

  it("registers the token once per person, again when it changes or someone else signs in", async () => {
    const first = recordingBackend("fcm-1");
    expect(await registerPush("u1", { backend: first.backend, storage: localStorage, vapidKey: "key" })).toBe(
      "registered",
    );
    expect(await registerPush("u1", { backend: first.backend, storage: localStorage, vapidKey: "key" })).toBe(
      "unchanged",
    );
    expect(first.backend.getToken).toHaveBeenCalledWith("key");
    expect(first.calls).toEqual(["registerDeviceToken fcm-1"]);

    const rotated = recordingBackend("fcm-2");
    expect(await registerPush("u1", { backend: rotated.backend, storage: localStorage, vapidKey: "key" })).toBe(
      "registered",
    );
    expect(await registerPush("u2", { backend: rotated.backend, storage: localStorage, vapidKey: "key" })).toBe(
      "registered",
    );
    expect(rotated.calls).toEqual(["registerDeviceToken fcm-2", "registerDeviceToken fcm-2"]);
  });

  it("does nothing where the browser cannot push", async () => {
    const { backend, calls } = recordingBackend(null);
    expect(await registerPush("u1", { backend, storage: localStorage, vapidKey: "key" })).toBe("unsupported");
    expect(calls).toEqual([]);
  });

  it("keeps nothing when the functions refuse, so the next try registers again", async () => {
    const { backend } = recordingBackend();
    backend.call = vi.fn(async () => {
      throw new Error("unavailable");
    });
    await expect(registerPush("u1", { backend, storage: localStorage, vapidKey: "key" })).rejects.toThrow(
      "unavailable",
    );
    expect(localStorage.getItem("flowchat.pushToken")).toBeNull();
  });
});

describe("unregisterPush", () => {
  it("tells the functions and FCM, and forgets the token", async () => {
    const { backend, calls } = recordingBackend("fcm-1");
    await registerPush("u1", { backend, storage: localStorage, vapidKey: "key" });
    expect(await unregisterPush({ backend, storage: localStorage })).toBe(true);
    expect(calls).toEqual(["registerDeviceToken fcm-1", "unregisterDeviceToken fcm-1", "deleteToken"]);
    expect(localStorage.getItem("flowchat.pushToken")).toBeNull();
    expect(await unregisterPush({ backend, storage: localStorage })).toBe(false);
  });

  it("never throws (log-out goes on offline)", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { backend } = recordingBackend("fcm-1");
    await registerPush("u1", { backend, storage: localStorage, vapidKey: "key" });
    backend.call = vi.fn(async () => {
      throw new Error("offline");
    });
    expect(await unregisterPush({ backend, storage: localStorage })).toBe(true);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});
