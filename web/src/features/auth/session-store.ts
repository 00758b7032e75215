// The signed-in session: tokens in localStorage, silent refresh, Firebase sign-in, logout.
//
// Access tokens are short-lived. Each tab schedules a refresh shortly before expiry and
// refreshes on a 401. Refresh tokens rotate on every use and the server kills the whole
// session when a spent one is replayed, so refreshes are serialised across tabs with a
// Web Lock: inside the lock a tab re-reads storage and adopts a token another tab has
// just obtained instead of spending the (now spent) refresh token it remembers.

import { ApiError, type Api, type AuthResult, type LoginInput, type RegisterInput, type User } from "@/lib/api";

export const SESSION_STORAGE_KEY = "flowchat.session";
const REFRESH_LOCK_NAME = "flowchat.session.refresh";
/** Refresh this long before expiry (capped at a quarter of the token's lifetime). */
const REFRESH_MARGIN_MS = 60_000;
const RETRY_DELAYS_MS = [2_000, 5_000, 15_000, 30_000, 60_000];

export interface StoredSession {
  user: User;
  refreshToken: string;
  accessToken: string;
  accessTokenExpiresAt: number;
  /** When this access token should be replaced; before this it counts as fresh. */
  refreshAt: number;
}

export type SessionStatus = "restoring" | "signed-in" | "signed-out";
export type FirebaseStatus = "pending" | "signed-in" | "unavailable";

export interface SessionState {
  status: SessionStatus;
  user: User | null;
  /** Firebase Auth (what Firestore and RTDB see): signing in, signed in as this user, or failed. */
  firebase: FirebaseStatus;
  /** Why the last session ended without the user logging out, to show on the login screen. */
  endedReason: string | null;
}

/** The Firebase Auth side of a session; the real one wraps firebase/auth. */
export interface FirebaseSession {
  isSignedInAs(uid: string): Promise<boolean>;
  signIn(firebaseToken: string): Promise<void>;
  signOut(): Promise<void>;
}

export interface SessionStoreOptions {
  api: Api;
  storage: Storage;
  firebase: FirebaseSession;
  /** navigator.locks; without it refreshes are only serialised within this tab. */
  locks?: LockManager | null;
  /** Subscribes to `storage` events from other tabs; returns an unsubscribe function. */
  listenToOtherTabs?: (listener: (event: StorageEvent) => void) => () => void;
  /** Runs at log-out while still signed in (e.g. forgetting this device's push token); errors are ignored. */
  beforeLogout?: () => Promise<unknown>;
  now?: () => number;
}

export const SESSION_EXPIRED_MESSAGE = "Your session has ended. Please log in again.";

const SESSION_FATAL_CODES = new Set(["UNAUTHENTICATED", "INVALID_ARGUMENT", "PERMISSION_DENIED", "NOT_FOUND"]);

export class SessionStore {
  private state: SessionState = { status: "restoring", user: null, firebase: "pending", endedReason: null };
  private readonly listeners = new Set<() => void>();
  private session: StoredSession | null = null;
  private refreshInFlight: Promise<string> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private failedRefreshes = 0;
  private stopListening: (() => void) | undefined;
  private readonly now: () => number;
  readonly api: Api;

  constructor(private readonly options: SessionStoreOptions) {
    this.now = options.now ?? Date.now;
    this.api = options.api;
  }

