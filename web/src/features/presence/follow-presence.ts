// Drives this tab's presence: the person's choice, and when that is "online", away while the
// tab is hidden or after IDLE_AFTER_MS without pointer or key activity.
import type { PresenceState } from "@/features/chat/types";
import { effectivePresence, presenceChoiceStore, type PresenceChoiceStore } from "./presence-choice";

/** No pointer or key activity for this long counts as away. */
export const IDLE_AFTER_MS = 5 * 60_000;

export interface FollowPresenceOptions {
  store?: PresenceChoiceStore;
  idleAfterMs?: number;
  target?: Pick<Window, "addEventListener" | "removeEventListener">;
  doc?: Pick<Document, "addEventListener" | "removeEventListener" | "visibilityState">;
  now?: () => number;
}

/** Calls `onChange` with each new state (and at once unless the state is "online"); returns a stop function. */
export function followPresence(
  onChange: (state: PresenceState) => void,
  options: FollowPresenceOptions = {},
): () => void {
  const store = options.store ?? presenceChoiceStore();
  const idleAfterMs = options.idleAfterMs ?? IDLE_AFTER_MS;
  const target = options.target ?? window;
  const doc = options.doc ?? document;
  const now = options.now ?? Date.now;

  let idle = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let lastArmed = -Infinity;
  // The source starts out writing "online"; report only changes from there.
  let current: PresenceState = "online";

  const publish = () => {
    const next = effectivePresence(store.get(), { idle, hidden: doc.visibilityState === "hidden" });
    if (next === current) return;
    current = next;
    onChange(next);
  };

  const armIdle = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idle = true;
      publish();
    }, idleAfterMs);
  };

  const active = () => {
    if (doc.visibilityState !== "hidden") {
      idle = false;
      // pointermove fires often: re-arm the idle timer at most once a second.
      const time = now();
      if (time - lastArmed >= 1_000) {
        lastArmed = time;
        armIdle();
      }
    }
    publish();
  };

  const events = ["pointerdown", "pointermove", "keydown", "focus"] as const;
  for (const name of events) target.addEventListener(name, active, { passive: true });
  doc.addEventListener("visibilitychange", active);
  // Choosing "online" is itself activity: idle time starts again from now.
  const choiceChanged = () => {
    if (store.get() === "online") {
      idle = false;
      lastArmed = now();
      armIdle();
    }
    publish();
  };
  const stopChoice = store.subscribe(choiceChanged);
  active();
  return () => {
    clearTimeout(idleTimer);
    stopChoice();
    for (const name of events) target.removeEventListener(name, active);
    doc.removeEventListener("visibilitychange", active);
  };
}
