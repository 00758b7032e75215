// The last frame: what a room's page looked like when the person last saw it (the HTML React
// had rendered into #root, with its scroll positions), kept so that the next load of that
// room paints it before the app's JavaScript has run. index.html gets `paintLastFrame` as an
// inline script (vite.config.ts): it lays the frame over the page, inert and hidden from
// assistive technology, and the app removes it (`dropLastFrame`) in the frame in which React
// first paints the room's messages itself, from the last known state (last-known-state.ts)
// or from Firestore. The app underneath renders the same layout, so the swap does not show;
// a click meanwhile passes through the inert layer to the app.
//
// A frame is painted only where it is still true to the page: the same person signed in,
// the same room's address (not a permalink), the same build of the app (the entry script's
// address, which names the build's hash, so the same stylesheet), the same viewport and the
// same colour theme. It is kept under the person's last known state key, so a log-out
// deletes it with the rest (clearLastKnownState).
//
// No imports: `paintLastFrame` runs as the source text of an inline script, and must not use
// anything from outside its body; vite.config.ts gives it LAST_FRAME_NAMES.

export const LAST_FRAME_FORMAT = 1;
/** The id of the layer that shows the last frame until the app paints. */
export const LAST_FRAME_ID = "flowchat-last-frame";
/** A frame larger than this (UTF-16 code units) is not kept. */
export const MAX_FRAME_CHARS = 600_000;

export interface StoredFrame {
  format: typeof LAST_FRAME_FORMAT;
  /** `location.pathname` when it was taken. */
  path: string;
  /** The entry script's address: which build rendered it. */
  build: string;
  width: number;
  height: number;
  dark: boolean;
  /** #root's inner HTML. */
  html: string;
  /** The stylesheets the page had (`href` as written), the app's lazily loaded ones included. */
  styles: string[];
  /** [index among #root's descendants, scrollTop] of each element scrolled away from the top. */
  scrolls: [number, number][];
}

/** What the inline script is told: where the session and the frame live in localStorage,
 * and the layer's id. */
export interface LastFrameNames {
  /** The session store's key (features/auth/session-store.ts). */
  session: string;
  /** The last known state's prefix (last-known-state.ts); the frame is `<prefix><uid>.frame`. */
  prefix: string;
  layer: string;
}

/** The names index.html's script is given (last-frame.test.ts checks them against the
 * session store's and the last known state's; this module imports nothing, so that
 * vite.config.ts can load it). */
export const LAST_FRAME_NAMES: LastFrameNames = {
  session: "flowchat.session",
  prefix: "flowchat.lastKnown.",
  layer: LAST_FRAME_ID,
};

/** The address of this page's entry script (`<script type="module" src>`), or "". */
function buildOf(document: Document): string {
  return document.querySelector<HTMLScriptElement>('script[type="module"][src]')?.src ?? "";
}

/** The room's own address this page shows (not a permalink), or null. */
function roomPath(location: Location): string | null {
  if (new URLSearchParams(location.search).has("message")) return null;
  return /^\/rooms\/[^/]+\/?$/.test(location.pathname) ? location.pathname : null;
}

/**
 * Takes the page as it is now, when it shows a room's messages and nothing over them; null
 * otherwise (another page, a dialog open, too large).
 */
export function captureLastFrame(window: Window): StoredFrame | null {
  const { document } = window;
  const root = document.getElementById("root");
  const path = roomPath(window.location);
  if (!root || !path || document.getElementById(LAST_FRAME_ID)) return null;
  // A dialog or menu open (Radix hides the rest of the page from assistive technology).
  if (root.hasAttribute("aria-hidden") || root.hasAttribute("data-aria-hidden")) return null;
  if (!root.querySelector("[data-message-id]")) return null;
  const html = root.innerHTML;
  if (html.length > MAX_FRAME_CHARS) return null;
  const scrolls: [number, number][] = [];
  root.querySelectorAll("*").forEach((element, index) => {
    if (element.scrollTop > 0) scrolls.push([index, element.scrollTop]);
  });
  const styles = [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].flatMap((link) => {
    const href = link.getAttribute("href");
    return href ? [href] : [];
  });
  return {
    format: LAST_FRAME_FORMAT,
    path,
    build: buildOf(document),
    styles,
    width: window.innerWidth,
    height: window.innerHeight,
    dark: document.documentElement.classList.contains("dark"),
    html,
    scrolls,
  };
}

