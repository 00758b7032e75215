import { useEffect, useState } from "react";

/** How long a screen may show a loading state before it says why and offers a retry. */
export const SLOW_LOAD_MS = 8_000;

/**
 * True once `waiting` has stayed true for `ms`; false again as soon as it is false, or when
 * `restartKey` changes (a retry starts the clock over).
 */
export function useTimedOut(waiting: boolean, ms: number = SLOW_LOAD_MS, restartKey: unknown = null): boolean {
  const [timedOut, setTimedOut] = useState(false);
  useEffect(() => {
    setTimedOut(false);
    if (!waiting) return;
    const timer = setTimeout(() => setTimedOut(true), ms);
    return () => clearTimeout(timer);
  }, [waiting, ms, restartKey]);
  return waiting && timedOut;
}
