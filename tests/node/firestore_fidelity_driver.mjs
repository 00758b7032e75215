// Requests the Firebase JS SDK (Node build, gRPC) sends that our Firestore emulator must
// answer as production does. Each case is taken from the SDK's own integration tests
// (packages/firestore/test/integration/api/*.test.ts in firebase-js-sdk), which run against
// production. The client is an admin (mockUserToken "owner"), so rules do not apply.
// Environment: PROJECT_ID, FIRESTORE_HOST, FIRESTORE_PORT, PREFIX (a fresh collection prefix).
// Prints one JSON line {results} (or {failure}); the assertions are in Python.
import { initializeApp } from "firebase/app";
import {
  collection,
  connectFirestoreEmulator,
  deleteDoc,
  doc,
  documentId,
  getDoc,
  getDocs,
  increment,
  initializeFirestore,
  memoryLocalCache,
  memoryLruGarbageCollector,
  orderBy,
  query,
  runTransaction,
  serverTimestamp,
  setDoc,
  terminate,
  updateDoc,
  where,
  writeBatch,
  _TestingHooks,
} from "firebase/firestore";
import { outcome, plain } from "./firestore_browser/client.js";

const env = process.env;
const prefix = env.PREFIX;

function adminFirestore(name, settings = {}) {
  const app = initializeApp({ apiKey: "fake-api-key", projectId: env.PROJECT_ID }, name);
  const firestore = initializeFirestore(app, settings);
  connectFirestoreEmulator(firestore, env.FIRESTORE_HOST, Number(env.FIRESTORE_PORT), {
    mockUserToken: "owner",
  });
  return firestore;
}

const db = adminFirestore("client");
// Seeds documents that queries must find on the server: like the SDK's withTestCollection,
// written by another instance so that the client's cache does not answer for the server.
const seeder = adminFirestore("seeder");

const data = async (ref) => plain((await getDoc(ref)).data() ?? null);
const ids = async (q) => (await getDocs(q)).docs.map((d) => d.id);

// Transactions send Write.verify for what they read and did not write
// (transactions.test.ts "retry when a document that was read without being written changes").
async function verifyWrites() {
  const coll = collection(db, `${prefix}-verify`);
  const read = doc(coll, "read");
  const missing = doc(coll, "missing");
  const written = doc(coll, "written");
  await setDoc(read, { count: 15 });
  let tries = 0;
  const committed = await outcome(
    runTransaction(db, async (transaction) => {
      tries += 1;
      const seen = await transaction.get(read);
      await transaction.get(missing);
      if (tries === 1) await setDoc(read, { count: 1234 }); // changes what was read
      transaction.set(written, { count: seen.data().count + 1 });
    }),
  );
  return { committed, tries, read: await data(read), written: await data(written) };
}

// database.test.ts "can set server timestamps using mergeFields": the fields are both in
// the update mask and in the transforms.
async function transformsInMask() {
  const ref = doc(collection(db, `${prefix}-merge`), "doc");
  await setDoc(ref, { untouched: true, foo: "bar", nested: { untouched: true, foo: "bar" } });
  const mergeFields = await outcome(
    setDoc(
      ref,
      {
        foo: serverTimestamp(),
        inner: { foo: serverTimestamp() },
        nested: { foo: serverTimestamp() },
      },
      { mergeFields: ["foo", "inner", "nested.foo"] },
    ),
  );
  const afterMergeFields = await data(ref);
  // A map holding a sentinel: "m" is in the mask, "m.at" and "m.n" are transformed.
  const update = await outcome(updateDoc(ref, { m: { at: serverTimestamp(), n: increment(3) } }));
  return { mergeFields, afterMergeFields, update, afterUpdate: await data(ref) };
}

// query.test.ts "can use IN filters" / "can use array-contains-any filters": null and NaN
// in the list match nothing.
async function nullAndNanInLists() {
  const path = `${prefix}-lists`;
  const coll = collection(db, path);
  const rows = {
    a: { zip: 98101, array: [42] },
    b: { zip: null, array: [43] },
    c: { zip: Number.NaN, array: [null] },
    d: { zip: 98103, array: [Number.NaN] },
  };
  for (const [id, fields] of Object.entries(rows)) await setDoc(doc(seeder, path, id), fields);
  const run = (op, list) => outcome(ids(query(coll, where(op[0], op[1], list))));
  return {
    inNull: await run(["zip", "in"], [null]),
    inValueAndNull: await run(["zip", "in"], [98101, null]),
    inNan: await run(["zip", "in"], [Number.NaN]),
    inValueAndNan: await run(["zip", "in"], [98101, Number.NaN]),
    anyNull: await run(["array", "array-contains-any"], [null]),
    anyValueAndNull: await run(["array", "array-contains-any"], [43, null]),
    anyNan: await run(["array", "array-contains-any"], [Number.NaN]),
  };
}