/** The longest the app waits for the last frame to reach the screen before it starts anyway
 * (no animation frames come to a hidden tab). */
export const LAST_FRAME_PAINT_WAIT_MS = 100;

/**
 * Resolves once the last frame index.html laid over the page has been painted: at once when
 * there is none or it has painted already; else in a task after the next animation frame
 * (whose rendering paints it). The entry module runs as soon as the document is parsed,
 * which may come before the browser's first rendering opportunity; starting React's work
 * first would hold the frame back behind it.
 */
export function afterLastFramePaints(
  document: Document = globalThis.document,
  timeoutMs: number = LAST_FRAME_PAINT_WAIT_MS,
): Promise<void> {
  const painted = performance.getEntriesByName("flowchat:first-messages-paint", "mark").length > 0;
  if (painted || !document.getElementById(LAST_FRAME_ID)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}

/** Removes the last frame from the page, if it is there. */
export function dropLastFrame(document: Document = globalThis.document): void {
  document?.getElementById(LAST_FRAME_ID)?.remove();
}

/**
 * The inline script of index.html: paints the last frame of this page's room over the page
 * when it is still true to it (see the top of this file), and marks
 * `flowchat:first-messages-paint` in the frame that paints it. Returns whether it painted.
 * Runs before the app's code: everything it uses is in its body.
 */
export function paintLastFrame(names: LastFrameNames): boolean {
  performance.mark("flowchat:last-frame-script");
  try {
    const storage = window.localStorage;
    const session = storage.getItem(names.session);
    const uid = session ? (JSON.parse(session) as { user?: { id?: unknown } }).user?.id : undefined;
    if (typeof uid !== "string") return false;
    if (new URLSearchParams(window.location.search).has("message")) return false;
    const text = storage.getItem(`${names.prefix}${uid}.frame`);
    if (!text) return false;
    const frame = JSON.parse(text) as StoredFrame;
    const build = document.querySelector<HTMLScriptElement>('script[type="module"][src]')?.src ?? "";
    const fits =
      frame?.format === 1 &&
      typeof frame.html === "string" &&
      Array.isArray(frame.scrolls) &&
      Array.isArray(frame.styles) &&
      frame.path === window.location.pathname &&
      frame.build === build &&
      frame.width === window.innerWidth &&
      frame.height === window.innerHeight &&
      frame.dark === document.documentElement.classList.contains("dark");
    if (!fits) return false;
    // A stylesheet a part of the app loads when needed (code highlighting, say), for what
    // the frame shows of that part; the app finds it loaded when it asks for it.
    for (const href of frame.styles) {
      if (typeof href !== "string" || document.querySelector(`link[rel="stylesheet"][href="${CSS.escape(href)}"]`))
        continue;
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.crossOrigin = "";
      link.href = href;
      document.head.appendChild(link);
    }
    const layer = document.createElement("div");
    layer.id = names.layer;
    layer.className = "bg-background text-foreground";
    layer.inert = true;
    layer.setAttribute("aria-hidden", "true");
    layer.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:hidden";
    layer.innerHTML = frame.html;
    document.body.appendChild(layer);
    const elements = layer.querySelectorAll("*");
    for (const [index, top] of frame.scrolls) {
      const element = elements[index];
      if (element) element.scrollTop = top;
    }
    requestAnimationFrame(() => {
      if (performance.getEntriesByName("flowchat:first-messages-paint", "mark").length === 0)
        performance.mark("flowchat:first-messages-paint", { detail: { lastFrame: true } });
    });
    return true;
  } catch {
    return false;
  }
}
