// A long-lived onSnapshot listener for the reconnect tests: signs in, watches one
// document and prints each snapshot as a JSON line ({"event": ...}) as it arrives, so
// pytest can restart the emulator underneath it and write again. MODE=browser runs the
// browser SDK in headless Chromium (WebChannel); MODE=node runs the Node SDK (gRPC).
// Prints {"ready": true} once listening; when stdin closes it terminates the client and
// prints {"done": {...}} as its last line.
//
// Environment: MODE, DIST (browser: the built tests/node/firestore_resilience page),
// PROJECT_ID, AUTH_URL, FIRESTORE_HOST, FIRESTORE_PORT, TOKENS (JSON: alice), WATCH (a
// document path).
import { once } from "node:events";
import { launchChromium, openResiliencePage, serve } from "./browser_support.mjs";
import { createResilienceClient } from "./firestore_resilience/client.js";

const env = process.env;
const tokens = JSON.parse(env.TOKENS);
const config = {
  projectId: env.PROJECT_ID,
  authUrl: env.AUTH_URL,
  firestoreHost: env.FIRESTORE_HOST,
  firestorePort: Number(env.FIRESTORE_PORT),
  persistent: false,
};
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const report = (event) => print({ event });
const log = [];

async function browserClient() {
  const server = await serve(env.DIST);
  const browser = await launchChromium();
  const tab = await openResiliencePage(
    browser,
    `http://127.0.0.1:${server.address().port}/index.html`,
    config,
    { name: "tab", onEvent: report, log },
  );
  let loads = 0;
  tab.page.on("load", () => loads++);
  // When the SDK opened a Listen channel (epoch ms), to see its reconnection attempts.
  const listenHandshakes = [];
  tab.page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.endsWith("/Listen/channel") && !url.searchParams.get("SID")) {
      listenHandshakes.push(Date.now());
    }
  });
  return {
    call: tab.call,
    close: async () => {
      await tab.call("terminate");
      await browser.close();
      server.close();
      return { pageLoadsAfterStart: loads, listenHandshakes, console: log.slice(-50) };
    },
  };
}

function nodeClient() {
  const client = createResilienceClient(config);
  return {
    call: async (method, ...args) =>
      method === "watch" ? client.watch(...args, report) : client[method](...args),
    close: async () => {
      await client.terminate();
      return {};
    },
  };
}

try {
  const client = env.MODE === "browser" ? await browserClient() : nodeClient();
  const signIn = await client.call("signIn", tokens.alice);
  if (!signIn.ok) throw new Error(`sign-in failed: ${JSON.stringify(signIn)}`);
  await client.call("watch", env.WATCH);
  print({ ready: true });
  process.stdin.resume();
  await once(process.stdin, "end");
  print({ done: await client.close() });
  process.exit(0);
} catch (error) {
  print({ failure: String(error.stack ?? error), console: log.slice(-50) });
  process.exit(1);
}
