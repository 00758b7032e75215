import { describe, expect, it, vi } from "vitest";
import { ApiError, createApi } from "./api";

const BASE = "http://127.0.0.1:5001/demo-flowchat/us-central1";

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

function errorBody(status: string, message: string) {
  return { error: { status, message } };
}

describe("createApi", () => {
  it("posts JSON to the named function and returns the body", async () => {
    const fetchMock = vi.fn(async () => jsonResponse(201, { user: { id: "u1" }, accessToken: "a" }));
    const api = createApi(BASE, fetchMock);

    const result = await api.register({ email: "a@b.c", username: "ab", password: "pw", displayName: "AB" });

    expect(result).toMatchObject({ accessToken: "a" });
    expect(fetchMock).toHaveBeenCalledWith(
      `${BASE}/register`,
      expect.objectContaining({
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify({ email: "a@b.c", username: "ab", password: "pw", displayName: "AB" }),
      }),
    );
  });

  it("sends the access token as a Bearer header and unwraps {user}", async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, { user: { id: "u1", username: "ann" } }));
    const api = createApi(BASE, fetchMock);

    await expect(api.me("token-1")).resolves.toEqual({ id: "u1", username: "ann" });
    expect(fetchMock).toHaveBeenCalledWith(
      `${BASE}/me`,
      expect.objectContaining({
        method: "GET",
        headers: { Accept: "application/json", Authorization: "Bearer token-1" },
        body: undefined,
      }),
    );
  });

  it("treats 204 as success with no body", async () => {
    const api = createApi(BASE, async () => new Response(null, { status: 204 }));
    await expect(api.logout("token-1")).resolves.toBeUndefined();
  });

  it("maps a field error to the field and its message", async () => {
    const api = createApi(BASE, async () =>
      jsonResponse(400, errorBody("INVALID_ARGUMENT", "password: must be at least 10 characters")),
    );

    const error = await api.login({ login: "ann", password: "short" }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: "INVALID_ARGUMENT",
      httpStatus: 400,
      field: "password",
      fieldMessage: "must be at least 10 characters",
      message: "password: must be at least 10 characters",
    });
  });

  it("leaves messages without a field prefix on the form", async () => {
    const api = createApi(BASE, async () =>
      jsonResponse(401, errorBody("UNAUTHENTICATED", "Invalid login or password")),
    );
    await expect(api.login({ login: "ann", password: "x" })).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      field: null,
      fieldMessage: "Invalid login or password",
    });
  });

  it("reads Retry-After seconds on 429", async () => {
    const api = createApi(BASE, async () =>
      jsonResponse(429, errorBody("RESOURCE_EXHAUSTED", "Too many attempts"), { "Retry-After": "42" }),
    );
    await expect(api.login({ login: "ann", password: "x" })).rejects.toMatchObject({
      code: "RESOURCE_EXHAUSTED",
      httpStatus: 429,
      retryAfterSeconds: 42,
    });
  });

  it("derives the code from the HTTP status when the body is not JSON", async () => {
    const api = createApi(BASE, async () => new Response("<html>Bad gateway</html>", { status: 409 }));
    await expect(api.register({ email: "", username: "", password: "", displayName: "" })).rejects.toMatchObject({
      code: "ALREADY_EXISTS",
      httpStatus: 409,
    });

    const api502 = createApi(BASE, async () => new Response("nope", { status: 502 }));
    await expect(api502.me("t")).rejects.toMatchObject({ code: "INTERNAL", httpStatus: 502 });
  });

  it("gives up on a server that does not answer", async () => {
    const api = createApi(BASE, async (_url, init) => {
      await new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
      throw new Error("unreachable");
    });
    vi.useFakeTimers();
    try {
      const call = api.refresh("r").catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(20_000);
      expect(await call).toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/too long/) });
    } finally {
      vi.useRealTimers();
    }
  });

  it("reports an unreachable server as UNAVAILABLE", async () => {
    const api = createApi(BASE, async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(api.refresh("r")).rejects.toMatchObject({ code: "UNAVAILABLE", httpStatus: 0 });
  });
});
