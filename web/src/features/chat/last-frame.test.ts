import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SESSION_STORAGE_KEY } from "@/features/auth/session-store";
import { message } from "@/test/chat-fixtures";
import {
  LAST_FRAME_ID,
  LAST_FRAME_NAMES,
  LAST_FRAME_PAINT_WAIT_MS,
  afterLastFramePaints,
  captureLastFrame,
  dropLastFrame,
  paintLastFrame,
  type StoredFrame,
} from "./last-frame";
import { FRAME_INTERVAL_MS, LAST_KNOWN_PREFIX, LastKnownState, SAVE_DELAY_MS } from "./last-known-state";

// What index.html runs: the function's source text alone, nothing from this module's scope.
const inlined = new Function("names", `return (${paintLastFrame.toString()})(names);`) as typeof paintLastFrame;

const ROOM_HTML =
  '<div class="flex"><nav aria-label="Conversations">General</nav>' +
  '<ul aria-label="Messages"><li data-message-id="m1">Hello &lt;b&gt;there&lt;/b&gt;</li></ul></div>';

function showPage(path: string, html = ROOM_HTML) {
  window.history.replaceState(null, "", path);
  document.body.innerHTML = `<div id="root">${html}</div>`;
  const entry = document.createElement("script");
  entry.type = "module";
  entry.src = "/assets/index-abc123.js";
  document.head.replaceChildren(entry);
}

function signIn(uid: string) {
  localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ user: { id: uid }, refreshToken: "r", accessToken: "a" }));
}

function storeFrame(uid: string, frame: StoredFrame) {
  localStorage.setItem(`${LAST_KNOWN_PREFIX}${uid}.frame`, JSON.stringify(frame));
}

/** A new page load of `path`: the document as index.html leaves it before the app runs. */
function loadPage(path: string) {
  showPage(path, "");
}

const layer = () => document.getElementById(LAST_FRAME_ID);

