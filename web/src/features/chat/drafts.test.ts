import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DRAFT_SAVE_DELAY_MS, DraftStore, draftKey } from "./drafts";

const alice = "6f1c9a52-3f0e-4c55-a3a4-2f1a4a1b0c01";
const bob = "0b7d2f10-9a1e-4f65-8d3b-5c2e9d7a6e02";

describe("DraftStore", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("saves a draft once typing pauses, and reads it back at once", () => {
    const store = new DraftStore(localStorage);
    const changed = vi.fn();
    store.subscribe(changed);

    store.set(alice, "r1", "Half a tho");
    store.set(alice, "r1", "Half a thought");

    expect(store.get(alice, "r1")).toBe("Half a thought");
    expect(localStorage.getItem(draftKey(alice, "r1"))).toBeNull();
    expect(changed).not.toHaveBeenCalled();

    vi.advanceTimersByTime(DRAFT_SAVE_DELAY_MS);

    expect(localStorage.getItem(draftKey(alice, "r1"))).toBe("Half a thought");
    expect(changed).toHaveBeenCalledOnce();
    expect(new DraftStore(localStorage).get(alice, "r1")).toBe("Half a thought");
  });

  it("removes the draft when the text is blanked or sent", () => {
    const store = new DraftStore(localStorage);
    store.set(alice, "r1", "Hello");
    store.flush();

    store.set(alice, "r1", "   ");
    store.flush();

    expect(localStorage.getItem(draftKey(alice, "r1"))).toBeNull();
    expect(localStorage.length).toBe(0);
  });

  it("saves at once when the page goes away", () => {
    const page = new EventTarget();
    const store = new DraftStore(localStorage, page as unknown as Window);
    store.set(alice, "r1", "Before reload");

    page.dispatchEvent(new Event("pagehide"));

    expect(localStorage.getItem(draftKey(alice, "r1"))).toBe("Before reload");
  });

  it("forgets one person's drafts, and only theirs", () => {
    const store = new DraftStore(localStorage);
    store.set(alice, "r1", "Alice in r1");
    store.set(alice, "r2", "Alice in r2");
    store.set(bob, "r1", "Bob in r1");
    store.flush();
    store.set(alice, "r3", "Not saved yet");

    store.clear(alice);
    vi.advanceTimersByTime(DRAFT_SAVE_DELAY_MS);

    expect(store.get(alice, "r1")).toBe("");
    expect(store.get(alice, "r2")).toBe("");
    expect(store.get(alice, "r3")).toBe("");
    expect(store.get(bob, "r1")).toBe("Bob in r1");
    expect(localStorage.length).toBe(1);
  });

  it("tells its subscribers when another tab saves a draft", () => {
    const page = new EventTarget();
    const store = new DraftStore(localStorage, page as unknown as Window);
    const changed = vi.fn();
    store.subscribe(changed);
    const before = store.getVersion();

    localStorage.setItem(draftKey(alice, "r1"), "From the other tab");
    page.dispatchEvent(new StorageEvent("storage", { key: draftKey(alice, "r1") }));
    page.dispatchEvent(new StorageEvent("storage", { key: "flowchat.theme" }));

    expect(changed).toHaveBeenCalledOnce();
    expect(store.getVersion()).not.toBe(before);
    expect(store.get(alice, "r1")).toBe("From the other tab");
  });

  it("keeps drafts for the page's life when storage refuses them", () => {
    const refusing = {
      length: 0,
      key: () => null,
      getItem: () => {
        throw new DOMException("denied", "SecurityError");
      },
      setItem: () => {
        throw new DOMException("full", "QuotaExceededError");
      },
      removeItem: () => {},
    };
    const store = new DraftStore(refusing);

    store.set(alice, "r1", "Still here");

    expect(store.get(alice, "r1")).toBe("Still here");
    expect(() => store.flush()).not.toThrow();
    expect(store.get(alice, "r1")).toBe("Still here");
  });
});
