// One Firebase client (Auth + Firestore) with the operations the Firestore transport
// tests need. The same module runs in Chromium (bundled by Vite: the browser SDK, REST and
// WebChannel) and in Node (the Node SDK, gRPC), so both transports face identical cases.
import { initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth, signInWithCustomToken, signOut } from "firebase/auth";
import {
  arrayUnion,
  collection,
  connectFirestoreEmulator,
  doc,
  getCountFromServer,
  getDoc,
  getDocFromServer,
  getDocs,
  increment,
  initializeFirestore,
  limit,
  onSnapshot,
  orderBy,
  query,
  runTransaction,
  serverTimestamp,
  setDoc,
  terminate,
  updateDoc,
  where,
} from "firebase/firestore";

let apps = 0;

// JSON-friendly values and {ok, value} / {ok: false, code, message} outcomes, shared with
// the Node drivers.
export function plain(value) {
  if (value === null || typeof value !== "object") return value;
  if (typeof value.toMillis === "function") return { timestampMillis: value.toMillis() };
  if (Array.isArray(value)) return value.map(plain);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

export async function outcome(promise) {
  try {
    const value = await promise;
    return { ok: true, value: value === undefined ? null : plain(value) };
  } catch (error) {
    return { ok: false, code: error.code ?? String(error), message: String(error.message ?? "") };
  }
}

export function createClient({ projectId, authUrl, firestoreHost, firestorePort, longPolling }) {
  const app = initializeApp({ apiKey: "fake-api-key", projectId }, `client-${++apps}`);
  const auth = getAuth(app);
  connectAuthEmulator(auth, authUrl, { disableWarnings: true });
  const db = initializeFirestore(app, {
    experimentalForceLongPolling: Boolean(longPolling),
  });
  connectFirestoreEmulator(db, firestoreHost, firestorePort);
  const watches = new Map();

  return {
    signIn: (token) => outcome(signInWithCustomToken(auth, token).then((c) => c.user.uid)),
    signOut: () => outcome(signOut(auth)),
    setNote: (id, fields) =>
      outcome(
        setDoc(doc(db, "notes", id), {
          ...fields,
          owner: auth.currentUser?.uid ?? null,
          createdAt: serverTimestamp(),
        }),
      ),
    setDocument: (path, fields) => outcome(setDoc(doc(db, path), fields)),
    get: (path) => outcome(getDoc(doc(db, path)).then((s) => (s.exists() ? s.data() : null))),
    getFromServer: (path) =>
      outcome(getDocFromServer(doc(db, path)).then((s) => (s.exists() ? s.data() : null))),
    bump: (id, tag) => outcome(updateDoc(doc(db, "notes", id), { n: increment(1), tags: arrayUnion(tag) })),
    query: (owner) =>
      outcome(
        getDocs(
          query(collection(db, "notes"), where("owner", "==", owner), orderBy("n", "desc"), limit(2)),
        ).then((snap) => snap.docs.map((d) => d.id)),
      ),
    count: (owner) =>
      outcome(
        getCountFromServer(query(collection(db, "notes"), where("owner", "==", owner))).then(
          (snap) => snap.data().count,
        ),
      ),
    addToCounter: (id, times) =>
      outcome(
        Promise.all(
          Array.from({ length: times }, () =>
            runTransaction(db, async (tx) => {
              const ref = doc(db, "counters", id);
              const snap = await tx.get(ref);
              const value = (snap.exists() ? snap.data().value : 0) + 1;
              tx.set(ref, { value });
              return value;
            }),
          ),
        ),
      ),
    transactionalSet: (path, fields) =>
      outcome(runTransaction(db, async (tx) => tx.set(doc(db, path), fields)).then(() => null)),
    watch: (path) => {
      const events = [];
      watches.set(path, events);
      onSnapshot(
        doc(db, path),
        (snap) => events.push({ exists: snap.exists(), data: plain(snap.data() ?? null), pending: snap.metadata.hasPendingWrites }),
        (error) => events.push({ error: error.code }),
      );
      return { ok: true, value: null };
    },
    events: (path) => ({ ok: true, value: watches.get(path) ?? [] }),
    terminate: () => outcome(terminate(db)),
  };
}
