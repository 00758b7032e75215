import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PresenceState } from "@/features/chat/types";
import { followPresence } from "./follow-presence";
import { PRESENCE_CHOICE_KEY, PresenceChoiceStore, effectivePresence, parseChoice } from "./presence-choice";
import { describeLastSeen, describePresence } from "./presence-text";

function memoryStorage(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    values,
  };
}

/** A window/document pair whose events and visibility the test controls. */
function fakePage() {
  const target = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: "visible" as DocumentVisibilityState });
  return {
    target: target as unknown as Window,
    doc: doc as unknown as Document,
    setHidden(hidden: boolean) {
      doc.visibilityState = hidden ? "hidden" : "visible";
      doc.dispatchEvent(new Event("visibilitychange"));
    },
    input() {
      target.dispatchEvent(new Event("keydown"));
    },
  };
}

describe("presence choice", () => {
  it("lets a manual choice win over activity", () => {
    expect(effectivePresence("online", { idle: false, hidden: false })).toBe("online");
    expect(effectivePresence("online", { idle: true, hidden: false })).toBe("away");
    expect(effectivePresence("online", { idle: false, hidden: true })).toBe("away");
    expect(effectivePresence("away", { idle: false, hidden: false })).toBe("away");
    expect(effectivePresence("offline", { idle: false, hidden: false })).toBe("offline");
    expect(effectivePresence("offline", { idle: true, hidden: true })).toBe("offline");
  });

  it("reads unknown stored values as online", () => {
    expect(parseChoice(null)).toBe("online");
    expect(parseChoice("busy")).toBe("online");
    expect(parseChoice("offline")).toBe("offline");
  });

  it("persists the choice and follows other tabs", () => {
    const storage = memoryStorage({ [PRESENCE_CHOICE_KEY]: "away" });
    const page = new EventTarget();
    const store = new PresenceChoiceStore(storage, page as unknown as Window);
    expect(store.get()).toBe("away");
    const listener = vi.fn();
    store.subscribe(listener);

    store.set("offline");
    expect(storage.values.get(PRESENCE_CHOICE_KEY)).toBe("offline");
    expect(listener).toHaveBeenCalledTimes(1);

    page.dispatchEvent(Object.assign(new Event("storage"), { key: PRESENCE_CHOICE_KEY, newValue: "online" }));
    expect(store.get()).toBe("online");
    expect(listener).toHaveBeenCalledTimes(2);
    page.dispatchEvent(Object.assign(new Event("storage"), { key: "other", newValue: "away" }));
    expect(store.get()).toBe("online");
  });
});

describe("followPresence", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function follow(initialChoice?: string) {
    const page = fakePage();
    const store = new PresenceChoiceStore(memoryStorage(initialChoice ? { [PRESENCE_CHOICE_KEY]: initialChoice } : {}));
    const states: PresenceState[] = [];
    const stop = followPresence((state) => states.push(state), {
      store,
      target: page.target,
      doc: page.doc,
      idleAfterMs: 300_000,
    });
    return { page, store, states, stop };
  }

  it("goes away after five idle minutes and comes back on input", () => {
    const { page, states, stop } = follow();
    expect(states).toEqual([]);
    vi.advanceTimersByTime(299_000);
    expect(states).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(states).toEqual(["away"]);
    page.input();
    expect(states).toEqual(["away", "online"]);
    stop();
  });

  it("goes away while the tab is hidden", () => {
    const { page, states, stop } = follow();
    page.setHidden(true);
    page.setHidden(false);
    expect(states).toEqual(["away", "online"]);
    stop();
  });

  it("keeps a manual choice through activity, hiding and idling", () => {
    const { page, store, states, stop } = follow("offline");
    expect(states).toEqual(["offline"]);
    page.input();
    page.setHidden(true);
    page.setHidden(false);
    vi.advanceTimersByTime(600_000);
    expect(states).toEqual(["offline"]);

    store.set("away");
    expect(states).toEqual(["offline", "away"]);
    store.set("online");
    expect(states).toEqual(["offline", "away", "online"]);
    stop();
    store.set("offline");
    expect(states).toHaveLength(3);
  });

  it("applies 'online' as automatic: idle time counts from the last input", () => {
    const { page, store, states, stop } = follow("away");
    vi.advanceTimersByTime(200_000);
    page.input();
    store.set("online");
    expect(states).toEqual(["away", "online"]);
    vi.advanceTimersByTime(299_000);
    expect(states).toEqual(["away", "online"]);
    vi.advanceTimersByTime(1_000);
    expect(states).toEqual(["away", "online", "away"]);
    stop();
  });
});

describe("presence text", () => {
  const now = new Date("2026-11-25T10:00:00Z");
  it("describes others' presence and when they were last seen", () => {
    expect(describePresence({ state: "away", lastChanged: null }, now)).toBe("Away");
    expect(describePresence({ state: "offline", lastChanged: null }, now)).toBe("Offline");
    expect(describeLastSeen(new Date("2026-11-25T09:59:40Z"), now)).toBe("Last seen just now");
    expect(describeLastSeen(new Date("2026-11-25T09:55:00Z"), now)).toBe("Last seen 5 min ago");
    expect(describeLastSeen(new Date("2026-11-24T08:00:00Z"), now)).toBe("Last seen yesterday");
    expect(describeLastSeen(new Date("2026-11-20T08:00:00Z"), now)).toMatch(/^Last seen Nov 20$/);
  });
});
