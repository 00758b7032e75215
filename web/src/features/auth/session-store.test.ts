import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api";
import { alice, createFakeFirebase, createFakeLocks, createFakeServer } from "@/test/fake-api";
import { SESSION_EXPIRED_MESSAGE, SESSION_STORAGE_KEY, SessionStore, type StoredSession } from "./session-store";

function stored(): StoredSession | null {
  const text = localStorage.getItem(SESSION_STORAGE_KEY);
  return text ? (JSON.parse(text) as StoredSession) : null;
}

function createTab(
  server: ReturnType<typeof createFakeServer>,
  extra: Partial<ConstructorParameters<typeof SessionStore>[0]> = {},
) {
  const firebase = createFakeFirebase();
  let onStorage: ((event: StorageEvent) => void) | undefined;
  const store = new SessionStore({
    api: server.api,
    storage: localStorage,
    firebase,
    listenToOtherTabs: (listener) => {
      onStorage = listener;
      return () => (onStorage = undefined);
    },
    ...extra,
  });
  const notifyStorageChanged = () => onStorage?.(new StorageEvent("storage", { key: SESSION_STORAGE_KEY }));
  return { store, firebase, notifyStorageChanged };
}

describe("SessionStore", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date("2026-11-25T09:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts signed out when nothing is saved", async () => {
    const { store } = createTab(createFakeServer());
    await store.start();
    expect(store.getState()).toMatchObject({ status: "signed-out", user: null });
  });

  it("logs in, keeps the refresh token in localStorage and signs into Firebase", async () => {
    const server = createFakeServer();
    const { store, firebase } = createTab(server);
    await store.start();

    await store.login({ login: "alice", password: "correct horse" });

    expect(server.api.login).toHaveBeenCalledWith({ login: "alice", password: "correct horse" });
    expect(store.getState()).toMatchObject({ status: "signed-in", user: alice, firebase: "signed-in" });
    expect(firebase.signIn).toHaveBeenCalledWith("firebase-1");
    expect(stored()).toMatchObject({ refreshToken: "refresh-1", accessToken: "access-1", user: { id: alice.id } });
  });

  it("restores the session after a reload without spending the refresh token", async () => {
    const server = createFakeServer();
    const first = createTab(server);
    await first.store.start();
    await first.store.login({ login: "alice", password: "pw" });
    first.store.stop();

    const reloaded = createTab(server, { firebase: createFakeFirebase(alice.id) });
    await reloaded.store.start();

    expect(reloaded.store.getState()).toMatchObject({ status: "signed-in", user: alice, firebase: "signed-in" });
    expect(server.api.refresh).not.toHaveBeenCalled();
    await expect(reloaded.store.getAccessToken()).resolves.toBe("access-1");
  });

  it("refreshes the cached profile from the server after a reload", async () => {
    const server = createFakeServer();
    const first = createTab(server);
    await first.store.start();
    await first.store.login({ login: "alice", password: "pw" });
    first.store.stop();
    server.api.me.mockResolvedValueOnce({ ...alice, displayName: "Alice (edited elsewhere)" });

    const reloaded = createTab(server, { firebase: createFakeFirebase(alice.id) });
    await reloaded.store.start();

    await vi.waitFor(() => expect(reloaded.store.getState().user?.displayName).toBe("Alice (edited elsewhere)"));
    expect(server.api.me).toHaveBeenCalledWith("access-1");
  });

  it("mints a new Firebase sign-in on reload when Firebase lost its own", async () => {
    const server = createFakeServer();
    const first = createTab(server);
    await first.store.start();
    await first.store.login({ login: "alice", password: "pw" });
    first.store.stop();

    const reloaded = createTab(server); // Firebase signed out
    await reloaded.store.start();

    expect(server.api.refresh).toHaveBeenCalledWith("refresh-1");
    expect(reloaded.firebase.signIn).toHaveBeenCalledWith("firebase-2");
    expect(reloaded.store.getState().firebase).toBe("signed-in");
  });

  it("restores the session offline and says live updates are off until the server answers", async () => {
    const server = createFakeServer();
    const first = createTab(server);
    await first.store.start();
    await first.store.login({ login: "alice", password: "pw" });
    first.store.stop();
    server.api.refresh.mockRejectedValueOnce(new ApiError({ code: "UNAVAILABLE", httpStatus: 0, message: "offline" }));

    const reloaded = createTab(server); // Firebase signed out, server unreachable
    await reloaded.store.start();
    expect(reloaded.store.getState()).toMatchObject({ status: "signed-in", user: alice, firebase: "unavailable" });

    await vi.advanceTimersByTimeAsync(2_000);
    expect(reloaded.store.getState().firebase).toBe("signed-in");
  });

  it("refreshes silently a minute before the access token expires", async () => {
    const server = createFakeServer({ expiresIn: 900 });
    const { store } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });

    await vi.advanceTimersByTimeAsync(839_000);
    expect(server.api.refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);

    expect(server.api.refresh).toHaveBeenCalledTimes(1);
    expect(stored()).toMatchObject({ accessToken: "access-2", refreshToken: "refresh-2" });
    await expect(store.getAccessToken()).resolves.toBe("access-2");
  });

  it("refreshes before handing out a token that is about to expire (timers throttled in background tabs)", async () => {
    const server = createFakeServer({ expiresIn: 900 });
    const { store } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });
    store.stop(); // no timer fires
    vi.setSystemTime(Date.now() + 870_000);

    await expect(store.getAccessToken()).resolves.toBe("access-2");
  });

  it("retries a call once with a new token after a 401", async () => {
    const server = createFakeServer();
    const { store } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });
    server.revokeAccessToken("access-1");

    const user = await store.authorized((token) => server.api.me(token));

    expect(user).toEqual(alice);
    expect(server.api.me.mock.calls.map(([token]) => token)).toEqual(["access-1", "access-2"]);
    expect(server.api.refresh).toHaveBeenCalledTimes(1);
  });

  it("does not retry errors other than 401", async () => {
    const server = createFakeServer();
    const { store } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });
    const call = vi.fn(async () => {
      throw new ApiError({ code: "PERMISSION_DENIED", httpStatus: 403, message: "not yours" });
    });

    await expect(store.authorized(call)).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    expect(call).toHaveBeenCalledTimes(1);
    expect(server.api.refresh).not.toHaveBeenCalled();
  });

  it("shares one refresh between concurrent 401s", async () => {
    const server = createFakeServer();
    const { store } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });
    server.revokeAccessToken("access-1");

    const results = await Promise.all([1, 2, 3].map(() => store.authorized((token) => server.api.me(token))));

    expect(results).toEqual([alice, alice, alice]);
    expect(server.api.refresh).toHaveBeenCalledTimes(1);
    expect(server.sessionKilled).toBe(false);
  });

  it("never lets two tabs spend the same refresh token", async () => {
    const server = createFakeServer({ expiresIn: 900, refreshLatencyMs: 200 });
    const locks = createFakeLocks();
    const tabA = createTab(server, { locks });
    await tabA.store.start();
    await tabA.store.login({ login: "alice", password: "pw" });
    const tabB = createTab(server, { locks, firebase: createFakeFirebase(alice.id) });
    await tabB.store.start();

    // Both tabs' timers fire together at the refresh point, while the first refresh is in flight.
    await vi.advanceTimersByTimeAsync(841_000);

    expect(server.api.refresh).toHaveBeenCalledTimes(1);
    expect(server.sessionKilled).toBe(false);
    await expect(tabA.store.getAccessToken()).resolves.toBe("access-2");
    await expect(tabB.store.getAccessToken()).resolves.toBe("access-2");
  });

  it("adopts tokens another tab obtained when told through storage events", async () => {
    const server = createFakeServer();
    const locks = createFakeLocks();
    const tabA = createTab(server, { locks });
    await tabA.store.start();
    await tabA.store.login({ login: "alice", password: "pw" });
    const tabB = createTab(server, { locks, firebase: createFakeFirebase(alice.id) });
    await tabB.store.start();

    await tabA.store.refresh({ rejectedToken: "access-1" });
    tabB.notifyStorageChanged();

    await expect(tabB.store.getAccessToken()).resolves.toBe("access-2");
    expect(server.api.refresh).toHaveBeenCalledTimes(1);
  });

  it("ends the session when the server refuses the refresh token", async () => {
    const server = createFakeServer();
    const { store, firebase } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });
    // Someone else spent this refresh token (a stolen copy, say): the server kills the session.
    await server.api.refresh("refresh-1");

    await expect(store.refresh({ rejectedToken: "access-1" })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });

    expect(store.getState()).toMatchObject({ status: "signed-out", user: null, endedReason: SESSION_EXPIRED_MESSAGE });
    expect(stored()).toBeNull();
    expect(firebase.signOut).toHaveBeenCalled();
  });

  it("keeps the session through a network failure and retries later", async () => {
    const server = createFakeServer({ expiresIn: 900 });
    const { store } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });
    server.api.refresh.mockRejectedValueOnce(new ApiError({ code: "UNAVAILABLE", httpStatus: 0, message: "offline" }));

    await vi.advanceTimersByTimeAsync(840_000);
    expect(store.getState().status).toBe("signed-in");
    expect(server.api.refresh).toHaveBeenCalledTimes(1);

    await vi.advanceTimersByTimeAsync(2_000);
    expect(server.api.refresh).toHaveBeenCalledTimes(2);
    expect(stored()).toMatchObject({ accessToken: "access-2" });
  });

  it("logs out on the server, in Firebase and locally", async () => {
    const server = createFakeServer();
    const { store, firebase } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });

    await store.logout();

    expect(server.api.logout).toHaveBeenCalledWith("access-1");
    expect(firebase.signOut).toHaveBeenCalled();
    expect(stored()).toBeNull();
    expect(store.getState()).toMatchObject({ status: "signed-out", user: null, endedReason: null });
  });

  it("runs beforeLogout while still signed in, and logs out even if it fails", async () => {
    const server = createFakeServer();
    const seen: string[] = [];
    const beforeLogout = vi.fn(async () => {
      seen.push(`before: ${store.getState().status}, server logout called: ${server.api.logout.mock.calls.length}`);
      throw new Error("offline");
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { store } = createTab(server, { beforeLogout });
    await store.start();
    await store.login({ login: "alice", password: "pw" });

    await store.logout();

    expect(seen).toEqual(["before: signed-in, server logout called: 0"]);
    expect(server.api.logout).toHaveBeenCalledTimes(1);
    expect(store.getState().status).toBe("signed-out");
    warn.mockRestore();
  });

  it("revokes the session on the server even when the access token has expired", async () => {
    const server = createFakeServer({ expiresIn: 900 });
    const { store } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });
    store.stop(); // the tab slept through its refresh timer
    vi.setSystemTime(Date.now() + 1_000_000);

    await store.logout();

    expect(server.api.logout).toHaveBeenCalledWith("access-2");
    expect(server.sessionKilled).toBe(true);
    expect(store.getState().status).toBe("signed-out");
  });

  it("logs out locally when the server cannot be reached", async () => {
    const server = createFakeServer();
    const { store } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });
    server.api.logout.mockRejectedValueOnce(new ApiError({ code: "UNAVAILABLE", httpStatus: 0, message: "offline" }));

    await store.logout();

    expect(store.getState().status).toBe("signed-out");
    expect(stored()).toBeNull();
  });

  it("follows a log-out in another tab", async () => {
    const server = createFakeServer();
    const tabA = createTab(server);
    await tabA.store.start();
    await tabA.store.login({ login: "alice", password: "pw" });
    const tabB = createTab(server, { firebase: createFakeFirebase(alice.id) });
    await tabB.store.start();

    await tabA.store.logout();
    tabB.notifyStorageChanged();

    expect(tabB.store.getState().status).toBe("signed-out");
    expect(server.api.logout).toHaveBeenCalledTimes(1);
  });

  it("never brings back a session another tab ended", async () => {
    const server = createFakeServer();
    const { store } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });
    localStorage.removeItem(SESSION_STORAGE_KEY); // another tab logged out

    store.setUser({ ...alice, displayName: "Late reply" });

    expect(stored()).toBeNull();
  });

  it("stays signed in when Firebase sign-in fails, and says live updates are off", async () => {
    const server = createFakeServer();
    const firebase = createFakeFirebase();
    firebase.signIn.mockRejectedValueOnce(new Error("auth emulator down"));
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const { store } = createTab(server, { firebase });
    await store.start();

    await store.login({ login: "alice", password: "pw" });
    expect(store.getState()).toMatchObject({ status: "signed-in", firebase: "unavailable" });

    // A retry refreshes for a new Firebase token and signs in with it.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(firebase.signIn).toHaveBeenLastCalledWith("firebase-2");
    expect(store.getState().firebase).toBe("signed-in");
  });

  it("updates the cached profile", async () => {
    const server = createFakeServer();
    const { store } = createTab(server);
    await store.start();
    await store.login({ login: "alice", password: "pw" });

    store.setUser({ ...alice, displayName: "Alice L." });

    expect(store.getState().user?.displayName).toBe("Alice L.");
    expect(stored()?.user.displayName).toBe("Alice L.");
  });
});
