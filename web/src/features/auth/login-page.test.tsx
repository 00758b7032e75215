import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { Route } from "react-router";
import { ApiError } from "@/lib/api";
import { LocationProbe, renderWithSession } from "@/test/render";
import { LoginPage } from "./login-page";
import { SignedOutOnly } from "./require-session";

const routes = (
  <>
    <Route
      path="/login"
      element={
        <SignedOutOnly>
          <LoginPage />
        </SignedOutOnly>
      }
    />
    <Route path="/" element={<LocationProbe />} />
  </>
);

async function fillAndSubmit(login: string, password: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Email or username"), login);
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Log in" }));
}

describe("LoginPage", () => {
  afterEach(() => {
    localStorage.clear();
  });

  it("logs in and goes to the app", async () => {
    const { server } = await renderWithSession(routes, { path: "/login" });

    await fillAndSubmit("alice", "correct horse battery");

    expect(server.api.login).toHaveBeenCalledWith({ login: "alice", password: "correct horse battery" });
    expect(await screen.findByTestId("location")).toHaveTextContent("/");
  });

  it("shows a wrong password as a form error", async () => {
    const { server } = await renderWithSession(routes, { path: "/login" });
    server.api.login.mockRejectedValueOnce(
      new ApiError({ code: "UNAUTHENTICATED", httpStatus: 401, message: "Invalid login or password" }),
    );

    await fillAndSubmit("alice", "wrong");

    expect(await screen.findByRole("alert")).toHaveTextContent("Invalid login or password");
    expect(screen.queryByTestId("location")).not.toBeInTheDocument();
  });

  it("shows a field error beside the field the server named and focuses it", async () => {
    const { server } = await renderWithSession(routes, { path: "/login" });
    server.api.login.mockRejectedValueOnce(
      new ApiError({ code: "INVALID_ARGUMENT", httpStatus: 400, message: "password: must not be empty" }),
    );

    await fillAndSubmit("alice", " ");

    const password = screen.getByLabelText("Password");
    await waitFor(() => expect(password).toHaveAttribute("aria-invalid", "true"));
    expect(password).toHaveAccessibleDescription("Must not be empty");
    expect(password).toHaveFocus();
  });

  it("shows throttling with the wait time and blocks resubmitting", async () => {
    const { server } = await renderWithSession(routes, { path: "/login" });
    server.api.login.mockRejectedValueOnce(
      new ApiError({
        code: "RESOURCE_EXHAUSTED",
        httpStatus: 429,
        message: "Too many attempts",
        retryAfterSeconds: 42,
      }),
    );

    await fillAndSubmit("alice", "guess");

    expect(await screen.findByRole("alert")).toHaveTextContent("Too many attempts. Try again in 42 s.");
    expect(screen.getByRole("button", { name: "Log in" })).toBeDisabled();
  });

  it("shows the server's throttling message when Retry-After cannot be read", async () => {
    const { server } = await renderWithSession(routes, { path: "/login" });
    server.api.login.mockRejectedValueOnce(
      new ApiError({
        code: "RESOURCE_EXHAUSTED",
        httpStatus: 429,
        message: "too many failed logins; try again in 895 seconds",
      }),
    );

    await fillAndSubmit("alice", "guess");

    expect(await screen.findByRole("alert")).toHaveTextContent("Too many failed logins; try again in 895 seconds");
  });

  it("explains why a session ended", async () => {
    const { server, store } = await renderWithSession(routes, { path: "/login" });
    await store.login({ login: "alice", password: "pw" });
    await server.api.refresh("refresh-1"); // spent elsewhere: the server kills the session
    await store.refresh({ rejectedToken: "access-1" }).catch(() => {});

    expect(await screen.findByRole("alert")).toHaveTextContent("Your session has ended. Please log in again.");
  });
});
