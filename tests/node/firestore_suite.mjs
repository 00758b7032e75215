// The Firestore transport cases, run against two clients (two browser contexts, or two
// Node SDK apps). Each client is { call(method, ...args) -> Promise<outcome> } where an
// outcome is { ok, value } or { ok: false, code }. Returns what happened, for pytest to
// judge; it asserts nothing itself.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const CALL_TIMEOUT_MS = 20000;

// A call that never settles (a stream the server does not serve) becomes a result.
function bounded(client) {
  return {
    call: (method, ...args) =>
      Promise.race([
        client.call(method, ...args),
        sleep(CALL_TIMEOUT_MS).then(() => ({ ok: false, code: "timeout", method })),
      ]),
  };
}

async function waitForEvent(client, path, matches, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let events = [];
  while (Date.now() < deadline) {
    events = (await client.call("events", path)).value;
    const found = events.find(matches);
    if (found) return found;
    await sleep(100);
  }
  return { timedOut: true, events };
}

export async function runSuite(aliceClient, bobClient, tokens) {
  const alice = bounded(aliceClient);
  const bob = bounded(bobClient);
  const results = {};
  results.aliceSignIn = await alice.call("signIn", tokens.alice);
  results.bobSignIn = await bob.call("signIn", tokens.bob);

  await bob.call("watch", "notes/n1");
  // Non-ASCII text checks the WebChannel chunk lengths (counted in UTF-16 units).
  results.write = await alice.call("setNote", "n1", { n: 1, text: "hello", greeting: "héllo 👋 世界" });
  if (!results.write.ok) return results; // everything below builds on this write
  results.seenByBob = await waitForEvent(
    bob,
    "notes/n1",
    (e) => e.data && e.data.text === "hello" && e.data.createdAt && !e.pending,
  );

  results.moreWrites = [
    await alice.call("setNote", "n2", { n: 5 }),
    await alice.call("setNote", "n3", { n: 3 }),
  ];
  results.query = await alice.call("query", tokens.aliceUid);
  results.count = await alice.call("count", tokens.aliceUid);

  results.bumps = [
    await alice.call("bump", "n1", "x"),
    await alice.call("bump", "n1", "y"),
    await alice.call("bump", "n1", "x"),
  ];
  results.afterBumps = await alice.call("get", "notes/n1");
  results.bobSeesBumps = await waitForEvent(bob, "notes/n1", (e) => e.data && e.data.n === 4);

  const [fromAlice, fromBob] = await Promise.all([
    alice.call("addToCounter", "c1", 5),
    bob.call("addToCounter", "c1", 5),
  ]);
  results.transactions = { fromAlice, fromBob };
  results.counter = await alice.call("get", "counters/c1");

  results.forbiddenWrite = await alice.call("setDocument", "locked/x", { v: 1 });
  results.bobUpdatesAlicesNote = await bob.call("bump", "n1", "z");
  await alice.call("watch", "locked/x");
  results.forbiddenListener = await waitForEvent(alice, "locked/x", (e) => e.error);

  results.bobSignOut = await bob.call("signOut");
  // Bob's listener is re-established without credentials, and the rules now refuse it.
  results.bobWatchAfterSignOut = await waitForEvent(bob, "notes/n1", (e) => e.error);
  // getDoc may answer from the local cache; asking the server must be refused.
  results.signedOutRead = await bob.call("getFromServer", "notes/n1");
  results.signedOutWrite = await bob.call("setDocument", "counters/c2", { value: 1 });

  // The first client keeps working after all of the above.
  results.finalRead = await alice.call("get", "notes/n1");
  return results;
}

// The same checks without the Write stream: documents are seeded by `seed(writes)` (an
// admin commit), and the clients only listen, query, count and run transactions (which
// commit with the unary Commit RPC). For a transport that lacks the Write stream.
export async function runReadSuite(aliceClient, bobClient, tokens, seed) {
  const alice = bounded(aliceClient);
  const bob = bounded(bobClient);
  const note = (id, fields) => ({ id, fields: { owner: tokens.aliceUid, ...fields } });
  const results = {};
  results.aliceSignIn = await alice.call("signIn", tokens.alice);
  results.bobSignIn = await bob.call("signIn", tokens.bob);

  await bob.call("watch", "notes/n1");
  await seed([note("n1", { n: 1, text: "hello", greeting: "héllo 👋 世界" })]);
  results.seenByBob = await waitForEvent(
    bob,
    "notes/n1",
    (e) => e.data && e.data.text === "hello" && e.data.createdAt && !e.pending,
  );
  await seed([note("n2", { n: 5 }), note("n3", { n: 3 })]);
  results.query = await alice.call("query", tokens.aliceUid);
  results.count = await alice.call("count", tokens.aliceUid);

  const [fromAlice, fromBob] = await Promise.all([
    alice.call("addToCounter", "c1", 5),
    bob.call("addToCounter", "c1", 5),
  ]);
  results.transactions = { fromAlice, fromBob };
  results.counter = await alice.call("get", "counters/c1");

  results.forbiddenWrite = await alice.call("transactionalSet", "locked/x", { v: 1 });
  await alice.call("watch", "locked/x");
  results.forbiddenListener = await waitForEvent(alice, "locked/x", (e) => e.error);

  results.bobSignOut = await bob.call("signOut");
  results.bobWatchAfterSignOut = await waitForEvent(bob, "notes/n1", (e) => e.error);
  results.signedOutRead = await bob.call("getFromServer", "notes/n1");
  results.signedOutWrite = await bob.call("transactionalSet", "counters/c2", { value: 1 });
  results.finalRead = await alice.call("get", "notes/n1");
  return results;
}
