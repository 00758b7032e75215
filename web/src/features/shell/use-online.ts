// Whether the browser believes it has a network connection (navigator.onLine), live.
import { useSyncExternalStore } from "react";
import { useBackendReachable } from "@/lib/backend-connection";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  return () => {
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
  };
}

const isOnline = () => navigator.onLine;

export function useOnline(): boolean {
  return useSyncExternalStore(subscribe, isOnline, () => true);
}

/** Online and the backend answering: what a claim about other people's presence needs. */
export function useConnected(): boolean {
  const online = useOnline();
  const reachable = useBackendReachable();
  return online && reachable;
}
