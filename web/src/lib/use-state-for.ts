import { useCallback, useState } from "react";

/**
 * State that holds only for the inputs it was set for: `value` is `undefined` as soon as any
 * of `inputs` differs (by `Object.is`) from those it was set with. A stale value is dropped
 * during render, as React advises for state that depends on props, so coming back to earlier
 * inputs starts from nothing again; no effect has to reset it.
 *
 * `set(forInputs, value)` takes the inputs the value was found for (the ones an effect's
 * callback closed over), not whatever the latest render has.
 */
export function useStateFor<T>(
  inputs: readonly unknown[],
): [T | undefined, (forInputs: readonly unknown[], value: T) => void] {
  const [held, setHeld] = useState<{ inputs: readonly unknown[]; value: T } | null>(null);
  const current = held !== null && sameInputs(held.inputs, inputs);
  if (held !== null && !current) setHeld(null);
  const set = useCallback((forInputs: readonly unknown[], value: T) => setHeld({ inputs: forInputs, value }), []);
  return [current ? held.value : undefined, set];
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((input, index) => Object.is(input, b[index]));
}
