// Cold loads (a signed-in page with no last known state to paint from, see
// features/chat/paint-first.ts) need Firebase Auth, then Firestore and the Realtime Database,
// before anything shows: fetched only when the entry chunk has run, and the SDKs only once Auth
// has signed in, they would load one after the other. vite.config.ts puts `startColdPreload`
// into index.html as an inline script, with the built file names of those chunks, so that
// their download starts with the entry chunk's. Warm loads (a room to paint from the last
// known state) and signed-out pages fetch nothing more.
//
// The function runs as the source text of an inline script: it must not use anything from
// outside its body (imports, constants of this module). cold-preload.test.ts checks that its
// keys are those of the session store and the last known state, and that it decides as
// paintsFromLastKnownState does.

/** Adds `<link rel="modulepreload">` for each of `files` (URLs) when this page load is cold.
 * Returns whether it did. */
export function startColdPreload(files: string[]): boolean {
  try {
    const storage = window.localStorage;
    const saved = storage.getItem("flowchat.session");
    const uid = saved ? (JSON.parse(saved) as { user?: { id?: unknown } }).user?.id : undefined;
    if (typeof uid !== "string") return false;
    // A room's own address, not a permalink, with a page saved for it: a warm load.
    const room = /^\/rooms\/([^/]+)\/?$/.exec(window.location.pathname);
    const permalink = new URLSearchParams(window.location.search).has("message");
    if (
      room &&
      !permalink &&
      storage.getItem(`flowchat.lastKnown.${uid}.room.${decodeURIComponent(room[1] ?? "")}`) !== null
    )
      return false;
    for (const file of files) {
      const link = document.createElement("link");
      link.rel = "modulepreload";
      link.setAttribute("crossorigin", ""); // as Vite's own module preloads
      link.href = file;
      document.head.appendChild(link);
    }
    return true;
  } catch {
    return false;
  }
}
