// The person's own presence choice: Online (automatic away when idle or hidden), Away, or
// Appear offline. Kept per device in localStorage; tabs follow each other via `storage`.
import { useCallback, useSyncExternalStore } from "react";
import type { PresenceState } from "@/features/chat/types";

export type PresenceChoice = "online" | "away" | "offline";

export const PRESENCE_CHOICE_KEY = "flowchat.presence";

export const PRESENCE_CHOICES: readonly { value: PresenceChoice; label: string }[] = [
  { value: "online", label: "Online" },
  { value: "away", label: "Away" },
  { value: "offline", label: "Appear offline" },
];

export function parseChoice(value: string | null | undefined): PresenceChoice {
  return value === "away" || value === "offline" ? value : "online";
}

/** What is written to the RTDB: a manual choice wins; "online" follows activity. */
export function effectivePresence(choice: PresenceChoice, activity: { idle: boolean; hidden: boolean }): PresenceState {
  if (choice !== "online") return choice;
  return activity.idle || activity.hidden ? "away" : "online";
}

type Listener = () => void;

export class PresenceChoiceStore {
  private choice: PresenceChoice;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly storage: Pick<Storage, "getItem" | "setItem"> | null,
    target: Pick<Window, "addEventListener"> | null = null,
  ) {
    this.choice = parseChoice(this.read());
    target?.addEventListener("storage", (event) => {
      if ((event as StorageEvent).key !== PRESENCE_CHOICE_KEY) return;
      this.update(parseChoice((event as StorageEvent).newValue));
    });
  }

  private read(): string | null {
    try {
      return this.storage?.getItem(PRESENCE_CHOICE_KEY) ?? null;
    } catch {
      return null;
    }
  }

  get = (): PresenceChoice => this.choice;

  set(choice: PresenceChoice): void {
    try {
      this.storage?.setItem(PRESENCE_CHOICE_KEY, choice);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    this.update(choice);
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private update(choice: PresenceChoice): void {
    if (choice === this.choice) return;
    this.choice = choice;
    for (const listener of [...this.listeners]) listener();
  }
}

let shared: PresenceChoiceStore | undefined;

/** The store of this page (created on first use, so tests can reset localStorage first). */
export function presenceChoiceStore(): PresenceChoiceStore {
  shared ??= new PresenceChoiceStore(
    typeof localStorage === "undefined" ? null : localStorage,
    typeof window === "undefined" ? null : window,
  );
  return shared;
}

/** For tests: forget the shared store. */
export function resetPresenceChoiceStore(): void {
  shared = undefined;
}

export function usePresenceChoice(): [PresenceChoice, (choice: PresenceChoice) => void] {
  const store = presenceChoiceStore();
  const choice = useSyncExternalStore(store.subscribe, store.get, store.get);
  const set = useCallback((next: PresenceChoice) => store.set(next), [store]);
  return [choice, set];
}
