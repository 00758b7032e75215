// The app's session store, wired to the real API, localStorage, Web Locks and Firebase Auth.
import { signInWithCustomToken, signOut } from "firebase/auth";
import { createApi } from "@/lib/api";
import { config } from "@/lib/config";
import { firebaseAuth } from "@/lib/firebase";
import { SessionStore, type FirebaseSession } from "./session-store";

const firebaseSession: FirebaseSession = {
  async isSignedInAs(uid) {
    await firebaseAuth.authStateReady();
    return firebaseAuth.currentUser?.uid === uid;
  },
  async signIn(firebaseToken) {
    await signInWithCustomToken(firebaseAuth, firebaseToken);
  },
  async signOut() {
    await signOut(firebaseAuth);
  },
};

export function createAppSession(): SessionStore {
  return new SessionStore({
    api: createApi(config.functionsUrl),
    storage: window.localStorage,
    firebase: firebaseSession,
    locks: "locks" in navigator ? navigator.locks : null,
    listenToOtherTabs: (listener) => {
      window.addEventListener("storage", listener);
      return () => window.removeEventListener("storage", listener);
    },
  });
}
