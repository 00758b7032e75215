import { initializeApp, type FirebaseApp } from "firebase/app";
import {
  browserLocalPersistence,
  connectAuthEmulator,
  indexedDBLocalPersistence,
  initializeAuth,
  type Auth,
} from "firebase/auth";
import type { Database } from "firebase/database";
import type { Firestore } from "firebase/firestore";
import { config } from "@/lib/config";

export const firebaseApp: FirebaseApp = initializeApp(config.firebase);

// initializeAuth without a popup/redirect resolver keeps the sign-in screen's bundle small;
// FlowChat only signs in with custom tokens minted by its own functions.
export const firebaseAuth: Auth = initializeAuth(firebaseApp, {
  persistence: [indexedDBLocalPersistence, browserLocalPersistence],
});
if (config.emulators) {
  connectAuthEmulator(firebaseAuth, config.emulators.auth, { disableWarnings: true });
}

// Firestore and the Realtime Database are loaded on first use so that they stay out of the
// initial bundle. Each promise is created once: connect*Emulator must run before any other use.
let firestorePromise: Promise<Firestore> | undefined;
let databasePromise: Promise<Database> | undefined;

export function getFirestoreDb(): Promise<Firestore> {
  firestorePromise ??= import("firebase/firestore").then(({ getFirestore, connectFirestoreEmulator }) => {
    const db = getFirestore(firebaseApp);
    if (config.emulators) {
      const { host, port } = config.emulators.firestore;
      connectFirestoreEmulator(db, host, port);
    }
    return db;
  });
  return firestorePromise;
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
