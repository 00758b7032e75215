import { useEffect } from "react";
import { useStateFor } from "./use-state-for";

/** How long a screen may show a loading state before it says why and offers a retry. */
export const SLOW_LOAD_MS = 8_000;

/**
 * True once `waiting` has stayed true for `ms`; false again as soon as it is false, or when
 * `restartKey` changes (a retry starts the clock over).
 */
export function useTimedOut(waiting: boolean, ms: number = SLOW_LOAD_MS, restartKey: unknown = null): boolean {
  // The timer's answer holds for the clock it fired for, and for as long as `waiting` stays true.
  const [fired, setFired] = useStateFor<true>([waiting, ms, restartKey]);
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => setFired([waiting, ms, restartKey], true), ms);
    return () => clearTimeout(timer);
  }, [waiting, ms, restartKey, setFired]);
  return waiting && fired === true;
}
