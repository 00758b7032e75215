import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api";
import { throttleMessage, useAuthForm } from "./use-auth-form";

const FIELDS = ["login", "password"] as const;
const ALIASES = { email: "login" } as const;

describe("useAuthForm", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date("2026-11-25T09:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("counts down a 429's Retry-After and then allows submitting again", async () => {
    const { result } = renderHook(() => useAuthForm(FIELDS, ALIASES));

    await act(() =>
      result.current.submit(async () => {
        throw new ApiError({ code: "RESOURCE_EXHAUSTED", httpStatus: 429, message: "slow down", retryAfterSeconds: 3 });
      }),
    );
    expect(result.current.throttled).toBe(true);
    expect(result.current.formError).toBe("Too many attempts. Try again in 3 s.");

    await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(result.current.formError).toBe("Too many attempts. Try again in 2 s.");

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    expect(result.current.throttled).toBe(false);
    expect(result.current.formError).toBe("Too many attempts. You can try again now.");
  });

  it("maps a field the server names through the aliases", async () => {
    const { result } = renderHook(() => useAuthForm(FIELDS, ALIASES));

    let outcome: unknown;
    await act(async () => {
      outcome = await result.current.submit(async () => {
        throw new ApiError({ code: "INVALID_ARGUMENT", httpStatus: 400, message: "email: is not valid" });
      });
    });

    expect(outcome).toBe("login");
    expect(result.current.fieldErrors).toEqual({ login: "Is not valid" });
    expect(result.current.formError).toBeNull();
  });

  it("puts errors for fields the form does not have on the form", async () => {
    const { result } = renderHook(() => useAuthForm(FIELDS, ALIASES));

    await act(() =>
      result.current.submit(async () => {
        throw new ApiError({
          code: "INVALID_ARGUMENT",
          httpStatus: 400,
          message: "Content-Type: must be application/json",
        });
      }),
    );

    expect(result.current.fieldErrors).toEqual({});
    expect(result.current.formError).toBe("Content-Type: must be application/json");
  });

  it("words long waits in minutes", () => {
    expect(throttleMessage(45)).toBe("Too many attempts. Try again in 45 s.");
    expect(throttleMessage(900)).toBe("Too many attempts. Try again in 15 min.");
  });
});