  // --- React binding (useSyncExternalStore) ---

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): SessionState => this.state;

  private setState(changes: Partial<SessionState>) {
    this.state = { ...this.state, ...changes };
    for (const listener of this.listeners) listener();
  }

  // --- lifecycle ---

  /** Restores a saved session (if any) and starts following other tabs. */
  async start(): Promise<void> {
    this.stopListening = this.options.listenToOtherTabs?.((event) => this.onOtherTabChange(event));
    const saved = this.readStorage();
    if (!saved) {
      this.setState({ status: "signed-out", user: null });
      return;
    }
    this.adopt(saved);
    // Firebase keeps its own sign-in across reloads; only mint a new one if it was lost.
    const firebaseSignedIn = await this.options.firebase.isSignedInAs(saved.user.id).catch(() => false);
    if (firebaseSignedIn) this.setState({ firebase: "signed-in" });
    if (!firebaseSignedIn || this.now() >= saved.refreshAt) {
      await this.refresh({ forceNewTokens: !firebaseSignedIn }).catch(() => {
        // refresh() already ended the session or scheduled a retry; until the retry
        // succeeds there is no Firebase sign-in, so live data is off.
        if (this.session && this.state.firebase === "pending") this.setState({ firebase: "unavailable" });
      });
    }
    // The cached profile may be stale (edited on another device); refresh it quietly.
    if (this.session) {
      this.authorized((token) => this.api.me(token))
        .then((user) => {
          if (user.id === this.session?.user.id) this.setUser(user);
        })
        .catch(() => {
          // Offline or signed out meanwhile: the cached profile stays.
        });
    }
  }

  stop(): void {
    clearTimeout(this.refreshTimer);
    this.stopListening?.();
  }

  async login(input: LoginInput): Promise<User> {
    return this.establish(await this.options.api.login(input));
  }

  async register(input: RegisterInput): Promise<User> {
    return this.establish(await this.options.api.register(input));
  }

  async logout(): Promise<void> {
    if (this.session && this.options.beforeLogout) {
      await this.options.beforeLogout().catch((error: unknown) => console.warn("before log-out", error));
    }
    if (this.session) {
      // Revoke on the server first, refreshing an expired access token if need be, so the
      // refresh token stops working too. Offline, the local session ends anyway.
      await this.authorized((token) => this.api.logout(token)).catch(() => {});
    }
    this.endSession(null);
  }

  /** Replaces the cached profile after the user edits it. */
  setUser(user: User): void {
    if (!this.session) return;
    this.session = { ...this.session, user };
    // Update whatever session storage holds now (another tab may have rotated the tokens);
    // never bring back a session another tab has just ended.
    const stored = this.readStorage();
    if (stored) this.writeStorage({ ...stored, user });
    this.setState({ user });
  }

  // --- tokens ---

  /** A valid access token, refreshed first if it is about to expire. */
  async getAccessToken(): Promise<string> {
    if (!this.session) throw notSignedIn();
    if (this.now() < this.session.refreshAt) return this.session.accessToken;
    return this.refresh();
  }

  /** Runs an authorised call; on a 401 refreshes once and retries once. */
  async authorized<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.getAccessToken();
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "UNAUTHENTICATED") throw error;
      return call(await this.refresh({ rejectedToken: token }));
    }
  }

  /** One refresh at a time per tab; concurrent callers share it. */
  refresh(options: { rejectedToken?: string; forceNewTokens?: boolean } = {}): Promise<string> {
    this.refreshInFlight ??= this.withRefreshLock(() => this.refreshUnderLock(options)).finally(() => {
      this.refreshInFlight = null;
    });
    return this.refreshInFlight;
  }

  private withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
    const locks = this.options.locks;
    return locks ? locks.request(REFRESH_LOCK_NAME, work) : work();
  }

  private async refreshUnderLock(options: { rejectedToken?: string; forceNewTokens?: boolean }): Promise<string> {
    clearTimeout(this.refreshTimer);
    const stored = this.readStorage();
    if (!stored) {
      // Another tab logged out (or its refresh was refused) while we waited for the lock.
      this.endSession(this.session ? SESSION_EXPIRED_MESSAGE : null);
      throw notSignedIn();
    }
    // Without a Firebase sign-in we need the firebaseToken that only a real refresh returns.
    const needFirebaseToken = options.forceNewTokens || this.state.firebase !== "signed-in";
    const freshFromAnotherTab =
      stored.accessToken !== options.rejectedToken && this.now() < stored.refreshAt && !needFirebaseToken;
    if (freshFromAnotherTab) {
      this.adopt(stored);
      return stored.accessToken;
    }

    let tokens;
    try {
      tokens = await this.options.api.refresh(stored.refreshToken);
    } catch (error) {
      if (error instanceof ApiError && SESSION_FATAL_CODES.has(error.code)) {
        this.endSession(SESSION_EXPIRED_MESSAGE);
      } else {
        this.scheduleRetry();
      }
      throw error;
    }
    const next = this.toStoredSession(stored.user, tokens.accessToken, tokens.refreshToken, tokens.expiresIn);
    this.writeStorage(next);
    this.adopt(next);
    await this.signIntoFirebase(tokens.firebaseToken);
    return next.accessToken;
  }

  // --- internals ---

  private async establish(result: AuthResult): Promise<User> {
    const session = this.toStoredSession(result.user, result.accessToken, result.refreshToken, result.expiresIn);
    this.writeStorage(session);
    this.adopt(session);
    this.setState({ endedReason: null });
    await this.signIntoFirebase(result.firebaseToken);
    return result.user;
  }

  /** After a change that revoked every Firebase sign-in (new password, other sessions
   * ended), sign this device in again with the custom token the server returned. */
  async renewFirebaseSignIn(firebaseToken: string): Promise<void> {
    if (this.session) await this.signIntoFirebase(firebaseToken);
  }

  private async signIntoFirebase(firebaseToken: string) {
    try {
      await this.options.firebase.signIn(firebaseToken);
      this.failedRefreshes = 0;
      this.setState({ firebase: "signed-in" });
    } catch (error) {
      // The FlowChat session is still valid; live data stays off until a later refresh
      // brings a new Firebase token and the sign-in succeeds.
      console.warn("Firebase sign-in failed", error);
      this.setState({ firebase: "unavailable" });
      this.scheduleRetry();
    }
  }

  private toStoredSession(user: User, accessToken: string, refreshToken: string, expiresIn: number): StoredSession {
    const now = this.now();
    const lifetimeMs = Math.max(0, expiresIn * 1000);
    return {
      user,
      accessToken,
      refreshToken,
      accessTokenExpiresAt: now + lifetimeMs,
      refreshAt: now + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 4),
    };
  }

  private adopt(session: StoredSession) {
    this.session = session;
    this.setState({ status: "signed-in", user: session.user });
    this.scheduleRefresh(session.refreshAt - this.now());
  }

  private scheduleRefresh(delayMs: number) {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(
      () => {
        this.refresh().catch(() => {
          // Failures already ended the session or scheduled a retry.
        });
      },
      Math.max(0, delayMs),
    );
  }

  private scheduleRetry() {
    const delay = RETRY_DELAYS_MS[Math.min(this.failedRefreshes, RETRY_DELAYS_MS.length - 1)] ?? 60_000;
    this.failedRefreshes += 1;
    this.scheduleRefresh(delay);
  }

  private endSession(reason: string | null) {
    clearTimeout(this.refreshTimer);
    const hadFirebase = this.state.firebase === "signed-in" || this.session !== null;
    this.session = null;
    this.options.storage.removeItem(SESSION_STORAGE_KEY);
    this.setState({ status: "signed-out", user: null, firebase: "pending", endedReason: reason });
    if (hadFirebase) {
      this.options.firebase.signOut().catch((error: unknown) => console.warn("Firebase sign-out failed", error));
    }
  }

  private onOtherTabChange(event: StorageEvent) {
    if (event.key !== SESSION_STORAGE_KEY && event.key !== null) return;
    const stored = this.readStorage();
    if (stored) {
      this.adopt(stored);
      // Firebase Auth shares its sign-in across tabs; pick up what the other tab did.
      void this.options.firebase
        .isSignedInAs(stored.user.id)
        .catch(() => false)
        .then((signedIn) => this.setState({ firebase: signedIn ? "signed-in" : "pending" }));
    } else if (this.session) {
      // Logged out in another tab. That tab already told the server and Firebase.
      clearTimeout(this.refreshTimer);
      this.session = null;
      this.setState({ status: "signed-out", user: null, firebase: "pending", endedReason: null });
    }
  }

  private readStorage(): StoredSession | null {
    const text = this.options.storage.getItem(SESSION_STORAGE_KEY);
    if (!text) return null;
    try {
      const value = JSON.parse(text) as Partial<StoredSession>;
      if (
        typeof value.refreshToken === "string" &&
        typeof value.accessToken === "string" &&
        typeof value.accessTokenExpiresAt === "number" &&
        typeof value.refreshAt === "number" &&
        value.user &&
        typeof value.user.id === "string"
      ) {
        return value as StoredSession;
      }
    } catch {
      // Corrupt entry: treat as signed out.
    }
    return null;
  }

  private writeStorage(session: StoredSession) {
    this.options.storage.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
  }
}

function notSignedIn(): ApiError {
  return new ApiError({ code: "UNAUTHENTICATED", httpStatus: 401, message: "You are not logged in." });
}
