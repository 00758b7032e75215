#!/usr/bin/env node
// Time from navigation start to the first paint of a conversation's messages, over fresh page
// loads of the room's URL with the signed-in state restored from storage, two ways side by side:
// - cold (the design before issue 19): the service worker bypassed, and the Firestore cache and
//   the last known state deleted before each load, so the app and the messages come from the
//   network;
// - warm: the service worker serves the app shell and the room paints from what the previous
//   load left: its last frame, painted by index.html before the app renders
//   (src/features/chat/last-frame.ts), then the app's own paint from the last known state
//   (src/features/chat/last-known-state.ts; the Firestore IndexedDB cache for a client without
//   either) (target: first paint, median under 200 ms; the app's own paint is printed beside it).
// Starts the e2e backend and serves a build against it (e2e/harness.mjs), signs a person up in
// Chromium, creates a group with messages, then loads /rooms/<id> N times each way, alternating,
// each in a new tab with the HTTP cache off, reading the `flowchat:first-messages-paint` mark that
// the message list sets in the frame that first paints messages (components/message-list.tsx).
// With --old-ref <git ref> (repeatable), the client at that ref (built the same way, on its own
// origin) is measured too, its loads alternating with this client's.
// Usage: npm run bench:paint [-- --runs 10] [-- --json] [-- --old-ref <git ref> [--old-ref <git ref>]]
//   [-- --trace] (a DevTools trace of this client's last warm load, in test-results/paint-warm.json)
import { launchBrowser, newAccount } from "../e2e/browser.mjs";
import path from "node:path";
import { buildAndServe, requireTools, resultsDir, startBackend, stopBackend } from "../e2e/harness.mjs";
import { oldWebAt } from "./bench-support.mjs";

const MARK = "flowchat:first-messages-paint";
const APP_MARK = "flowchat:app-messages-paint";
const MESSAGES = 25;
const argv = process.argv.slice(2);
const runsAt = argv.indexOf("--runs");
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : 10;
const asJson = argv.includes("--json");
/** Also measure the client at these git refs, in the same run (e.g. the commit before a change). */
const OLD_REFS = argv.flatMap((arg, index) => (arg === "--old-ref" ? [argv[index + 1]] : []));
/** --trace: a DevTools trace of this client's last warm load, saved in test-results/. */
const TRACE = argv.includes("--trace");

function log(message) {
  if (!asJson) console.error(`bench:paint: ${message}`);
}

