// Runtime configuration, read once from Vite env (VITE_*). See docs/web.md.

export interface EmulatorHosts {
  auth: string;
  firestore: { host: string; port: number };
  database: { host: string; port: number };
}

export interface AppConfig {
  firebase: {
    apiKey: string;
    authDomain?: string;
    projectId: string;
    databaseURL: string;
    storageBucket?: string;
    appId?: string;
    messagingSenderId?: string;
  };
  /** null when talking to a real Firebase project. */
  emulators: EmulatorHosts | null;
  functionsUrl: string;
  /** The web push (VAPID) public key of the Firebase project; null: push registration is skipped. */
  vapidKey: string | null;
  /** Where Firestore keeps what it has read and the writes not yet sent: "persistent"
   * (IndexedDB, shared by the tabs; the default) or "memory" (gone on reload, cheaper per
   * snapshot). */
  firestoreCache: "persistent" | "memory";
}

export const DEMO_PROJECT_ID = "demo-flowchat";

function hostPort(value: string | undefined, fallback: string): { host: string; port: number } {
  const text = value?.trim() || fallback;
  const separator = text.lastIndexOf(":");
  const port = Number(text.slice(separator + 1));
  if (separator <= 0 || !Number.isInteger(port) || port <= 0) {
    throw new Error(`Expected host:port, got "${text}"`);
  }
  return { host: text.slice(0, separator), port };
}

function firestoreCache(value: string | undefined): AppConfig["firestoreCache"] {
  const text = value?.trim() || "persistent";
  if (text !== "persistent" && text !== "memory") {
    throw new Error(`VITE_FIRESTORE_CACHE must be "persistent" or "memory", got "${text}"`);
  }
  return text;
}

export function readConfig(env: ImportMetaEnv & { DEV?: boolean }): AppConfig {
  const useEmulators =
    env.VITE_USE_EMULATORS === undefined || env.VITE_USE_EMULATORS === ""
      ? Boolean(env.DEV)
      : env.VITE_USE_EMULATORS === "true";
  const projectId = env.VITE_FIREBASE_PROJECT_ID || DEMO_PROJECT_ID;

  if (!useEmulators && !env.VITE_FIREBASE_API_KEY) {
    throw new Error("VITE_FIREBASE_API_KEY is required when VITE_USE_EMULATORS is not true");
  }

  return {
    firebase: {
      // The emulators accept any API key; the SDK only insists that one is present.
      apiKey: env.VITE_FIREBASE_API_KEY || "demo-api-key",
      authDomain: env.VITE_FIREBASE_AUTH_DOMAIN || undefined,
      projectId,
      databaseURL: env.VITE_FIREBASE_DATABASE_URL || `https://${projectId}-default-rtdb.firebaseio.com`,
      storageBucket: env.VITE_FIREBASE_STORAGE_BUCKET || undefined,
      appId: env.VITE_FIREBASE_APP_ID || undefined,
      messagingSenderId: env.VITE_FIREBASE_MESSAGING_SENDER_ID || undefined,
    },
    emulators: useEmulators
      ? {
          auth: `http://${env.VITE_AUTH_EMULATOR_HOST?.trim() || "127.0.0.1:9099"}`,
          firestore: hostPort(env.VITE_FIRESTORE_EMULATOR_HOST, "127.0.0.1:8080"),
          database: hostPort(env.VITE_DATABASE_EMULATOR_HOST, "127.0.0.1:9000"),
        }
      : null,
    functionsUrl: (env.VITE_FUNCTIONS_URL || `http://127.0.0.1:5001/${projectId}/us-central1`).replace(/\/+$/, ""),
    vapidKey: env.VITE_FIREBASE_VAPID_KEY?.trim() || null,
    firestoreCache: firestoreCache(env.VITE_FIRESTORE_CACHE),
  };
}

export const config: AppConfig = readConfig(import.meta.env);
