// Whether FlowChat's backend can be reached, beyond navigator.onLine (which stays true when
// only our servers are down or a firewall drops them). The real-time clients report what they
// see — the Realtime Database's `.info/connected`, and whether Firestore answers from the
// server or from its cache — and the UI reads one verdict. No Firebase imports here: the
// banner is part of the first page load.
import { useSyncExternalStore } from "react";

export type BackendChannel = "firestore" | "realtime";

/** A channel counts as lost only after this long without a connection, so a start-up or a
 * brief reconnect does not flash the banner. */
export const LOST_AFTER_MS = 4_000;

const lostSince = new Map<BackendChannel, ReturnType<typeof setTimeout>>();
const lost = new Set<BackendChannel>();
const listeners = new Set<() => void>();

function notify() {
  for (const listener of listeners) listener();
}

export function reportBackend(channel: BackendChannel, connected: boolean): void {
  if (connected) {
    clearTimeout(lostSince.get(channel));
    lostSince.delete(channel);
    if (lost.delete(channel)) notify();
    return;
  }
  if (lost.has(channel) || lostSince.has(channel)) return;
  lostSince.set(
    channel,
    setTimeout(() => {
      lostSince.delete(channel);
      lost.add(channel);
      notify();
    }, LOST_AFTER_MS),
  );
}

/** Forget every report (sign-out: the next person's clients report afresh). */
export function resetBackendReports(): void {
  for (const timer of lostSince.values()) clearTimeout(timer);
  lostSince.clear();
  if (lost.size > 0) {
    lost.clear();
    notify();
  }
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

const isReachable = () => lost.size === 0;

/** false while a real-time channel to the backend has been lost for LOST_AFTER_MS or more. */
export function useBackendReachable(): boolean {
  return useSyncExternalStore(subscribe, isReachable, () => true);
}
