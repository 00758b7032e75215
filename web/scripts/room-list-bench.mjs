#!/usr/bin/env node
// The room list of a person in N rooms (issue 20), this client side by side with the one
// before it (the web/ of a git ref, built the same way) in the same run, against one backend.
// Seeds through the functions (register, createRoom, joinRoom) and Firestore REST (messages as
// an admin, then read positions once the triggers have numbered them), so each room has three
// members, MESSAGES messages and one unread. Then, per client and load, in Chromium:
// listeners opened (addTarget in the WebChannel), count queries (runAggregationQuery), reads
// billed (the emulator's usage: reads + listener_reads), the time from navigation start until
// every room is listed and until every badge says 1 (then checked for all rooms by scrolling
// the list), and the longest main-thread task.
// Usage: npm run bench:rooms [-- --rooms 300] [-- --runs 3] [-- --old-ref <git ref>]
import { launchBrowser } from "../e2e/browser.mjs";
import { buildAndServe, requireTools, startBackend, stopBackend } from "../e2e/harness.mjs";
import {
  commit,
  DATABASE,
  listDocuments,
  logIn,
  median,
  oldWebAt,
  readUsage,
  resetUsage,
  seedGroups,
  settle,
} from "./bench-support.mjs";

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const ROOMS = Number(option("--rooms", "300"));
const RUNS = Number(option("--runs", "3"));
const MESSAGES = Number(option("--messages", "2"));
// The last main before issues 19-21: three listeners and count queries per room.
const OLD_REF = option("--old-ref", "796494d");

function log(message) {
  console.error(`bench:rooms: ${message}`);
}