function median(sorted) {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest rank: with 10 samples, p99 is the slowest. */
function percentile(sorted, p) {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function prepareRoom(context, baseUrl) {
  const page = await context.newPage();
  const account = { ...newAccount("paint"), displayName: "Paige Turner" };
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Username").fill(account.username);
  await page.getByLabel("Display name").fill(account.displayName);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText("No conversations yet").waitFor({ timeout: 30_000 });

  await page.getByRole("button", { name: "New group" }).click();
  const dialog = page.getByRole("dialog", { name: "New group" });
  await dialog.getByLabel("Name").fill("Paint benchmark");
  await dialog.getByRole("button", { name: "Create group" }).click();
  await page.getByRole("heading", { level: 1, name: "Paint benchmark" }).waitFor({ timeout: 30_000 });
  const box = page.getByLabel("Message Paint benchmark");
  for (let index = 1; index <= MESSAGES; index++) {
    await box.fill(`Benchmark message ${index}: the quick brown fox jumps over the lazy dog.`);
    await box.press("Enter");
  }
  const list = page.getByRole("list", { name: "Messages" });
  await list.getByText(`Benchmark message ${MESSAGES}:`).waitFor({ timeout: 30_000 });
  // Every write acknowledged by the server (no "sending" left).
  await page.waitForFunction(() => !document.body.innerText.includes("Sending"), null, { timeout: 30_000 });
  const url = page.url();
  await page.close();
  return url;
}

const WARM_TARGET_MS = 200;

/** Deletes this origin's Firestore cache and the last known state (src/features/chat/
 * last-known-state.ts) from a page that runs no FlowChat code. The session stays. */
async function deleteLocalCaches(page, baseUrl) {
  await page.goto(`${baseUrl}/manifest.webmanifest`);
  await page.evaluate(async () => {
    for (const key of Object.keys(localStorage))
      if (key.startsWith("flowchat.lastKnown.")) localStorage.removeItem(key);
    const names = (await indexedDB.databases()).map((db) => db.name).filter((name) => name?.startsWith("firestore/"));
    await Promise.all(
      names.map(
        (name) =>
          new Promise((resolve, reject) => {
            const request = indexedDB.deleteDatabase(name);
            request.onsuccess = resolve;
            request.onerror = () => reject(request.error);
            request.onblocked = () => reject(new Error(`${name} is still open elsewhere`));
          }),
      ),
    );
  });
}

async function measure(context, url, { cold, trace }) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (cold) {
    await cdp.send("Network.setBypassServiceWorker", { bypass: true });
    await deleteLocalCaches(page, new URL(url).origin);
  }
  if (trace) await context.browser().startTracing(page, { path: trace, screenshots: true });
  await page.goto(url, { waitUntil: "commit" });
  const mark = await page.waitForFunction(
    (name) => performance.getEntriesByName(name, "mark")[0]?.startTime ?? false,
    MARK,
    { timeout: 60_000, polling: 20 },
  );
  const ms = await mark.jsonValue();
  if (trace) {
    await context.browser().stopTracing();
    log(`trace of a warm load (${Math.round(ms)} ms) in ${trace}, for DevTools' Performance panel`);
  }
  // A frame painted before the app's code ran (src/features/chat/last-frame.ts) is not the app:
  // the time until React paints the messages itself is reported beside it.
  const fromLastFrame = await page.evaluate(
    (name) => performance.getEntriesByName(name, "mark")[0]?.detail?.lastFrame === true,
    MARK,
  );
  const appMs = fromLastFrame
    ? await (
        await page.waitForFunction(
          (name) => performance.getEntriesByName(name, "mark")[0]?.startTime ?? false,
          APP_MARK,
          { timeout: 60_000, polling: 20 },
        )
      ).jsonValue()
    : ms;
  // Where the time went: the navigation's own timings and the app's load marks (lib/load-marks.ts).
  const steps = await page.evaluate((prefix) => {
    const [navigation] = performance.getEntriesByType("navigation");
    const found = {
      "html received": navigation?.responseEnd,
      "DOM content loaded": navigation?.domContentLoadedEventStart,
    };
    for (const entry of performance.getEntriesByType("resource"))
      if (entry.initiatorType === "link" && new URL(entry.name).pathname.endsWith(".css"))
        found["stylesheet received"] ??= entry.responseEnd;
    for (const entry of performance.getEntriesByType("mark")) {
      if (!entry.name.startsWith(prefix)) continue;
      // A snapshot says whether it came from the cache or the server.
      const from = entry.detail?.fromCache === true ? " [cache]" : entry.detail?.fromCache === false ? " [server]" : "";
      found[entry.name.slice(prefix.length) + from] ??= entry.startTime;
    }
    return found;
  }, "flowchat:");
  const painted = await page
    .getByRole("list", { name: "Messages" })
    .getByText(/^Benchmark message/)
    .count();
  const { controlled, installable } = await page.evaluate(() => ({
    controlled: navigator.serviceWorker.controller !== null,
    installable: document.querySelector('link[rel="manifest"]') !== null,
  }));
  // Let the room settle (the listener catches up with the server) before the tab goes, so the
  // next warm load finds a current cache.
  await page
    .getByRole("list", { name: "Messages" })
    .getByText(`Benchmark message ${MESSAGES}:`)
    .waitFor({ timeout: 30_000 });
  await cdp.detach();
  await page.close();
  if (painted === 0) throw new Error("the mark was set but no benchmark message is on the page");
  // A client from before the installable app has no service worker either way.
  if (installable && controlled === cold)
    throw new Error(`a ${cold ? "cold" : "warm"} load was ${controlled ? "" : "not "}served by the service worker`);
  return { ms, appMs, steps };
}

/** Median time of each step, over the loads that reached it, in the order they happen. */
function breakdown(loads) {
  const names = new Set(loads.flatMap((load) => Object.keys(load.steps)));
  const rows = [...names].map((name) => {
    const times = loads
      .map((load) => load.steps[name])
      .filter((value) => typeof value === "number")
      .sort((a, b) => a - b);
    return { step: name, medianMs: Math.round(median(times)), loads: times.length };
  });
  return rows.sort((a, b) => a.medianMs - b.medianMs);
}

function statistics(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    medianMs: Math.round(median(sorted)),
    p99Ms: Math.round(percentile(sorted, 99)),
    minMs: Math.round(sorted[0]),
    maxMs: Math.round(sorted[sorted.length - 1]),
    samplesMs: samples.map((ms) => Math.round(ms)),
  };
}

