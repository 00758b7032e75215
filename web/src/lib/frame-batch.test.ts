import { afterEach, describe, expect, it, vi } from "vitest";
import { frameBatch } from "./frame-batch";

describe("frameBatch", () => {
  afterEach(() => vi.useRealTimers());

  it("runs a burst of requests once, at the next frame", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "requestAnimationFrame", "cancelAnimationFrame"] });
    const work = vi.fn();
    const batch = frameBatch(work);
    for (let i = 0; i < 20; i++) batch.schedule();
    expect(work).not.toHaveBeenCalled();
    vi.advanceTimersToNextFrame();
    expect(work).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100);
    expect(work).toHaveBeenCalledTimes(1);
    batch.schedule();
    vi.advanceTimersToNextFrame();
    expect(work).toHaveBeenCalledTimes(2);
  });

  it("still runs without frames (a hidden tab), and not after cancel", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const work = vi.fn();
    const batch = frameBatch(work);
    batch.schedule();
    vi.advanceTimersByTime(60);
    expect(work).toHaveBeenCalledTimes(1);
    batch.schedule();
    batch.cancel();
    vi.advanceTimersByTime(60);
    expect(work).toHaveBeenCalledTimes(1);
  });
});
