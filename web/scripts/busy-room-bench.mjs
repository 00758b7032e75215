#!/usr/bin/env node
// Issue 20's busy room: one room receiving RATE messages a second for SECONDS, watched by a
// person in ROOMS rooms, this client beside the one at --old-ref (built from `git archive`)
// against one backend. Messages are written as an admin over Firestore REST (the message
// trigger runs for each, as for any message). Per client, in Chromium: with that room open,
// the arrival latency of each message (from the write to its bubble in the page, p50/p95,
// and how many never showed), the longest main-thread task (PerformanceObserver "longtask"),
// how busy the main thread was (the DevTools protocol's Performance.getMetrics TaskDuration
// over the wall time) and the documents the reader's listeners received per message (the
// emulator's listener_reads); then with only the room list open, the same again.
// Usage: npm run bench:busy [-- --rooms 300] [-- --seconds 30] [-- --rate 20] [-- --old-ref <git ref>]
//   [-- --only-new] (this client alone, while iterating)
//   [-- --memory-cache] (also this client built with VITE_FIRESTORE_CACHE=memory: what
//   Firestore's IndexedDB cache costs)
// BUSY_ROOM_SECONDS and BUSY_ROOM_ROOMS set shorter runs for a shared machine;
// BUSY_ROOM_PROFILE=1 prints the functions with the most self time in each run (the clients
// are then built unminified, so the names are the source's, and each CPU profile is saved in
// test-results/ for DevTools).
import { launchBrowser } from "../e2e/browser.mjs";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildAndServe, requireTools, resultsDir, startBackend, stopBackend } from "../e2e/harness.mjs";
import {
  commit,
  DATABASE,
  listDocuments,
  listenersSettled,
  logIn,
  oldWebAt,
  readUsage,
  resetUsage,
  seedGroups,
  settle,
} from "./bench-support.mjs";

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const ROOMS = Number(option("--rooms", process.env.BUSY_ROOM_ROOMS ?? "300"));
const SECONDS = Number(option("--seconds", process.env.BUSY_ROOM_SECONDS ?? "30"));
const RATE = Number(option("--rate", "20"));
// The last main before issues 19-21 (room list from three listeners per room and count
// queries, no virtualised list, every bubble rebuilt per snapshot).
const OLD_REF = option("--old-ref", "796494d");
const ONLY_NEW = argv.includes("--only-new");
const MEMORY_CACHE = argv.includes("--memory-cache");
// BUSY_ROOM_PROFILE=1: also print where the main thread's time went (a CPU profile per run).
const PROFILE = Boolean(process.env.BUSY_ROOM_PROFILE);

function log(message) {
  console.error(`bench:busy: ${message}`);
}

