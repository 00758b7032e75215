// Runs firestore_suite.mjs with the Firebase JS SDK's Node build (Firestore over gRPC):
// two apps in one process stand for the two users. Same environment as the browser
// driver, minus DIST and LONG_POLLING.
import { createClient } from "./firestore_browser/client.js";
import { runSuite } from "./firestore_suite.mjs";

const env = process.env;
const config = {
  projectId: env.PROJECT_ID,
  authUrl: env.AUTH_URL,
  firestoreHost: env.FIRESTORE_HOST,
  firestorePort: Number(env.FIRESTORE_PORT),
};

function nodeClient() {
  const client = createClient(config);
  return { call: (method, ...args) => Promise.resolve(client[method](...args)), client };
}

try {
  const alice = nodeClient();
  const bob = nodeClient();
  const results = await runSuite(alice, bob, JSON.parse(env.TOKENS));
  await alice.call("terminate");
  await bob.call("terminate");
  process.stdout.write(JSON.stringify({ results }) + "\n");
  process.exit(0);
} catch (error) {
  process.stdout.write(JSON.stringify({ failure: String(error.stack ?? error) }) + "\n");
  process.exit(1);
}
