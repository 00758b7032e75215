// Drives the Realtime Database emulator from headless Chromium with the browser SDK.
// Usage: node rtdb_browser.mjs '<json {host, port, ns, openNs, uid}>'
// Prints JSON lines as it goes and waits for words on stdin between steps, so that pytest
// can check the database in between (see test_database_browser.py): {"ready"} ... "close",
// {"lpReady"} ... "check", {"longPollSeen"} ... "close", then the results as a last line.
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const config = JSON.parse(process.argv[2]);
const bundled = await build({
  entryPoints: [fileURLToPath(new URL('./rtdb_browser/entry.mjs', import.meta.url))],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  write: false,
  logLevel: 'error',
});
const script = bundled.outputFiles[0].text;

// The page needs an http origin: on about:blank there is no localStorage, and the SDK then
// assumes WebSockets failed before and starts with long polling.
const server = createServer((request, response) => {
  if (request.url === '/rtdb.js') {
    response.writeHead(200, { 'Content-Type': 'text/javascript' });
    response.end(script);
    return;
  }
  response.writeHead(200, { 'Content-Type': 'text/html' });
  response.end('<!doctype html><title>rtdb</title><script src="/rtdb.js"></script>');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const pageUrl = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

async function openPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  if (config.debug) page.on('console', (message) => console.error(`console: ${message.text()}`));
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.rtdbBrowserReady === true);
  return { context, page };
}

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function waitFor(word) {
  for (;;) {
    const { value, done } = await lines.next();
    if (done || value.trim() === word) return;
  }
}

try {
  // 1. WebSocket presence; pytest checks the onDisconnect write after the page closes
  const presence = await openPage();
  const ready = await presence.page.evaluate((c) => window.rtdbBrowser.presence(c), config);
  console.log(JSON.stringify({ ready }));
  await waitFor('close');
  await presence.context.close();

  // 2. queries, listeners, transactions
  const features = await openPage();
  const result = await features.page.evaluate(
    (c) => window.rtdbBrowser.features({ ...c, ns: c.openNs }),
    config,
  );

  // 3. a browser that remembers a failed WebSocket: long polling, then the upgrade
  const recovering = await openPage();
  result.afterWebSocketFailure = await recovering.page.evaluate(
    (c) => window.rtdbBrowser.afterWebSocketFailure({ ...c, ns: c.openNs }),
    config,
  );
  await recovering.context.close();

  // 4. long polling only: presence, a push from the server, onDisconnect at page close
  const polling = await openPage();
  const lpReady = await polling.page.evaluate(
    (c) => window.rtdbBrowser.longPollingPresence({ ...c, uid: `${c.uid}-lp` }),
    config,
  );
  console.log(JSON.stringify({ lpReady }));
  await waitFor('check');
  await polling.page.waitForFunction(() => window.longPollSeen.includes('away'), null, { timeout: 15000 })
    .catch(() => {});
  result.longPollSeen = await polling.page.evaluate(() => window.longPollSeen);
  console.log(JSON.stringify({ longPollSeen: result.longPollSeen }));
  await waitFor('close');
  await polling.context.close();
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.close();
}
