// Drives the Realtime Database emulator from headless Chromium with the browser SDK.
// Usage: node rtdb_browser.mjs '<json {host, port, ns, openNs, uid}>'
// Prints {"ready": {...}} once the presence page is connected, then waits for a line on
// stdin ("close"), closes that page (its WebSocket goes away), and prints the features
// result as a last JSON line.
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
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.rtdbBrowserReady === true);
  return { context, page };
}

try {
  const presence = await openPage();
  const ready = await presence.page.evaluate((c) => window.rtdbBrowser.presence(c), config);
  console.log(JSON.stringify({ ready }));
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === 'close') break;
  }
  await presence.context.close();
  const features = await openPage();
  const result = await features.page.evaluate(
    (c) => window.rtdbBrowser.features({ ...c, ns: c.openNs }),
    config,
  );
  const recovering = await openPage();
  result.afterWebSocketFailure = await recovering.page.evaluate(
    (c) => window.rtdbBrowser.afterWebSocketFailure({ ...c, ns: c.openNs }),
    config,
  );
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.close();
}
