// Typed calls to FlowChat's HTTP functions. Every failure surfaces as one ApiError.

export interface User {
  id: string;
  /** Only present on your own account. */
  email?: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  bio: string;
  createdAt: string;
  /** Only present on your own account: whether you confirmed your email address. */
  emailVerified?: boolean;
}

export interface TokenBundle {
  accessToken: string;
  refreshToken: string;
  firebaseToken: string;
  /** Lifetime of the access token, in seconds. */
  expiresIn: number;
}

export interface AuthResult extends TokenBundle {
  user: User;
}

export interface RegisterInput {
  email: string;
  username: string;
  password: string;
  displayName: string;
}

export interface LoginInput {
  /** Email address or username. */
  login: string;
  password: string;
}

export interface ProfileChanges {
  displayName?: string;
  bio?: string;
  avatarUrl?: string | null;
}

export type ProfileLookup = { uid: string } | { username: string };

export type ApiErrorCode =
  | "INVALID_ARGUMENT"
  | "UNAUTHENTICATED"
  | "ALREADY_EXISTS"
  | "RESOURCE_EXHAUSTED"
  | "PERMISSION_DENIED"
  | "NOT_FOUND"
  | "INTERNAL"
  /** The server could not be reached at all. */
  | "UNAVAILABLE";

const KNOWN_CODES = new Set<string>([
  "INVALID_ARGUMENT",
  "UNAUTHENTICATED",
  "ALREADY_EXISTS",
  "RESOURCE_EXHAUSTED",
  "PERMISSION_DENIED",
  "NOT_FOUND",
  "INTERNAL",
  "UNAVAILABLE",
]);

const CODE_BY_HTTP_STATUS: Record<number, ApiErrorCode> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  429: "RESOURCE_EXHAUSTED",
};

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  /** HTTP status; 0 when the request never got an answer. */
  readonly httpStatus: number;
  /** The request field the server blamed ("password: too short" → "password"). */
  readonly field: string | null;
  /** The message without its field prefix, ready to show beside that field. */
  readonly fieldMessage: string;
  /** Seconds to wait before trying again, from Retry-After on 429. */
  readonly retryAfterSeconds: number | null;

  constructor(options: { code: ApiErrorCode; httpStatus: number; message: string; retryAfterSeconds?: number | null }) {
    super(options.message);
    this.name = "ApiError";
    this.code = options.code;
    this.httpStatus = options.httpStatus;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    const match = /^([A-Za-z][\w.]*):\s*([\s\S]+)$/.exec(options.message);
    this.field = match?.[1] ?? null;
    this.fieldMessage = match?.[2] ?? options.message;
  }
}

function parseRetryAfter(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

export async function errorFromResponse(response: Response): Promise<ApiError> {
  let code: ApiErrorCode = CODE_BY_HTTP_STATUS[response.status] ?? "INTERNAL";
  let message = `Request failed (HTTP ${response.status})`;
  try {
    const body: unknown = await response.json();
    const error = (body as { error?: { status?: unknown; message?: unknown } } | null)?.error;
    if (typeof error?.status === "string" && KNOWN_CODES.has(error.status)) {
      code = error.status as ApiErrorCode;
    }
    if (typeof error?.message === "string" && error.message) message = error.message;
  } catch {
    // Not JSON (a proxy error page, say): keep the status-derived code and message.
  }
  return new ApiError({
    code,
    httpStatus: response.status,
    message,
    retryAfterSeconds: parseRetryAfter(response.headers.get("Retry-After")),
  });
}

export interface Api {
  register(input: RegisterInput): Promise<AuthResult>;
  login(input: LoginInput): Promise<AuthResult>;
  refresh(refreshToken: string): Promise<TokenBundle>;
  logout(accessToken: string): Promise<void>;
  me(accessToken: string): Promise<User>;
  updateProfile(accessToken: string, changes: ProfileChanges): Promise<User>;
  getProfile(accessToken: string, lookup: ProfileLookup): Promise<User>;
}

/** A request that gets no answer in this time fails, so a refresh never holds the lock forever. */
export const REQUEST_TIMEOUT_MS = 20_000;

type Caller = <T>(
  name: string,
  options?: { method?: "GET" | "POST"; body?: unknown; accessToken?: string },
) => Promise<T>;

/** One JSON call to an HTTP function; every failure becomes an ApiError. */
export function createCaller(baseUrl: string, fetchImpl: typeof fetch = (...args) => fetch(...args)): Caller {
  async function call<T>(
    name: string,
    options: { method?: "GET" | "POST"; body?: unknown; accessToken?: string } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`;

    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), REQUEST_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}/${name}`, {
        method: options.method ?? "POST",
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: timeout.signal,
      });
    } catch {
      throw new ApiError({
        code: "UNAVAILABLE",
        httpStatus: 0,
        message: timeout.signal.aborted
          ? "FlowChat is taking too long to answer. Please try again."
          : "Can't reach FlowChat. Check your connection and try again.",
      });
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw await errorFromResponse(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  return call;
}

export function createApi(baseUrl: string, fetchImpl: typeof fetch = (...args) => fetch(...args)): Api {
  const call = createCaller(baseUrl, fetchImpl);
  return {
    register: (input) => call<AuthResult>("register", { body: input }),
    login: (input) => call<AuthResult>("login", { body: input }),
    refresh: (refreshToken) => call<TokenBundle>("refresh", { body: { refreshToken } }),
    logout: (accessToken) => call<void>("logout", { accessToken }),
    me: async (accessToken) => (await call<{ user: User }>("me", { method: "GET", accessToken })).user,
    updateProfile: async (accessToken, changes) =>
      (await call<{ user: User }>("updateProfile", { body: changes, accessToken })).user,
    getProfile: async (accessToken, lookup) =>
      (await call<{ user: User }>("getProfile", { body: lookup, accessToken })).user,
  };
}
