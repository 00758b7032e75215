import { useEffect, useState } from "react";

/** How long a screen may show a loading state before it says why and offers a retry. */
export const SLOW_LOAD_MS = 8_000;

interface Clock {
  ms: number;
  restartKey: unknown;
}

/**
 * True once `waiting` has stayed true for `ms`; false again as soon as it is false, or when
 * `restartKey` changes (a retry starts the clock over).
 */
export function useTimedOut(waiting: boolean, ms: number = SLOW_LOAD_MS, restartKey: unknown = null): boolean {
  // The timer records which clock it fired for; the answer holds only for the current one.
  const [firedFor, setFiredFor] = useState<Clock | null>(null);
  const timedOut = waiting && firedFor !== null && firedFor.ms === ms && Object.is(firedFor.restartKey, restartKey);
  // Forget a stale answer so that coming back to the same clock later starts it from zero.
  if (firedFor !== null && !timedOut) setFiredFor(null);
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => setFiredFor({ ms, restartKey }), ms);
    return () => clearTimeout(timer);
  }, [waiting, ms, restartKey]);
  return timedOut;
}
