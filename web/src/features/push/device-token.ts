// Web push registration: the FCM token of this browser, registered with the functions
// (`registerDeviceToken`) while someone is signed in and has chosen desktop notifications,
// and removed (`unregisterDeviceToken`) at log-out. firebase/messaging loads only here.
import { config } from "@/lib/config";
import { firebaseApp } from "@/lib/firebase";

const TOKEN_KEY = "flowchat.pushToken";

/** What was registered from this browser, and for whom. */
interface StoredToken {
  uid: string;
  token: string;
}

/** The parts that talk to FCM and the functions; replaced in tests. */
export interface PushBackend {
  /** This browser's FCM token for the service worker, or null where push is unsupported. */
  getToken(vapidKey: string): Promise<string | null>;
  deleteToken(): Promise<void>;
  call(name: "registerDeviceToken" | "unregisterDeviceToken", token: string): Promise<void>;
}

export type PushOutcome = "registered" | "unchanged" | "no-vapid-key" | "unsupported";

function readStored(storage: Storage): StoredToken | null {
  try {
    const value = JSON.parse(storage.getItem(TOKEN_KEY) ?? "null") as Partial<StoredToken> | null;
    return value && typeof value.uid === "string" && typeof value.token === "string" ? (value as StoredToken) : null;
  } catch {
    return null;
  }
}

let loggedSkip = false;

/** Gets this browser's token and registers it for `uid` unless it already is. */
export async function registerPush(
  uid: string,
  { backend = firebasePushBackend(), storage = localStorage, vapidKey = config.vapidKey } = {},
): Promise<PushOutcome> {
  if (!vapidKey) {
    if (!loggedSkip)
      console.info("push: no VITE_FIREBASE_VAPID_KEY (none under the emulators); web push registration skipped");
    loggedSkip = true;
    return "no-vapid-key";
  }
  const token = await backend.getToken(vapidKey);
  if (!token) return "unsupported";
  const stored = readStored(storage);
  if (stored?.uid === uid && stored.token === token) return "unchanged";
  await backend.call("registerDeviceToken", token);
  storage.setItem(TOKEN_KEY, JSON.stringify({ uid, token } satisfies StoredToken));
  return "registered";
}

/**
 * Removes this browser's registration: the functions forget the token and FCM invalidates it.
 * Called before log-out ends the session (the callable needs the sign-in). Never throws.
 */
export async function unregisterPush({
  backend = firebasePushBackend(),
  storage = localStorage,
} = {}): Promise<boolean> {
  const stored = readStored(storage);
  if (!stored) return false;
  storage.removeItem(TOKEN_KEY);
  await Promise.allSettled([backend.call("unregisterDeviceToken", stored.token), backend.deleteToken()]).then(
    (results) => {
      for (const result of results)
        if (result.status === "rejected") console.warn("push: unregistering failed", result.reason);
    },
  );
  return true;
}

/** The real backend: firebase/messaging with FlowChat's service worker, and the callables. */
export function firebasePushBackend(): PushBackend {
  const messaging = async () => {
    const module = await import("firebase/messaging");
    if (!(await module.isSupported()) || !("serviceWorker" in navigator)) return null;
    return { module, instance: module.getMessaging(firebaseApp) };
  };
  return {
    async getToken(vapidKey) {
      const loaded = await messaging();
      if (!loaded) return null;
      const serviceWorkerRegistration = await navigator.serviceWorker.ready;
      return loaded.module.getToken(loaded.instance, { vapidKey, serviceWorkerRegistration });
    },
    async deleteToken() {
      const loaded = await messaging();
      if (loaded) await loaded.module.deleteToken(loaded.instance);
    },
    async call(name, token) {
      const [{ httpsCallable }, { roomFunctions }] = await Promise.all([
        import("firebase/functions"),
        import("@/features/chat/firestore/room-functions"),
      ]);
      await httpsCallable(roomFunctions(), name, { timeout: 10_000 })({ token });
    },
  };
}
