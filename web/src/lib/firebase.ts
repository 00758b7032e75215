import { initializeApp, type FirebaseApp } from "firebase/app";
import type { Auth } from "firebase/auth";
import type { Database } from "firebase/database";
import type { Firestore } from "firebase/firestore";
import { config } from "@/lib/config";

export const firebaseApp: FirebaseApp = initializeApp(config.firebase);

let authPromise: Promise<Auth> | undefined;

/**
 * Firebase Auth, loaded on first use (its code stays out of the first page load, which can
 * paint a room before it: features/chat/paint-first.ts). It must be loaded before Firestore,
 * the Realtime Database, Functions or Messaging start, which only happens once it has signed in.
 * initializeAuth without a popup/redirect resolver keeps it small; FlowChat only signs in with
 * custom tokens minted by its own functions.
 */
export function getFirebaseAuth(): Promise<Auth> {
  authPromise ??= import("firebase/auth").then(
    ({ browserLocalPersistence, connectAuthEmulator, indexedDBLocalPersistence, initializeAuth }) => {
      const auth = initializeAuth(firebaseApp, { persistence: [indexedDBLocalPersistence, browserLocalPersistence] });
      if (config.emulators) connectAuthEmulator(auth, config.emulators.auth, { disableWarnings: true });
      return auth;
    },
  );
  return authPromise;
}

// Firestore and the Realtime Database are loaded on first use so that they stay out of the
// initial bundle. Each promise is created once: connect*Emulator must run before any other use.
let firestorePromise: Promise<Firestore> | undefined;
let databasePromise: Promise<Database> | undefined;
// A cache deletion in progress: a new instance opened meanwhile would block it (and be shut by it).
let clearing: Promise<void> = Promise.resolve();

export function getFirestoreDb(): Promise<Firestore> {
  firestorePromise ??= Promise.all([import("firebase/firestore"), clearing]).then(
    ([
      {
        initializeFirestore,
        connectFirestoreEmulator,
        memoryLocalCache,
        persistentLocalCache,
        persistentMultipleTabManager,
      },
    ]) => {
      // The IndexedDB cache, shared by this origin's tabs: a room paints from it at once and
      // writes made offline survive a reload. Where IndexedDB is unavailable the SDK warns and
      // keeps its cache in memory. VITE_FIRESTORE_CACHE=memory gives that up for throughput:
      // every snapshot the server sends is written to IndexedDB first, in transactions the SDK
      // runs one after another, and in a room receiving many messages a second those are most
      // of the main thread's work (docs/web.md, "Busy room benchmark").
      const db = initializeFirestore(firebaseApp, {
        localCache:
          config.firestoreCache === "memory"
            ? memoryLocalCache()
            : persistentLocalCache({ tabManager: persistentMultipleTabManager() }),
      });
      if (config.emulators) {
        const { host, port } = config.emulators.firestore;
        connectFirestoreEmulator(db, host, port);
      }
      return db;
    },
  );
  return firestorePromise;
}

/**
 * Stops Firestore in this tab and deletes its IndexedDB cache (messages, rooms, queued writes):
 * what one person read must not stay on the device for the next. Other tabs with the cache
 * open terminate themselves when it is deleted. The next getFirestoreDb() opens a new instance.
 */
export function clearFirestoreCache(): Promise<void> {
  const opened = firestorePromise;
  firestorePromise = undefined;
  const previous = clearing;
  clearing = (async () => {
    await previous;
    const { initializeFirestore, terminate, clearIndexedDbPersistence } = await import("firebase/firestore");
    // Without an instance in this tab (the cache may be left from an earlier page), one is
    // made only to name the database to delete; it never starts.
    const db = (opened ? await opened.catch(() => null) : null) ?? initializeFirestore(firebaseApp, {});
    await terminate(db);
    await clearIndexedDbPersistence(db);
  })().catch((error: unknown) => console.warn("firestore: could not clear the local cache", error));
  return clearing;
}

export function getRealtimeDb(): Promise<Database> {
  databasePromise ??= import("firebase/database").then(({ getDatabase, connectDatabaseEmulator }) => {
    const db = getDatabase(firebaseApp);
    if (config.emulators) {
      const { host, port } = config.emulators.database;
      connectDatabaseEmulator(db, host, port);
    }
    return db;
  });
  return databasePromise;
}
