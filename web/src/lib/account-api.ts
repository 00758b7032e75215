// Account lifecycle calls: password reset, email confirmation (docs/accounts.md).
import { createCaller, type User } from "./api";
import { config } from "./config";

export interface SessionInfo {
  id: string;
  /** "Chrome on Windows", from the user agent. */
  device: string;
  userAgent: string;
  createdAt: string;
  lastUsedAt: string;
  /** The session this browser uses. */
  current: boolean;
}

export interface AccountApi {
  requestPasswordReset(email: string): Promise<void>;
  resetPassword(token: string, password: string): Promise<void>;
  verifyEmail(token: string): Promise<User>;
  requestEmailVerification(accessToken: string): Promise<void>;
  /** Returns a Firebase custom token: the change ends this device's Firebase sign-in too. */
  changePassword(accessToken: string, currentPassword: string, newPassword: string): Promise<string>;
  requestEmailChange(accessToken: string, newEmail: string, password: string): Promise<void>;
  listSessions(accessToken: string): Promise<SessionInfo[]>;
  revokeSession(accessToken: string, sessionId: string): Promise<void>;
  /** Returns a Firebase custom token, as changePassword does. */
  revokeOtherSessions(accessToken: string): Promise<string>;
  deleteAccount(accessToken: string, password: string): Promise<void>;
  /** Prepared in the background; a download link arrives by mail. */
  requestDataExport(accessToken: string): Promise<void>;
}

export function createAccountApi(baseUrl: string, fetchImpl?: typeof fetch): AccountApi {
  const call = createCaller(baseUrl, fetchImpl);
  return {
    requestPasswordReset: async (email) => {
      await call("requestPasswordReset", { body: { email } });
    },
    resetPassword: async (token, password) => {
      await call("resetPassword", { body: { token, password } });
    },
    verifyEmail: async (token) => (await call<{ user: User }>("verifyEmail", { body: { token } })).user,
    requestEmailVerification: async (accessToken) => {
      await call("requestEmailVerification", { accessToken });
    },
    changePassword: async (accessToken, currentPassword, newPassword) =>
      (await call<{ firebaseToken: string }>("changePassword", { accessToken, body: { currentPassword, newPassword } }))
        .firebaseToken,
    requestEmailChange: async (accessToken, newEmail, password) => {
      await call("requestEmailChange", { accessToken, body: { newEmail, password } });
    },
    listSessions: async (accessToken) =>
      (await call<{ sessions: SessionInfo[] }>("listSessions", { method: "GET", accessToken })).sessions,
    revokeSession: async (accessToken, sessionId) => {
      await call("revokeSession", { accessToken, body: { sessionId } });
    },
    revokeOtherSessions: async (accessToken) =>
      (await call<{ firebaseToken: string }>("revokeOtherSessions", { accessToken })).firebaseToken,
    deleteAccount: async (accessToken, password) => {
      await call("deleteAccount", { accessToken, body: { password } });
    },
    requestDataExport: async (accessToken) => {
      await call("requestDataExport", { accessToken });
    },
  };
}

let shared: AccountApi | null = null;

/** The account API for the configured functions. */
export function accountApi(): AccountApi {
  shared ??= createAccountApi(config.functionsUrl);
  return shared;
}
