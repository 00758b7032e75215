// Shared by the Firestore resilience drivers: a static server for a Vite-built page,
// headless Chromium with the flags our machines need, and a page wrapper for the
// resilience page (tests/node/firestore_resilience).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const TYPES = { ".html": "text/html", ".js": "text/javascript" };

export function serve(root) {
  const server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url, "http://x").pathname).replace(/^\/+/, "");
    try {
      const body = await readFile(join(root, path || "index.html"));
      response.writeHead(200, {
        "Content-Type": TYPES[extname(path || ".html")] ?? "application/octet-stream",
      });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export function launchChromium() {
  return chromium.launch({
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
}

// One resilience page in its own browser context. `onEvent` receives what the page's
// listeners report; `log` collects console lines and page errors.
export async function openResiliencePage(browser, pageUrl, config, { name, onEvent, log }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("console", (message) => log.push(`${name}: ${message.text()}`));
  page.on("pageerror", (error) => log.push(`${name} error: ${error.message}`));
  await page.exposeFunction("reportEvent", (event) => onEvent(event));
  const start = async () => {
    await page.waitForFunction(() => window.flowchatResilienceReady === true);
    await page.evaluate((c) => window.flowchatResilience.start(c), config);
  };
  await page.goto(pageUrl);
  await start();
  return {
    context,
    page,
    call: (method, ...args) =>
      page.evaluate(([m, a]) => window.flowchatResilience.call(m, a), [method, args]),
    reload: async () => {
      await page.reload();
      await start();
    },
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `check` (sync or async) until it returns something truthy; null on timeout.
export async function waitFor(check, timeoutMs, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await check();
    if (found) return found;
    await sleep(intervalMs);
  }
  return null;
}

// An admin read or write over REST (Bearer owner), outside the browser.
export async function adminRequest(env, method, documentPath, body) {
  const database = `projects/${env.PROJECT_ID}/databases/(default)`;
  const base = `http://${env.FIRESTORE_HOST}:${env.FIRESTORE_PORT}/v1/${database}/documents`;
  const response = await fetch(`${base}/${documentPath}`, {
    method,
    headers: { Authorization: "Bearer owner" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}
