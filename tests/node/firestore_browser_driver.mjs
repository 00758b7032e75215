// Runs firestore_suite.mjs in headless Chromium: two browser contexts, each with the
// Vite-built test page (tests/node/firestore_browser) using the browser SDK, which talks
// to Firestore over REST and WebChannel. Prints the suite's results as one JSON line.
//
// Environment: DIST (the built page), PROJECT_ID, AUTH_URL, FIRESTORE_HOST,
// FIRESTORE_PORT, TOKENS (JSON: alice, bob, aliceUid), LONG_POLLING ("1" to force it).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { runSuite } from "./firestore_suite.mjs";

const env = process.env;
const TYPES = { ".html": "text/html", ".js": "text/javascript" };

function serve(root) {
  const server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url, "http://x").pathname).replace(/^\/+/, "");
    try {
      const body = await readFile(join(root, path || "index.html"));
      response.writeHead(200, { "Content-Type": TYPES[extname(path || ".html")] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const server = await serve(env.DIST);
const pageUrl = `http://127.0.0.1:${server.address().port}/index.html`;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const consoleLines = [];
const traffic = {};

// Which transport requests the SDK made, by kind, to show which paths were exercised.
function classify(url, method) {
  const u = new URL(url);
  if (u.pathname.startsWith("/v1/")) return `rest ${u.pathname.split(":").pop()}`;
  const stream = u.pathname.match(/Firestore\/(\w+)\/channel/);
  if (!stream) return null;
  const p = u.searchParams;
  if (p.get("TYPE") === "terminate") return `${stream[1]} terminate`;
  if (!p.get("SID")) return `${stream[1]} handshake`;
  if (method === "POST") return `${stream[1]} forward`;
  return `${stream[1]} back channel CI=${p.get("CI")}`;
}

async function browserClient(name) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("console", (message) => consoleLines.push(`${name}: ${message.text()}`));
  page.on("pageerror", (error) => consoleLines.push(`${name} error: ${error.message}`));
  page.on("request", (request) => {
    const kind = classify(request.url(), request.method());
    if (kind) traffic[kind] = (traffic[kind] ?? 0) + 1;
  });
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.flowchatTestReady === true);
  await page.evaluate(
    (config) => window.flowchatTest.start(config),
    {
      projectId: env.PROJECT_ID,
      authUrl: env.AUTH_URL,
      firestoreHost: env.FIRESTORE_HOST,
      firestorePort: Number(env.FIRESTORE_PORT),
      longPolling: env.LONG_POLLING === "1",
    },
  );
  return {
    call: (method, ...args) =>
      page.evaluate(([m, a]) => window.flowchatTest.call(m, a), [method, args]),
    close: async () => {
      await page.evaluate(() => window.flowchatTest.call("terminate", []));
      await context.close();
    },
  };
}

let exitCode = 0;
try {
  const alice = await browserClient("alice");
  const bob = await browserClient("bob");
  const results = await runSuite(alice, bob, JSON.parse(env.TOKENS));
  await alice.close();
  await bob.close();
  process.stdout.write(JSON.stringify({ results, traffic, console: consoleLines.slice(-50) }) + "\n");
} catch (error) {
  process.stdout.write(JSON.stringify({ failure: String(error.stack ?? error), console: consoleLines.slice(-50) }) + "\n");
  exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
process.exit(exitCode);