async function seed(hosts) {
  const { reader, others, roomIds } = await seedGroups(hosts, ROOMS, log);

  log(`posting ${ROOMS * MESSAGES} messages`);
  // After everyone joined (the old client counts only what came after joining).
  const start = Date.now();
  const messageTimes = (index) => new Date(start + index).toISOString();
  await commit(
    hosts,
    roomIds.flatMap((roomId, room) =>
      Array.from({ length: MESSAGES }, (_, index) => ({
        update: {
          name: `${DATABASE}/documents/rooms/${roomId}/messages/m${index}`,
          fields: {
            senderId: { stringValue: others[index % others.length].uid },
            text: { stringValue: `Message ${index + 1} in room ${room + 1}` },
            createdAt: { timestampValue: messageTimes(room * MESSAGES + index) },
          },
        },
      })),
    ),
  );
  const deadline = Date.now() + 600_000;
  for (;;) {
    const rows = await listDocuments(hosts, `users/${reader.uid}/rooms`);
    const counted = rows.filter((row) => Number(row.fields?.seq?.integerValue ?? 0) === MESSAGES).length;
    if (counted === ROOMS) break;
    if (Date.now() > deadline) throw new Error(`only ${counted} of ${ROOMS} rooms numbered their messages`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }

  // The reader has read all but the last message of every room, in both designs' terms; and
  // each room's document carries its newest message as the backend wrote it before the
  // summary moved to roomActivity/{roomId} (the old client counts unread from it).
  const newest = MESSAGES - 1;
  await commit(
    hosts,
    roomIds.flatMap((roomId, room) => [
      {
        update: {
          name: `${DATABASE}/documents/rooms/${roomId}`,
          fields: {
            lastMessageAt: { timestampValue: messageTimes(room * MESSAGES + newest) },
            lastMessage: {
              mapValue: {
                fields: {
                  id: { stringValue: `m${newest}` },
                  senderId: { stringValue: others[newest % others.length].uid },
                  preview: { stringValue: `Message ${newest + 1} in room ${room + 1}` },
                  createdAt: { timestampValue: messageTimes(room * MESSAGES + newest) },
                },
              },
            },
          },
        },
        updateMask: { fieldPaths: ["lastMessageAt", "lastMessage"] },
      },
      {
        update: {
          name: `${DATABASE}/documents/users/${reader.uid}/rooms/${roomId}`,
          fields: { readSeq: { integerValue: String(MESSAGES - 1) } },
        },
        updateMask: { fieldPaths: ["readSeq"] },
      },
      {
        update: {
          name: `${DATABASE}/documents/rooms/${roomId}/reads/${reader.uid}`,
          fields: {
            lastReadAt: { timestampValue: messageTimes(room * MESSAGES + MESSAGES - 2) },
            lastReadMessageId: { stringValue: `m${MESSAGES - 2}` },
            shareReceipts: { booleanValue: true },
          },
        },
      },
    ]),
  );
  return reader;
}

async function measureLoad(context, hosts, baseUrl) {
  await resetUsage(hosts);
  const page = await context.newPage();
  let listeners = 0;
  let countQueries = 0;
  page.on("request", (request) => {
    const url = request.url();
    if (url.includes("runAggregationQuery")) countQueries += 1;
    if (url.includes("/Listen/channel") && request.method() === "POST") {
      const body = decodeURIComponent(request.postData() ?? "");
      listeners += body.split('"addTarget"').length - 1;
    }
  });
  await page.goto(baseUrl, { waitUntil: "commit" });
  // Listed: the list has every room (a virtualised list renders only some rows and gives
  // the whole length in aria-setsize). Badges right: listed, and every row on the page says 1.
  const times = await page.waitForFunction(
    (rooms) => {
      const rows = [...document.querySelectorAll('nav[aria-label="Conversations"] li:has(> a[href^="/rooms/"])')];
      const listed = Math.max(rows.length, ...rows.map((row) => Number(row.getAttribute("aria-setsize") ?? 0)));
      const right = rows.filter((row) => row.querySelector("[data-testid=unread-badge]")?.textContent === "1").length;
      if (listed >= rooms) window.__listedAt ??= performance.now();
      return listed >= rooms && right === rows.length
        ? { listed: window.__listedAt, badges: performance.now() }
        : false;
    },
    ROOMS,
    { timeout: 180_000, polling: "raf" },
  );
  const { listed, badges } = await times.jsonValue();
  await page.waitForTimeout(2_000); // what arrives after the badges are right is billed too
  const usage = await readUsage(hosts);
  const longest = await page.evaluate(() => Math.max(0, ...window.__longTasks));
  const badged = await roomsWithBadge(page, "1");
  if (badged !== ROOMS) throw new Error(`${badged} of ${ROOMS} rooms show 1 unread`);
  await page.close();
  return {
    listeners,
    countQueries,
    reads: usage.reads + usage.listener_reads,
    listedMs: listed,
    badgesMs: badges,
    longestTaskMs: longest,
  };
}

/** How many rooms show a badge with `text`, scrolling the sidebar through the whole list
 * (after the timing: a virtualised list has only some rows on the page at a time). */
async function roomsWithBadge(page, text) {
  return page.evaluate(async (wanted) => {
    const nav = document.querySelector('nav[aria-label="Conversations"]');
    const seen = new Set();
    for (let top = 0; ; top += nav.clientHeight / 2) {
      nav.scrollTop = top;
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      for (const row of nav.querySelectorAll('li:has(> a[href^="/rooms/"])')) {
        if (row.querySelector("[data-testid=unread-badge]")?.textContent === wanted)
          seen.add(row.querySelector("a").getAttribute("href"));
      }
      if (nav.scrollTop + nav.clientHeight >= nav.scrollHeight - 1) return seen.size;
    }
  }, text);
}

async function main() {
  requireTools("bench:rooms");
  const backend = startBackend({ ...process.env, E2E_ACCESS_TOKEN_TTL_SECONDS: "3600" });
  const clients = [];
  let old;
  let browser;
  try {
    const hosts = await backend.ready;
    old = oldWebAt(OLD_REF);
    log(`building this client and the one at ${OLD_REF}`);
    clients.push({ name: "this client (one listener)", ...(await buildAndServe(hosts, "rooms-new")) });
    clients.push({ name: `before (${OLD_REF})`, ...(await buildAndServe(hosts, "rooms-old", old.root)) });
    const reader = await seed(hosts);
    await settle(hosts, log);
    browser = await launchBrowser();
    const rows = [];
    for (const client of clients) {
      const context = await logIn(browser, client.baseUrl, reader);
      const loads = [];
      for (let run = 0; run < RUNS; run++) loads.push(await measureLoad(context, hosts, client.baseUrl));
      await context.close();
      log(`${client.name}: ${JSON.stringify(loads)}`);
      const pick = (key) => median(loads.map((load) => load[key]));
      rows.push([
        client.name,
        pick("listeners"),
        pick("countQueries"),
        pick("reads"),
        Math.round(pick("listedMs")),
        Math.round(pick("badgesMs")),
        Math.round(pick("longestTaskMs")),
      ]);
    }
    console.log(
      `Room list of a person in ${ROOMS} rooms (3 members, ${MESSAGES} messages, 1 unread each); median of ${RUNS} page loads`,
    );
    console.log("");
    console.log(
      "| client | listeners at load | count queries | reads per load | all rooms listed (ms) | all badges right (ms) | longest task (ms) |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    for (const row of rows) console.log(`| ${row.join(" | ")} |`);
    console.log("");
    console.log(`targets: listeners <= 15, reads <= ${ROOMS + 50}, badges < 1500 ms, no task over 200 ms`);
    return 0;
  } catch (error) {
    console.error(error);
    console.error(`bench:rooms: backend log tail:\n${backend.log.join("").split("\n").slice(-20).join("\n")}`);
    return 1;
  } finally {
    await browser?.close();
    for (const client of clients) await client.close();
    old?.remove();
    await stopBackend(backend.child);
  }
}

process.exit(await main());
