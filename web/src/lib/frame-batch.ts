// Coalesces bursts of updates into one per animation frame. A hidden tab gets no frames,
// so a timer stands in for one: updates still land (at most every FALLBACK_MS).
const FALLBACK_MS = 50;

export interface FrameBatch {
  /** Ask for `work` to run; however often this is called, it runs once per frame. */
  schedule(): void;
  cancel(): void;
}

export function frameBatch(work: () => void): FrameBatch {
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const cancel = () => {
    if (frame !== null && typeof cancelAnimationFrame === "function") cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
    frame = null;
    timer = null;
  };
  const run = () => {
    cancel();
    work();
  };
  return {
    schedule() {
      if (timer !== null) return;
      timer = setTimeout(run, FALLBACK_MS);
      if (typeof requestAnimationFrame === "function") frame = requestAnimationFrame(run);
    },
    cancel,
  };
}
