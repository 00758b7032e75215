// Test doubles for the account API, Firebase Auth and Web Locks.
import { vi } from "vitest";
import { ApiError, type Api, type AuthResult, type TokenBundle, type User } from "@/lib/api";
import type { FirebaseSession } from "@/features/auth/session-store";

export const alice: User = {
  id: "u_alice",
  email: "alice@example.com",
  username: "alice",
  displayName: "Alice Liddell",
  avatarUrl: null,
  bio: "Curiouser and curiouser",
  createdAt: "2026-01-15T10:00:00Z",
};

/**
 * A server that issues numbered tokens, rotates refresh tokens, and — like the real one —
 * kills the session when a spent refresh token comes back.
 */
export function createFakeServer(options: { expiresIn?: number; refreshLatencyMs?: number } = {}) {
  const expiresIn = options.expiresIn ?? 900;
  const refreshLatencyMs = options.refreshLatencyMs ?? 0;
  let counter = 0;
  const liveRefreshTokens = new Set<string>();
  const validAccessTokens = new Set<string>();
  let sessionKilled = false;

  function issue(): TokenBundle {
    counter += 1;
    const bundle = {
      accessToken: `access-${counter}`,
      refreshToken: `refresh-${counter}`,
      firebaseToken: `firebase-${counter}`,
      expiresIn,
    };
    liveRefreshTokens.add(bundle.refreshToken);
    validAccessTokens.add(bundle.accessToken);
    return bundle;
  }

  const unauthenticated = (message = "unauthenticated") =>
    new ApiError({ code: "UNAUTHENTICATED", httpStatus: 401, message });

  const api = {
    register: vi.fn(async (): Promise<AuthResult> => ({ user: alice, ...issue() })),
    login: vi.fn(async (): Promise<AuthResult> => ({ user: alice, ...issue() })),
    refresh: vi.fn(async (refreshToken: string): Promise<TokenBundle> => {
      if (refreshLatencyMs) await new Promise((resolve) => setTimeout(resolve, refreshLatencyMs));
      if (sessionKilled || !liveRefreshTokens.has(refreshToken)) {
        sessionKilled = true;
        throw unauthenticated("refresh token reused");
      }
      liveRefreshTokens.delete(refreshToken);
      return issue();
    }),
    logout: vi.fn(async (accessToken: string) => {
      if (!validAccessTokens.has(accessToken)) throw unauthenticated();
      sessionKilled = true;
    }),
    me: vi.fn(async (accessToken: string) => {
      if (!validAccessTokens.has(accessToken)) throw unauthenticated();
      return alice;
    }),
    updateProfile: vi.fn(async (accessToken: string, changes: Partial<User>) => {
      if (!validAccessTokens.has(accessToken)) throw unauthenticated();
      return { ...alice, ...changes };
    }),
    getProfile: vi.fn(async (accessToken: string) => {
      if (!validAccessTokens.has(accessToken)) throw unauthenticated();
      return alice;
    }),
  } satisfies Api;

  return {
    api,
    /** Makes the server forget an access token, as if it had expired early. */
    revokeAccessToken: (token: string) => validAccessTokens.delete(token),
    get sessionKilled() {
      return sessionKilled;
    },
  };
}

export function createFakeFirebase(initiallySignedInAs: string | null = null) {
  let uid = initiallySignedInAs;
  const firebase = {
    isSignedInAs: vi.fn(async (id: string) => uid === id),
    signIn: vi.fn(async (token: string) => {
      uid = token ? alice.id : null;
    }),
    signOut: vi.fn(async () => {
      uid = null;
    }),
  } satisfies FirebaseSession;
  return firebase;
}

/** An exclusive-lock manager shared by several simulated tabs. */
export function createFakeLocks(): LockManager {
  let tail: Promise<unknown> = Promise.resolve();
  const request = (_name: string, ...rest: unknown[]) => {
    const callback = rest[rest.length - 1] as () => Promise<unknown>;
    const run = tail.then(() => callback());
    tail = run.catch(() => undefined);
    return run;
  };
  return { request, query: async () => ({ held: [], pending: [] }) } as unknown as LockManager;
}
