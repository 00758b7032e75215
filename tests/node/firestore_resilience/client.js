// A Firebase client (Auth + Firestore) for the resilience cases: offline persistence,
// reconnecting listeners and browser-to-browser delivery. The same module runs in
// Chromium (bundled by Vite: WebChannel, and IndexedDB when `persistent`) and in Node
// (gRPC, memory cache). Snapshot callbacks receive plain objects with the time they
// arrived (`at`, epoch milliseconds with sub-millisecond precision).
import { initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth, signInWithCustomToken } from "firebase/auth";
import {
  collection,
  connectFirestoreEmulator,
  doc,
  getDocFromCache,
  getDocFromServer,
  initializeFirestore,
  memoryLocalCache,
  onSnapshot,
  persistentLocalCache,
  persistentSingleTabManager,
  serverTimestamp,
  setDoc,
  terminate,
} from "firebase/firestore";

// A fixed app name: Auth and Firestore key what they persist in IndexedDB by it, so a
// reloaded page finds the signed-in user and the cache of the previous one.
const APP_NAME = "flowchat-resilience";

export const now = () => performance.timeOrigin + performance.now();

function plain(value) {
  if (value === null || typeof value !== "object") return value;
  if (typeof value.toMillis === "function") return { timestampMillis: value.toMillis() };
  if (Array.isArray(value)) return value.map(plain);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

function snapshotView(snap) {
  return {
    exists: snap.exists(),
    data: plain(snap.data({ serverTimestamps: "none" }) ?? null),
    pending: snap.metadata.hasPendingWrites,
    fromCache: snap.metadata.fromCache,
  };
}

async function outcome(promise) {
  try {
    const value = await promise;
    return { ok: true, value: value === undefined ? null : value };
  } catch (error) {
    return { ok: false, code: error.code ?? String(error), message: String(error.message ?? "") };
  }
}

export function createResilienceClient({
  projectId,
  authUrl,
  firestoreHost,
  firestorePort,
  persistent,
  longPolling,
}) {
  const app = initializeApp({ apiKey: "fake-api-key", projectId }, APP_NAME);
  const auth = getAuth(app);
  connectAuthEmulator(auth, authUrl, { disableWarnings: true });
  const db = initializeFirestore(app, {
    localCache: persistent
      ? persistentLocalCache({ tabManager: persistentSingleTabManager(undefined) })
      : memoryLocalCache(),
    experimentalForceLongPolling: Boolean(longPolling),
  });
  connectFirestoreEmulator(db, firestoreHost, firestorePort);
  // Writes started without waiting for the server: id -> { state, at, code }.
  const writes = new Map();

  const noteFields = (fields) => ({
    ...fields,
    owner: auth.currentUser?.uid ?? null,
    createdAt: serverTimestamp(),
  });

  return {
    signIn: (token) => outcome(signInWithCustomToken(auth, token).then((c) => c.user.uid)),
    // The user Auth restored from IndexedDB after a reload (null if none).
    restoredUser: () => outcome(auth.authStateReady().then(() => auth.currentUser?.uid ?? null)),
    // A note write that resolves when the server has acknowledged it.
    writeNote: (path, fields) => outcome(setDoc(doc(db, path), noteFields(fields))),
    // A note write that is not waited for (offline); see writeState.
    startNote: (path, fields) => {
      writes.set(path, { state: "pending" });
      setDoc(doc(db, path), noteFields(fields)).then(
        () => writes.set(path, { state: "acknowledged", at: now() }),
        (error) => writes.set(path, { state: "failed", code: error.code }),
      );
      return { ok: true, value: null };
    },
    writeState: (path) => ({ ok: true, value: writes.get(path) ?? null }),
    // A message for the delivery benchmark: returns the time it was sent, without waiting
    // for the server (a failure shows in writeState).
    sendMessage: (room, id) => {
      const path = `rooms/${room}/messages/${id}`;
      const sentAt = now();
      writes.set(path, { state: "pending" });
      setDoc(doc(db, path), { sentAt }).then(
        () => writes.set(path, { state: "acknowledged", at: now() }),
        (error) => writes.set(path, { state: "failed", code: error.code }),
      );
      return { ok: true, value: sentAt };
    },
    readCache: (path) => outcome(getDocFromCache(doc(db, path)).then(snapshotView)),
    readServer: (path) => outcome(getDocFromServer(doc(db, path)).then(snapshotView)),
    watch: (path, report) => {
      onSnapshot(
        doc(db, path),
        { includeMetadataChanges: true },
        (snap) => report({ path, at: now(), ...snapshotView(snap) }),
        (error) => report({ path, at: now(), error: error.code }),
      );
      return { ok: true, value: null };
    },
    // Reports each message of a room the first time it arrives from the server.
    watchRoom: (room, report) => {
      onSnapshot(
        collection(db, "rooms", room, "messages"),
        (snap) => {
          const at = now();
          for (const change of snap.docChanges()) {
            if (change.type === "added") report({ id: change.doc.id, at });
          }
        },
        (error) => report({ error: error.code, at: now() }),
      );
      return { ok: true, value: null };
    },
    terminate: () => outcome(terminate(db)),
  };
}