describe("the last frame", () => {
  beforeEach(() => {
    localStorage.clear();
    document.documentElement.classList.remove("dark");
    performance.clearMarks();
  });
  afterEach(() => {
    vi.useRealTimers();
    localStorage.clear();
    window.history.replaceState(null, "", "/");
  });

  it("is told the session store's key and the last known state's prefix", () => {
    expect(LAST_FRAME_NAMES).toEqual({ session: SESSION_STORAGE_KEY, prefix: LAST_KNOWN_PREFIX, layer: LAST_FRAME_ID });
  });

  it("is taken from a room's page and painted over the next load of that room, inert and hidden", async () => {
    showPage("/rooms/r1");
    const frame = captureLastFrame(window)!;
    expect(frame).toMatchObject({
      format: 1,
      path: "/rooms/r1",
      build: "http://localhost:3000/assets/index-abc123.js",
    });
    expect(frame.html).toBe(document.getElementById("root")!.innerHTML);

    signIn("u_ana");
    storeFrame("u_ana", frame);
    loadPage("/rooms/r1");
    expect(inlined(LAST_FRAME_NAMES)).toBe(true);
    const painted = layer()!;
    expect(painted.inert).toBe(true);
    expect(painted.getAttribute("aria-hidden")).toBe("true");
    // Markup the page had escaped is still text, not elements.
    expect(painted.querySelector('[data-message-id="m1"]')!.textContent).toBe("Hello <b>there</b>");
    expect(painted.querySelector("b")).toBeNull();

    await new Promise((resolve) => requestAnimationFrame(resolve));
    const [mark] = performance.getEntriesByName("flowchat:first-messages-paint", "mark");
    expect((mark as PerformanceMark | undefined)?.detail).toEqual({ lastFrame: true });

    dropLastFrame();
    expect(layer()).toBeNull();
  });

  it("brings the stylesheets the app had loaded later, once each", () => {
    showPage("/rooms/r1");
    const sheet = (href: string) => {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.setAttribute("href", href);
      document.head.appendChild(link);
    };
    sheet("/assets/index-abc.css");
    sheet("/assets/highlight-def.css");
    const frame = captureLastFrame(window)!;
    expect(frame.styles).toEqual(["/assets/index-abc.css", "/assets/highlight-def.css"]);

    signIn("u_ana");
    storeFrame("u_ana", frame);
    loadPage("/rooms/r1");
    sheet("/assets/index-abc.css"); // what index.html links itself
    expect(inlined(LAST_FRAME_NAMES)).toBe(true);
    const linked = [...document.head.querySelectorAll('link[rel="stylesheet"]')].map((link) =>
      link.getAttribute("href"),
    );
    expect(linked).toEqual(["/assets/index-abc.css", "/assets/highlight-def.css"]);
  });

  it("is not taken from other pages, permalinks, a page with a dialog open or no messages", () => {
    showPage("/settings");
    expect(captureLastFrame(window)).toBeNull();
    showPage("/rooms/r1?message=m1");
    expect(captureLastFrame(window)).toBeNull();
    showPage("/rooms/r1", "<p>No messages yet</p>");
    expect(captureLastFrame(window)).toBeNull();
    showPage("/rooms/r1");
    document.getElementById("root")!.setAttribute("aria-hidden", "true");
    expect(captureLastFrame(window)).toBeNull();
  });

  it("is painted only where it is still true to the page", () => {
    showPage("/rooms/r1");
    const frame = captureLastFrame(window)!;
    signIn("u_ana");
    const refused: [string, StoredFrame, string?][] = [
      ["another room", frame, "/rooms/r2"],
      ["a permalink", frame, "/rooms/r1?message=m1"],
      ["another build", { ...frame, build: "http://localhost:3000/assets/index-old.js" }],
      ["another viewport", { ...frame, width: frame.width + 100 }],
      ["another theme", { ...frame, dark: true }],
      ["another format", { ...frame, format: 2 as 1 }],
    ];
    for (const [why, stored, path] of refused) {
      storeFrame("u_ana", stored);
      loadPage(path ?? "/rooms/r1");
      expect(inlined(LAST_FRAME_NAMES), why).toBe(false);
      expect(layer(), why).toBeNull();
    }
    // Someone else's frame, for the person signed in now.
    localStorage.clear();
    storeFrame("u_bob", frame);
    signIn("u_ana");
    loadPage("/rooms/r1");
    expect(inlined(LAST_FRAME_NAMES)).toBe(false);
    // Nobody signed in, or storage holding something else.
    localStorage.clear();
    storeFrame("u_ana", frame);
    expect(inlined(LAST_FRAME_NAMES)).toBe(false);
    signIn("u_ana");
    localStorage.setItem(`${LAST_KNOWN_PREFIX}u_ana.frame`, "{not json");
    expect(inlined(LAST_FRAME_NAMES)).toBe(false);
  });

  it("is saved with the last known state: at most every few seconds while open, always when hidden", () => {
    vi.useFakeTimers();
    showPage("/rooms/r1");
    let taken = 0;
    let current = true;
    const state = new LastKnownState({
      storage: localStorage,
      uid: "u_ana",
      isCurrent: () => current,
      captureFrame: () => {
        taken += 1;
        return captureLastFrame(window);
      },
    });
    const stop = state.start();
    const page = (text: string) => ({
      messages: [message({ roomId: "r1", createdAt: new Date(), text })],
      hasMore: false,
    });
    const saved = () =>
      JSON.parse(localStorage.getItem(`${LAST_KNOWN_PREFIX}u_ana.frame`) ?? "null") as StoredFrame | null;

    state.saveMessages("r1", page("one"));
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    expect(taken).toBe(1);
    expect(saved()?.path).toBe("/rooms/r1");

    // The next change within the interval saves the page but not the frame.
    state.saveMessages("r1", page("two"));
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    expect(taken).toBe(1);
    // Hidden or closed: taken at once, with nothing else pending.
    state.flush(true);
    expect(taken).toBe(2);
    vi.advanceTimersByTime(FRAME_INTERVAL_MS);
    state.saveMessages("r1", page("three"));
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    expect(taken).toBe(3);

    // Once this person's session is no longer the one stored, nothing is written.
    localStorage.clear();
    current = false;
    state.flush(true);
    expect(saved()).toBeNull();
    stop();
  });

  it("lets the app start once a painted frame has reached the screen, at once without one", async () => {
    // Timers only: the frame's paint mark is a real performance mark.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const started = vi.fn();
    await afterLastFramePaints().then(started);
    expect(started).toHaveBeenCalledTimes(1);

    const frames: FrameRequestCallback[] = [];
    vi.spyOn(window, "requestAnimationFrame").mockImplementation((callback) => frames.push(callback));
    const shown = document.createElement("div");
    shown.id = LAST_FRAME_ID;
    document.body.append(shown);
    try {
      void afterLastFramePaints().then(started);
      await vi.advanceTimersByTimeAsync(LAST_FRAME_PAINT_WAIT_MS / 2);
      expect(started).toHaveBeenCalledTimes(1);
      // The frame's rendering, then a task after it.
      for (const callback of frames.splice(0)) callback(performance.now());
      await vi.advanceTimersByTimeAsync(0);
      expect(started).toHaveBeenCalledTimes(2);

      // No animation frame comes (a hidden tab): the app starts after the wait all the same.
      void afterLastFramePaints().then(started);
      await vi.advanceTimersByTimeAsync(LAST_FRAME_PAINT_WAIT_MS);
      expect(started).toHaveBeenCalledTimes(3);

      // Painted already (the mark is set in the frame that paints it): nothing to wait for.
      performance.mark("flowchat:first-messages-paint");
      void afterLastFramePaints().then(started);
      await vi.advanceTimersByTimeAsync(0);
      expect(started).toHaveBeenCalledTimes(4);
    } finally {
      shown.remove();
      vi.restoreAllMocks();
    }
  });
});
