// Offline persistence of the browser SDK against our emulator, in headless Chromium:
// write while connected, reload and read from the IndexedDB cache, go offline
// (Playwright's context.setOffline), write locally, come back, and watch the write land.
// Prints what happened as one JSON line; pytest judges it.
//
// Environment: DIST (the built tests/node/firestore_resilience page), PROJECT_ID,
// AUTH_URL, FIRESTORE_HOST, FIRESTORE_PORT, TOKENS (JSON: alice, aliceUid).
import {
  adminRequest,
  launchChromium,
  openResiliencePage,
  serve,
  sleep,
  waitFor,
} from "./browser_support.mjs";

const env = process.env;
const tokens = JSON.parse(env.TOKENS);
const config = {
  projectId: env.PROJECT_ID,
  authUrl: env.AUTH_URL,
  firestoreHost: env.FIRESTORE_HOST,
  firestorePort: Number(env.FIRESTORE_PORT),
  persistent: true,
};
const server = await serve(env.DIST);
const browser = await launchChromium();
const log = [];
const events = [];
const eventsFor = (path) => events.filter((e) => e.path === path);
const results = {};
let exitCode = 0;

try {
  const tab = await openResiliencePage(
    browser,
    `http://127.0.0.1:${server.address().port}/index.html`,
    config,
    { name: "tab", onEvent: (e) => events.push(e), log },
  );
  results.signIn = await tab.call("signIn", tokens.alice);
  results.onlineWrite = await tab.call("writeNote", "notes/kept", { text: "written online" });

  await tab.reload();
  results.restoredUser = await tab.call("restoredUser");
  results.cachedAfterReload = await tab.call("readCache", "notes/kept");

  await tab.context.setOffline(true);
  results.cachedWhileOffline = await tab.call("readCache", "notes/kept");
  results.serverWhileOffline = await tab.call("readServer", "notes/kept");
  await tab.call("watch", "notes/kept");
  await tab.call("watch", "notes/offline");
  results.offlineWriteStarted = await tab.call("startNote", "notes/offline", {
    text: "written offline",
  });
  results.localEvent = await waitFor(
    () => eventsFor("notes/offline").find((e) => e.exists && e.pending),
    10000,
  );
  results.cachedOfflineWrite = await tab.call("readCache", "notes/offline");
  // Another client changes the kept note meanwhile; the offline tab cannot see it yet.
  results.adminUpdate = await adminRequest(env, "PATCH", "notes/kept?updateMask.fieldPaths=text", {
    fields: { text: { stringValue: "changed while offline" } },
  });
  await sleep(2000);
  results.onServerBeforeReconnect = await adminRequest(env, "GET", "notes/offline");
  results.writeStateBeforeReconnect = await tab.call("writeState", "notes/offline");
  results.keptEventsWhileOffline = eventsFor("notes/kept").map((e) => e.data?.text ?? null);

  const reconnectedAt = Date.now();
  await tab.context.setOffline(false);
  results.acknowledged = await waitFor(async () => {
    const state = (await tab.call("writeState", "notes/offline")).value;
    return state && state.state !== "pending" ? state : null;
  }, 60000);
  results.secondsToAcknowledge = (Date.now() - reconnectedAt) / 1000;
  results.syncedEvent = await waitFor(
    () => eventsFor("notes/offline").find((e) => e.exists && !e.pending && e.data.createdAt),
    30000,
  );
  results.onServerAfterReconnect = await adminRequest(env, "GET", "notes/offline");
  results.keptEventAfterReconnect = await waitFor(
    () => eventsFor("notes/kept").find((e) => e.data?.text === "changed while offline"),
    30000,
  );
  await tab.call("terminate");
  await tab.context.close();
  process.stdout.write(JSON.stringify({ results, console: log.slice(-50) }) + "\n");
} catch (error) {
  process.stdout.write(
    JSON.stringify({ failure: String(error.stack ?? error), results, console: log.slice(-50) }) +
      "\n",
  );
  exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
process.exit(exitCode);