/** The reader in ROOMS groups with two others; the first room is the busy one. */
async function seed(hosts) {
  const { reader, others, roomIds } = await seedGroups(hosts, ROOMS, log);
  const deadline = Date.now() + 600_000;
  for (;;) {
    const rows = await listDocuments(hosts, `users/${reader.uid}/rooms`);
    if (rows.length >= ROOMS) break;
    if (Date.now() > deadline) throw new Error(`only ${rows.length} of ${ROOMS} rooms listed`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  return { reader, sender: others[0], busyRoom: roomIds[0] };
}

/** RATE messages a second for SECONDS into the room, each written at once (not waiting for
 * the one before); the wall-clock time each was sent, by message id. */
async function flood(hosts, { sender, busyRoom }, label) {
  const sentAt = new Map();
  const writes = [];
  const total = Math.round(SECONDS * RATE);
  const start = Date.now();
  for (let index = 0; index < total; index++) {
    const due = start + (index * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const id = `${label}${String(index).padStart(4, "0")}`;
    const now = new Date();
    sentAt.set(id, now.getTime());
    writes.push(
      commit(hosts, [
        {
          update: {
            name: `${DATABASE}/documents/rooms/${busyRoom}/messages/${id}`,
            fields: {
              senderId: { stringValue: sender.uid },
              text: { stringValue: `Busy message ${index + 1} of ${total}` },
              createdAt: { timestampValue: now.toISOString() },
            },
          },
        },
      ]),
    );
  }
  await Promise.all(writes);
  return sentAt;
}

/** Records when each message bubble first appears, and every long task. */
function observePage() {
  window.__seen = {};
  window.__longTasks = [];
  new PerformanceObserver((list) =>
    window.__longTasks.push(...list.getEntries().map((entry) => entry.duration)),
  ).observe({ type: "longtask", buffered: true });
  const note = (node) => {
    if (!(node instanceof Element)) return;
    for (const element of [node, ...node.querySelectorAll("[data-message-id]")]) {
      const id = element.getAttribute?.("data-message-id");
      if (id && !(id in window.__seen)) window.__seen[id] = Date.now();
    }
  };
  new MutationObserver((mutations) => {
    for (const mutation of mutations) for (const node of mutation.addedNodes) note(node);
  }).observe(document, { childList: true, subtree: true });
}

/** The functions with the most self time in a CPU profile, one per line. */
function heaviest(profile, count = 15) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  profile.samples.forEach((id, index) => {
    const frame = byNode.get(id).callFrame;
    const name = `${frame.functionName || "(anonymous)"} ${frame.url.split("/").pop()}:${frame.lineNumber}`;
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => `  ${Math.round(ms)} ${name}`)
    .join("\n");
}

function percentile(values, fraction) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/** Floods the room while `page` shows `path`; main-thread busy share and long tasks over that time. */
async function measure(page, hosts, seeded, label) {
  // What the page's listeners received at load is not part of the flood's cost.
  await listenersSettled(hosts);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const taskSeconds = async () =>
    (await cdp.send("Performance.getMetrics")).metrics.find((metric) => metric.name === "TaskDuration").value;
  await page.evaluate(() => {
    window.__longTasks = [];
  });
  if (PROFILE) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.start");
  }
  const busyBefore = await taskSeconds();
  const wallBefore = Date.now();
  // Only this page listens meanwhile (the sender writes over REST, the functions' reads are
  // not listener reads): what its listeners received is what the reader is billed.
  await resetUsage(hosts);
  const sentAt = await flood(hosts, seeded, label);
  await page.waitForTimeout(2_000); // the last ones arrive
  const busy = ((await taskSeconds()) - busyBefore) / ((Date.now() - wallBefore) / 1000);
  const { listener_reads: listenerReads } = await readUsage(hosts);
  if (PROFILE) {
    const { profile } = await cdp.send("Profiler.stop");
    const file = path.join(resultsDir, `busy-${label}.cpuprofile`);
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    log(`${label}: where the main thread's time went (self ms; the whole profile in ${file}):\n${heaviest(profile)}`);
  }
  const { seen, longTasks } = await page.evaluate(() => ({ seen: window.__seen, longTasks: window.__longTasks }));
  const latencies = [...sentAt].filter(([id]) => id in seen).map(([id, sent]) => seen[id] - sent);
  return {
    busyPercent: Math.round(busy * 100),
    longestTaskMs: Math.round(Math.max(0, ...longTasks)),
    p50: Math.round(percentile(latencies, 0.5)),
    p95: Math.round(percentile(latencies, 0.95)),
    missing: sentAt.size - latencies.length,
    readsPerMessage: Math.round((listenerReads / sentAt.size) * 100) / 100,
  };
}

async function main() {
  requireTools("bench:busy");
  const backend = startBackend({ ...process.env, E2E_ACCESS_TOKEN_TTL_SECONDS: "3600" });
  const clients = [];
  let old;
  let browser;
  try {
    const hosts = await backend.ready;
    const build = { minify: !PROFILE };
    log(ONLY_NEW ? "building this client" : `building this client and the one at ${OLD_REF}`);
    clients.push({ name: "this client", ...(await buildAndServe(hosts, "busy-new", undefined, build)) });
    if (MEMORY_CACHE) {
      process.env.VITE_FIRESTORE_CACHE = "memory";
      try {
        clients.push({
          name: "this client, memory cache",
          ...(await buildAndServe(hosts, "busy-mem", undefined, build)),
        });
      } finally {
        delete process.env.VITE_FIRESTORE_CACHE;
      }
    }
    if (!ONLY_NEW) {
      old = oldWebAt(OLD_REF);
      clients.push({ name: `before (${OLD_REF})`, ...(await buildAndServe(hosts, "busy-old", old.root, build)) });
    }
    const seeded = await seed(hosts);
    await settle(hosts, log);
    browser = await launchBrowser();
    const rows = [];
    for (const [index, client] of clients.entries()) {
      const context = await logIn(browser, client.baseUrl, seeded.reader);
      await context.addInitScript(observePage);
      const page = await context.newPage();
      await page.goto(`${client.baseUrl}/rooms/${seeded.busyRoom}`);
      await page.getByRole("textbox", { name: /^Message / }).waitFor({ timeout: 60_000 });
      log(`${client.name}: the room open, ${SECONDS} s at ${RATE}/s`);
      const open = await measure(page, hosts, seeded, `o${index}x`);
      await page.goto(`${client.baseUrl}/`);
      await page
        .getByRole("navigation", { name: "Conversations" })
        .getByRole("link")
        .first()
        .waitFor({ timeout: 60_000 });
      // The room's page is gone; its listeners end once the emulator sees its back channel
      // dropped (2 s), as production's end with the connection.
      await page.waitForTimeout(3_000);
      log(`${client.name}: the list only, ${SECONDS} s at ${RATE}/s`);
      const listOnly = await measure(page, hosts, seeded, `l${index}x`);
      await context.close();
      log(`${client.name}: ${JSON.stringify({ open, listOnly })}`);
      rows.push([
        client.name,
        open.p50,
        open.p95,
        open.missing,
        open.longestTaskMs,
        `${open.busyPercent}%`,
        `${listOnly.busyPercent}%`,
        listOnly.longestTaskMs,
        open.readsPerMessage,
        listOnly.readsPerMessage,
      ]);
    }
    console.log(`One room at ${RATE} messages/s for ${SECONDS} s, watched by a person in ${ROOMS} rooms`);
    console.log("");
    console.log(
      "| client | arrival p50 (ms) | arrival p95 (ms) | never shown | longest task, room open (ms) | busy, room open | busy, list only | longest task, list only (ms) | reads per message, room open | reads per message, list only |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const row of rows) console.log(`| ${row.join(" | ")} |`);
    console.log("");
    console.log(
      "targets: arrival p95 < 300 ms, no task over 100 ms, busy < 50% with the room open, < 15% with the list only",
    );
    return 0;
  } catch (error) {
    console.error(error);
    console.error(`bench:busy: backend log tail:\n${backend.log.join("").split("\n").slice(-20).join("\n")}`);
    return 1;
  } finally {
    await browser?.close();
    for (const client of clients) await client.close();
    old?.remove();
    await stopBackend(backend.child);
  }
}

process.exit(await main());