async function main() {
  requireTools("bench:paint");
  // Long-lived access tokens: the loads should not wait for (or race on) silent refreshes.
  const backend = startBackend({ ...process.env, E2E_ACCESS_TOKEN_TTL_SECONDS: "3600" });
  let client;
  const oldClients = [];
  const olds = [];
  let browser;
  try {
    const hosts = await backend.ready;
    log("backend ready; building the client");
    client = await buildAndServe(hosts, "paint-dist");
    for (const ref of OLD_REFS) {
      // The client at an older ref, on its own origin (its own storage and service worker).
      const old = oldWebAt(ref);
      olds.push(old);
      oldClients.push({ ref, served: await buildAndServe(hosts, "paint-old", old.root) });
    }
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
    const clients = [{ name: "this client", baseUrl: client.baseUrl }];
    for (const { ref, served } of oldClients) clients.push({ name: `before (${ref})`, ref, baseUrl: served.baseUrl });
    for (const entry of clients) {
      entry.url = await prepareRoom(context, entry.baseUrl);
      // The service worker installs (and precaches the app) on the first load; a client from
      // before the installable app (no web app manifest) has none to wait for.
      const first = await context.newPage();
      await first.goto(entry.url);
      await first.waitForFunction(
        () => navigator.serviceWorker.controller !== null || document.querySelector('link[rel="manifest"]') === null,
        null,
        { timeout: 60_000 },
      );
      await first.close();
      entry.cold = [];
      entry.warm = [];
    }
    log(`a room with ${MESSAGES} messages per client; ${RUNS} loads each way`);
    // Alternating clients and ways, so a busy moment of the machine falls on all of them.
    for (let run = 0; run < RUNS; run++) {
      for (const entry of clients) {
        entry.cold.push(await measure(context, entry.url, { cold: true }));
        const trace =
          TRACE && entry === clients[0] && run === RUNS - 1 ? path.join(resultsDir, "paint-warm.json") : null;
        entry.warm.push(await measure(context, entry.url, { cold: false, trace }));
      }
    }
    const [mine, ...befores] = clients;
    const summary = (entry) => ({
      cold: {
        ...statistics(entry.cold.map((load) => load.ms)),
        app: statistics(entry.cold.map((load) => load.appMs)),
        steps: breakdown(entry.cold),
      },
      warm: {
        ...statistics(entry.warm.map((load) => load.ms)),
        app: statistics(entry.warm.map((load) => load.appMs)),
        steps: breakdown(entry.warm),
      },
    });
    const result = {
      runs: RUNS,
      messages: MESSAGES,
      warmTargetMs: WARM_TARGET_MS,
      ...summary(mine),
      // The first --old-ref as `before` (what benchmarks/web.py reads), all of them in `befores`.
      ...(befores.length > 0 ? { before: { ref: befores[0].ref, ...summary(befores[0]) } } : {}),
      befores: befores.map((entry) => ({ ref: entry.ref, ...summary(entry) })),
    };
    if (asJson) {
      console.log(JSON.stringify(result));
    } else {
      console.log(`First message list paint: navigation start → first paint of a room's messages`);
      console.log(
        `(${RUNS} fresh loads each way, alternating, of one room's URL, signed in from storage, HTTP cache off, ${MESSAGES} messages)`,
      );
      console.log(
        "cold: service worker bypassed, Firestore cache and last known state deleted (the design before issue 19)",
      );
      console.log("warm: app shell from the service worker, messages from what the previous load left");
      console.log("");
      console.log("| statistic | cold ms | warm ms |");
      console.log("|---|---:|---:|");
      for (const [label, key] of [
        ["median", "medianMs"],
        ["p99", "p99Ms"],
        ["min", "minMs"],
        ["max", "maxMs"],
      ]) {
        console.log(`| ${label} | ${result.cold[key]} | ${result.warm[key]} |`);
      }
      console.log(
        `| median, the app's own paint (after the last frame, when one was painted) | ${result.cold.app.medianMs} | ${result.warm.app.medianMs} |`,
      );
      console.log("");
      console.log(`cold samples: ${result.cold.samplesMs.join(", ")} ms`);
      console.log(`warm samples: ${result.warm.samplesMs.join(", ")} ms`);
      for (const mode of ["cold", "warm"]) {
        console.log("");
        console.log(`${mode} load, median ms after navigation start of each step (loads that reached it):`);
        for (const row of result[mode].steps)
          console.log(`  ${String(row.medianMs).padStart(6)}  ${row.step}${row.loads < RUNS ? ` (${row.loads})` : ""}`);
      }
      for (const old of result.befores) {
        console.log("");
        console.log(`beside the client at ${old.ref}, same run (ratio: this / before):`);
        console.log("");
        console.log(`| statistic | cold ms | warm ms | before: cold ms | before: warm ms | cold ratio | warm ratio |`);
        console.log("|---|---:|---:|---:|---:|---:|---:|");
        for (const [label, key] of [
          ["median", "medianMs"],
          ["p99", "p99Ms"],
        ]) {
          const coldRatio = (result.cold[key] / old.cold[key]).toFixed(2);
          const ratio = (result.warm[key] / old.warm[key]).toFixed(2);
          console.log(
            `| ${label} | ${result.cold[key]} | ${result.warm[key]} | ${old.cold[key]} | ${old.warm[key]} | ${coldRatio} | ${ratio} |`,
          );
        }
        console.log(`${old.ref}: cold samples: ${old.cold.samplesMs.join(", ")} ms`);
        console.log(`${old.ref}: warm samples: ${old.warm.samplesMs.join(", ")} ms`);
        for (const mode of ["cold", "warm"]) {
          console.log(`${old.ref}, ${mode} load, median ms of each step:`);
          for (const row of old[mode].steps)
            console.log(
              `  ${String(row.medianMs).padStart(6)}  ${row.step}${row.loads < RUNS ? ` (${row.loads})` : ""}`,
            );
        }
      }
      console.log(`warm median ${result.warm.medianMs} ms (target under ${WARM_TARGET_MS} ms)`);
    }
    if (result.warm.medianMs >= WARM_TARGET_MS) return 1;
    return 0;
  } catch (error) {
    console.error(error);
    console.error(`bench:paint: backend log tail:\n${backend.log.join("").split("\n").slice(-20).join("\n")}`);
    return 1;
  } finally {
    await browser?.close();
    await client?.close();
    for (const { served } of oldClients) await served.close();
    for (const old of olds) old.remove();
    await stopBackend(backend.child);
  }
}

process.exit(await main());
