import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LOST_AFTER_MS, reportBackend, resetBackendReports, useBackendReachable } from "./backend-connection";

describe("backend reachability", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    resetBackendReports();
    vi.useRealTimers();
  });

  it("is lost only after a channel stays disconnected for a while, and back at once", () => {
    const { result } = renderHook(() => useBackendReachable());
    expect(result.current).toBe(true);
    act(() => reportBackend("realtime", false));
    act(() => vi.advanceTimersByTime(LOST_AFTER_MS - 1));
    expect(result.current).toBe(true);
    act(() => vi.advanceTimersByTime(1));
    expect(result.current).toBe(false);
    act(() => reportBackend("realtime", true));
    expect(result.current).toBe(true);
  });

  it("ignores a short blip (a start-up or a reconnect)", () => {
    const { result } = renderHook(() => useBackendReachable());
    act(() => reportBackend("firestore", false));
    act(() => vi.advanceTimersByTime(LOST_AFTER_MS / 2));
    act(() => reportBackend("firestore", true));
    act(() => vi.advanceTimersByTime(LOST_AFTER_MS * 2));
    expect(result.current).toBe(true);
  });

  it("stays lost while any channel is lost", () => {
    const { result } = renderHook(() => useBackendReachable());
    act(() => {
      reportBackend("firestore", false);
      reportBackend("realtime", false);
    });
    act(() => vi.advanceTimersByTime(LOST_AFTER_MS));
    act(() => reportBackend("realtime", true));
    expect(result.current).toBe(false);
    act(() => reportBackend("firestore", true));
    expect(result.current).toBe(true);
  });
});
