#!/usr/bin/env node
// Time from navigation start to the first paint of a conversation's messages, over fresh page
// loads of the room's URL with the signed-in state restored from storage. Starts the e2e
// backend and serves a build against it (e2e/harness.mjs), signs a person up in Chromium,
// creates a group with messages, then loads /rooms/<id> N times, each in a new tab with the
// HTTP cache off, reading the `flowchat:first-messages-paint` mark that the message list sets
// in the frame that first paints messages (components/message-list.tsx).
// Usage: npm run bench:paint [-- --runs 10] [-- --json]
import { launchBrowser, newAccount } from "../e2e/browser.mjs";
import { buildAndServe, requireTools, startBackend, stopBackend } from "../e2e/harness.mjs";

const MARK = "flowchat:first-messages-paint";
const MESSAGES = 25;
const argv = process.argv.slice(2);
const runsAt = argv.indexOf("--runs");
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : 10;
const asJson = argv.includes("--json");

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

async function measure(context, url) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await page.goto(url, { waitUntil: "commit" });
  const mark = await page.waitForFunction(
    (name) => performance.getEntriesByName(name, "mark")[0]?.startTime ?? false,
    MARK,
    { timeout: 60_000, polling: 20 },
  );
  const ms = await mark.jsonValue();
  const painted = await page.getByRole("list", { name: "Messages" }).getByText(/^Benchmark message/).count();
  await cdp.detach();
  await page.close();
  if (painted === 0) throw new Error("the mark was set but no benchmark message is on the page");
  return ms;
}

async function main() {
  requireTools("bench:paint");
  // Long-lived access tokens: the loads should not wait for (or race on) silent refreshes.
  const backend = startBackend({ ...process.env, E2E_ACCESS_TOKEN_TTL_SECONDS: "3600" });
  let client;
  let browser;
  try {
    const hosts = await backend.ready;
    log("backend ready; building the client");
    client = await buildAndServe(hosts, "paint-dist");
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
    const url = await prepareRoom(context, client.baseUrl);
    log(`room with ${MESSAGES} messages at ${new URL(url).pathname}; ${RUNS} loads`);
    const samples = [];
    for (let run = 0; run < RUNS; run++) samples.push(await measure(context, url));
    const sorted = [...samples].sort((a, b) => a - b);
    const result = {
      runs: RUNS,
      messages: MESSAGES,
      medianMs: Math.round(median(sorted)),
      p99Ms: Math.round(percentile(sorted, 99)),
      minMs: Math.round(sorted[0]),
      maxMs: Math.round(sorted[sorted.length - 1]),
      samplesMs: samples.map((ms) => Math.round(ms)),
    };
    if (asJson) {
      console.log(JSON.stringify(result));
    } else {
      console.log(`First message list paint: navigation start → first paint of a room's messages`);
      console.log(`(${RUNS} fresh loads of one room's URL, signed in from storage, HTTP cache off, ${MESSAGES} messages)`);
      console.log("");
      console.log("| statistic | ms |");
      console.log("|---|---:|");
      console.log(`| median | ${result.medianMs} |`);
      console.log(`| p99 | ${result.p99Ms} |`);
      console.log(`| min | ${result.minMs} |`);
      console.log(`| max | ${result.maxMs} |`);
      console.log("");
      console.log(`samples: ${result.samplesMs.join(", ")} ms`);
    }
    return 0;
  } catch (error) {
    console.error(error);
    console.error(`bench:paint: backend log tail:\n${backend.log.join("").split("\n").slice(-20).join("\n")}`);
    return 1;
  } finally {
    await browser?.close();
    await client?.close();
    await stopBackend(backend.child);
  }
}

process.exit(await main());
