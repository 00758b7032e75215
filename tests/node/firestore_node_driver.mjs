// Runs firestore_suite.mjs with the Firebase JS SDK's Node build (Firestore over gRPC):
// two apps in one process stand for the two users. Same environment as the browser
// driver, minus DIST and LONG_POLLING. SUITE=reads runs runReadSuite, seeding documents
// with admin commits over REST (for a server without the gRPC Write stream).
import { createClient } from "./firestore_browser/client.js";
import { runReadSuite, runSuite } from "./firestore_suite.mjs";

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

// Admin commits over REST: each note gets owner/fields and a server-set createdAt.
async function seed(notes) {
  const database = `projects/${env.PROJECT_ID}/databases/(default)`;
  const writes = notes.map(({ id, fields }) => ({
    update: {
      name: `${database}/documents/notes/${id}`,
      fields: Object.fromEntries(
        Object.entries(fields).map(([k, v]) => [
          k,
          typeof v === "number" ? { integerValue: String(v) } : { stringValue: v },
        ]),
      ),
    },
    updateTransforms: [{ fieldPath: "createdAt", setToServerValue: "REQUEST_TIME" }],
  }));
  const response = await fetch(
    `http://${env.FIRESTORE_HOST}:${env.FIRESTORE_PORT}/v1/${database}/documents:commit`,
    { method: "POST", headers: { Authorization: "Bearer owner" }, body: JSON.stringify({ writes }) },
  );
  if (!response.ok) throw new Error(`seed failed: ${response.status} ${await response.text()}`);
}

try {
  const alice = nodeClient();
  const bob = nodeClient();
  const tokens = JSON.parse(env.TOKENS);
  const results =
    env.SUITE === "reads"
      ? await runReadSuite(alice, bob, tokens, seed)
      : await runSuite(alice, bob, tokens);
  await alice.call("terminate");
  await bob.call("terminate");
  process.stdout.write(JSON.stringify({ results }) + "\n");
  process.exit(0);
} catch (error) {
  process.stdout.write(JSON.stringify({ failure: String(error.stack ?? error) }) + "\n");
  process.exit(1);
}
