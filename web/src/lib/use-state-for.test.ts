import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useStateFor } from "./use-state-for";

describe("useStateFor", () => {
  it("holds a value for the inputs it was set for, and none for other inputs", () => {
    const { result, rerender } = renderHook(({ room }) => useStateFor<string>([room]), {
      initialProps: { room: "a" },
    });
    expect(result.current[0]).toBeUndefined();
    act(() => result.current[1](["a"], "receipts of a"));
    expect(result.current[0]).toBe("receipts of a");

    rerender({ room: "b" });
    expect(result.current[0]).toBeUndefined();
  });

  it("forgets a stale value, so coming back to earlier inputs starts from nothing", () => {
    const { result, rerender } = renderHook(({ room }) => useStateFor<string>([room]), {
      initialProps: { room: "a" },
    });
    act(() => result.current[1](["a"], "receipts of a"));
    rerender({ room: "b" });
    rerender({ room: "a" });
    expect(result.current[0]).toBeUndefined();
  });

  it("ignores a value set for inputs that are no longer current (a late answer)", () => {
    const { result, rerender } = renderHook(({ room }) => useStateFor<string>([room]), {
      initialProps: { room: "a" },
    });
    const set = result.current[1];
    rerender({ room: "b" });
    act(() => set(["a"], "late receipts of a"));
    expect(result.current[0]).toBeUndefined();
    act(() => set(["b"], "receipts of b"));
    expect(result.current[0]).toBe("receipts of b");
    expect(result.current[1]).toBe(set);
  });
});
