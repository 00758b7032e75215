// Browser-to-browser delivery through the Firestore emulator's WebChannel, for
// benchmarks/browser.py: alice writes messages in one browser context, bob's onSnapshot
// listener on the room receives them in another. One message at a time: each is sent
// once the previous one has arrived. Prints {"latencies": [ms, ...]} as one JSON line;
// a latency is the arrival time in bob's page minus the send time in alice's (both
// pages read the same clock: performance.timeOrigin + performance.now()).
//
// Environment: DIST (the built tests/node/firestore_resilience page), PROJECT_ID,
// AUTH_URL, FIRESTORE_HOST, FIRESTORE_PORT, TOKENS (JSON: alice, bob), MESSAGES, WARMUP,
// LONG_POLLING ("1" to force it).
import { launchChromium, openResiliencePage, serve } from "./browser_support.mjs";

const env = process.env;
const tokens = JSON.parse(env.TOKENS);
const messages = Number(env.MESSAGES ?? 200);
const warmup = Number(env.WARMUP ?? 20);
const ARRIVAL_TIMEOUT_MS = 15000;
const config = {
  projectId: env.PROJECT_ID,
  authUrl: env.AUTH_URL,
  firestoreHost: env.FIRESTORE_HOST,
  firestorePort: Number(env.FIRESTORE_PORT),
  persistent: false,
  longPolling: env.LONG_POLLING === "1",
};
const room = `bench-${Date.now()}`;
const server = await serve(env.DIST);
const pageUrl = `http://127.0.0.1:${server.address().port}/index.html`;
const browser = await launchChromium();
const log = [];
const arrivals = new Map(); // message id -> arrival time in bob's page
const waiting = new Map(); // message id -> resolve
let listenerError = null;

function onArrival(event) {
  if (event.error) {
    listenerError = event.error;
    return;
  }
  if (arrivals.has(event.id)) return;
  arrivals.set(event.id, event.at);
  waiting.get(event.id)?.(event.at);
}

function arrival(id) {
  if (arrivals.has(id)) return Promise.resolve(arrivals.get(id));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`message ${id} did not arrive (listener error: ${listenerError})`)),
      ARRIVAL_TIMEOUT_MS,
    );
    waiting.set(id, (at) => {
      clearTimeout(timer);
      resolve(at);
    });
  });
}

let exitCode = 0;
try {
  const alice = await openResiliencePage(browser, pageUrl, config, {
    name: "alice",
    onEvent: () => {},
    log,
  });
  const bob = await openResiliencePage(browser, pageUrl, config, {
    name: "bob",
    onEvent: onArrival,
    log,
  });
  for (const [name, tab] of [["alice", alice], ["bob", bob]]) {
    const signedIn = await tab.call("signIn", tokens[name]);
    if (!signedIn.ok) throw new Error(`${name} sign-in failed: ${JSON.stringify(signedIn)}`);
  }
  await bob.call("watchRoom", room);

  const latencies = [];
  for (let n = 0; n < warmup + messages; n++) {
    const id = `m${String(n).padStart(5, "0")}`;
    const sent = await alice.call("sendMessage", room, id);
    const at = await arrival(id);
    if (n >= warmup) latencies.push(at - sent.value);
  }
  const lastWrite = await alice.call("writeState", `rooms/${room}/messages/m${String(warmup + messages - 1).padStart(5, "0")}`);
  await alice.call("terminate");
  await bob.call("terminate");
  process.stdout.write(
    JSON.stringify({ latencies, lastWrite: lastWrite.value, console: log.slice(-20) }) + "\n",
  );
} catch (error) {
  process.stdout.write(
    JSON.stringify({ failure: String(error.stack ?? error), console: log.slice(-50) }) + "\n",
  );
  exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
process.exit(exitCode);
