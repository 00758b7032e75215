// The Firebase JS SDK (Node build) against our Auth emulator; driven by
// tests/emulators/auth/test_auth_js_sdk.py. Prints one JSON object per line.
//
//   node auth_sdk.mjs profile   — sign in, refresh, update the profile, sign out
//   node auth_sdk.mjs refresh   — sign in, then wait for a line on stdin and force a
//                                 token refresh (the test revokes/disables/deletes between)
//
// Environment: AUTH_EMULATOR_URL, PROJECT_ID, CUSTOM_TOKEN.
import { initializeApp } from "firebase/app";
import {
  connectAuthEmulator,
  getAdditionalUserInfo,
  getAuth,
  getIdToken,
  getIdTokenResult,
  reload,
  signInWithCustomToken,
  signOut,
  updateProfile,
} from "firebase/auth";
import { createInterface } from "node:readline";

const { AUTH_EMULATOR_URL, PROJECT_ID, CUSTOM_TOKEN } = process.env;
const scenario = process.argv[2];

const app = initializeApp({ apiKey: "fake-api-key", projectId: PROJECT_ID });
const auth = getAuth(app);
connectAuthEmulator(auth, AUTH_EMULATOR_URL, { disableWarnings: true });

const print = (value) => process.stdout.write(JSON.stringify(value) + "\n");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function profile() {
  const credential = await signInWithCustomToken(auth, CUSTOM_TOKEN);
  const user = credential.user;
  const first = await getIdTokenResult(user);
  await sleep(1100); // so the refreshed token has a later iat
  const refreshedToken = await getIdToken(user, true);
  const refreshed = await getIdTokenResult(user);
  await updateProfile(user, { displayName: "Ada Lovelace", photoURL: "https://example.com/ada.png" });
  await reload(user);
  const afterUpdate = await getIdTokenResult(user, true);
  const currentBeforeSignOut = auth.currentUser?.uid ?? null;
  await signOut(auth);
  print({
    uid: user.uid,
    isNewUser: getAdditionalUserInfo(credential)?.isNewUser,
    providerId: credential.providerId,
    signInProvider: first.signInProvider,
    firstClaims: first.claims,
    firstToken: first.token,
    refreshedToken,
    refreshedIssuedAt: refreshed.issuedAtTime,
    firstIssuedAt: first.issuedAtTime,
    displayName: user.displayName,
    photoURL: user.photoURL,
    nameClaim: afterUpdate.claims.name ?? null,
    currentBeforeSignOut,
    currentAfterSignOut: auth.currentUser?.uid ?? null,
  });
}

async function refreshAfterSignal() {
  const { user } = await signInWithCustomToken(auth, CUSTOM_TOKEN);
  print({ signedIn: user.uid });
  const lines = createInterface({ input: process.stdin });
  for await (const _line of lines) break;
  try {
    await getIdToken(user, true);
    print({ refreshed: true, currentUser: auth.currentUser?.uid ?? null });
  } catch (error) {
    print({ error: error.code, currentUser: auth.currentUser?.uid ?? null });
  }
}

try {
  if (scenario === "profile") await profile();
  else if (scenario === "refresh") await refreshAfterSignal();
  else throw new Error(`unknown scenario ${scenario}`);
  process.exit(0);
} catch (error) {
  print({ failure: String(error), code: error.code ?? null });
  process.exit(1);
}
