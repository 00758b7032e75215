// The app's session store, wired to the real API, localStorage, Web Locks and Firebase Auth.
import { createApi } from "@/lib/api";
import { config } from "@/lib/config";
import { clearFirestoreCache, getFirebaseAuth } from "@/lib/firebase";
import { markLoad } from "@/lib/load-marks";
import { clearLastKnownState } from "@/features/chat/last-known-state";
import { afterLastKnownPaint } from "@/features/chat/paint-first";
import { SessionStore, type FirebaseSession } from "./session-store";

/** Firebase Auth's restore starts once a room this page can paint from the last known state
 * has painted (paint-first.ts); the first check waits for that, later ones do not. */
function firebaseSession(): FirebaseSession {
  let restore: Promise<void> | undefined;
  return {
    async isSignedInAs(uid) {
      await (restore ??= afterLastKnownPaint(uid));
      const auth = await getFirebaseAuth();
      await auth.authStateReady();
      markLoad("auth-ready", { signedIn: auth.currentUser !== null });
      return auth.currentUser?.uid === uid;
    },
    async signIn(firebaseToken) {
      const [auth, { signInWithCustomToken }] = await Promise.all([getFirebaseAuth(), import("firebase/auth")]);
      await signInWithCustomToken(auth, firebaseToken);
    },
    async signOut() {
      const [auth, { signOut }] = await Promise.all([getFirebaseAuth(), import("firebase/auth")]);
      await signOut(auth);
    },
  };
}

export function createAppSession(): SessionStore {
  const store = new SessionStore({
    api: createApi(config.functionsUrl),
    storage: window.localStorage,
    firebase: firebaseSession(),
    locks: "locks" in navigator ? navigator.locks : null,
    listenToOtherTabs: (listener) => {
      window.addEventListener("storage", listener);
      return () => window.removeEventListener("storage", listener);
    },
    // This browser stops getting pushes for the person (the callable needs the sign-in).
    beforeLogout: () => import("@/features/push/device-token").then(({ unregisterPush }) => unregisterPush()),
  });
  // When a session ends (log-out here or in another tab, or refused by the server), this
  // device's Firestore cache and the last known state (features/chat/last-known-state.ts) go
  // with it: the next person must not read the last one's rooms. The last known state of
  // anyone but the person signed in here is deleted whenever it is seen, start-up included.
  let signedIn = false;
  let keptFor: string | null | undefined;
  store.subscribe(() => {
    const { status, user } = store.getState();
    if (status === "signed-in") signedIn = true;
    if (status === "signed-out" && signedIn) {
      signedIn = false;
      void clearFirestoreCache();
    }
    const keep = status === "signed-in" ? (user?.id ?? null) : null;
    if (status !== "restoring" && keep !== keptFor) {
      keptFor = keep;
      clearLastKnownState(window.localStorage, keep ?? undefined);
    }
  });
  return store;
}
