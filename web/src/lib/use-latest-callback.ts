import { useCallback, useLayoutEffect, useRef } from "react";

/** A function with one identity for the component's life that always calls the latest
 * `callback`: handed to memoised children, it does not make them render again. Call it from
 * events and effects, not while rendering. */
export function useLatestCallback<Args extends unknown[], Result>(
  callback: (...args: Args) => Result,
): (...args: Args) => Result {
  const latest = useRef(callback);
  useLayoutEffect(() => {
    latest.current = callback;
  });
  return useCallback((...args: Args) => latest.current(...args), []);
}