// composite_index_query.test.ts: "inequality query will reject if document key is not the
// last orderBy field" and "... if document key appears only in equality filter".
async function keyOrderingWithInequality() {
  const coll = collection(db, `${prefix}-key`);
  await setDoc(doc(coll, "doc1"), { key: 1 });
  return {
    keyNotLast: await outcome(ids(query(coll, where("key", "!=", 42), orderBy(documentId())))),
    keyEquality: await outcome(
      ids(query(coll, where("key", "!=", 42), where(documentId(), "==", "doc1"))),
    ),
    keyInequality: await outcome(
      ids(query(coll, where("key", "!=", 42), where(documentId(), ">=", "doc1"))),
    ),
  };
}

// transactions.test.ts "runs transactions on existing document" / "... on nonexistent
// document": delete then update of one document in a transaction is INVALID_ARGUMENT.
async function deleteThenUpdate() {
  const coll = collection(db, `${prefix}-tx`);
  const existing = doc(coll, "existing");
  const nonexistent = doc(coll, "nonexistent");
  await setDoc(existing, { foo: "bar0" });
  await deleteDoc(nonexistent);
  const deleteUpdate = (ref) =>
    outcome(
      runTransaction(db, async (transaction) => {
        transaction.delete(ref);
        transaction.update(ref, { foo: "bar2" });
      }),
    );
  const updateUpdate = (ref) =>
    outcome(
      runTransaction(db, async (transaction) => {
        transaction.update(ref, { foo: "bar1" });
        transaction.update(ref, { foo: "bar2" });
      }),
    );
  return {
    existing: await deleteUpdate(existing),
    existingAfter: await data(existing),
    nonexistent: await deleteUpdate(nonexistent),
    updateUpdateNonexistent: await updateUpdate(nonexistent),
  };
}

// A query resumed after Watch stopped tracking it gets an ExistenceFilter with a bloom
// filter of the names still matching instead of deletes and removes for what left the
// results, and the SDK drops those documents with it, without a full re-query
// (api_internal/query.test.ts "bloom filter should avert a full re-query when documents
// were added, deleted, removed, updated, and unchanged since the resume token", skipped on
// an emulator there). LRU garbage collection keeps the cached results and the resume token.
async function existenceFilterOnResume() {
  const lru = adminFirestore("lru", {
    localCache: memoryLocalCache({ garbageCollector: memoryLruGarbageCollector() }),
  });
  const path = `${prefix}-bloom`;
  const names = Array.from({ length: 40 }, (_, i) => `doc${1000 + i}`);
  const seed = writeBatch(seeder);
  for (const name of names) seed.set(doc(seeder, path, name), { key: 42, removed: false });
  await seed.commit();
  const matching = (firestore) => query(collection(firestore, path), where("removed", "==", false));
  const first = await getDocs(matching(lru));
  const deleted = names.filter((_, i) => i % 4 === 0);
  const removed = names.filter((_, i) => i % 4 === 1);
  const added = Array.from({ length: 5 }, (_, i) => `newDoc${1000 + i}`);
  const batch = writeBatch(seeder);
  for (const name of deleted) batch.delete(doc(seeder, path, name));
  for (const name of removed) batch.update(doc(seeder, path, name), { removed: true });
  names
    .filter((_, i) => i % 4 === 2)
    .forEach((name) => batch.update(doc(seeder, path, name), { key: 43 }));
  for (const name of added) batch.set(doc(seeder, path, name), { key: 42, removed: false });
  await batch.commit();
  // Longer than the emulator's FORGET_AFTER_US (5 s), as the SDK's test waits 10 s.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const full = (name) => `projects/${env.PROJECT_ID}/databases/(default)/documents/${path}/${name}`;
  const gone = [...deleted, ...removed];
  const kept = [...names.filter((n) => !gone.includes(n)), ...added];
  const mismatches = [];
  const stop = _TestingHooks.onExistenceFilterMismatch((info) => {
    const bloom = info.bloomFilter;
    mismatches.push({
      localCacheCount: info.localCacheCount,
      existenceFilterCount: info.existenceFilterCount,
      applied: bloom?.applied ?? null,
      hashCount: bloom?.hashCount ?? 0,
      padding: bloom?.padding ?? -1,
      keptInFilter: kept.filter((n) => bloom?.mightContain(full(n))).length,
      goneInFilter: gone.filter((n) => bloom?.mightContain(full(n))).length,
    });
  });
  const second = await getDocs(matching(lru));
  stop();
  await terminate(lru);
  return {
    first: first.size,
    second: second.docs.map((d) => d.id).sort(),
    expected: kept.sort(),
    mismatches,
  };
}

try {
  const results = {
    verifyWrites: await verifyWrites(),
    transformsInMask: await transformsInMask(),
    nullAndNanInLists: await nullAndNanInLists(),
    keyOrderingWithInequality: await keyOrderingWithInequality(),
    deleteThenUpdate: await deleteThenUpdate(),
    existenceFilterOnResume: await existenceFilterOnResume(),
  };
  await terminate(db);
  await terminate(seeder);
  process.stdout.write(JSON.stringify({ results }) + "\n");
  process.exit(0);
} catch (error) {
  process.stdout.write(JSON.stringify({ failure: String(error.stack ?? error) }) + "\n");
  process.exit(1);
}
