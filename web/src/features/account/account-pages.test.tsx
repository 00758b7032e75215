import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Route } from "react-router";
import type { AccountApi, SessionInfo } from "@/lib/account-api";
import { ApiError } from "@/lib/api";
import { alice } from "@/test/fake-api";
import { renderWithSession } from "@/test/render";
import { AccountSettingsPage } from "./account-settings-page";
import type { NotificationSettingsApi } from "./notification-settings";
import { ForgotPasswordPage } from "./forgot-password-page";
import { ResetPasswordPage } from "./reset-password-page";
import { VerifyEmailBanner } from "./verify-email-banner";
import { VerifyEmailPage } from "./verify-email-page";

function fakeAccountApi(): { [K in keyof AccountApi]: ReturnType<typeof vi.fn> } & AccountApi {
  return {
    requestPasswordReset: vi.fn(async () => {}),
    resetPassword: vi.fn(async () => {}),
    verifyEmail: vi.fn(async () => ({ ...alice, emailVerified: true })),
    requestEmailVerification: vi.fn(async () => {}),
    changePassword: vi.fn(async () => "firebase-renewed"),
    requestEmailChange: vi.fn(async () => {}),
    listSessions: vi.fn(async () => sessions),
    revokeSession: vi.fn(async () => {}),
    revokeOtherSessions: vi.fn(async () => "firebase-renewed"),
    deleteAccount: vi.fn(async () => {}),
    requestDataExport: vi.fn(async () => {}),
  };
}

function quietSettings(): NotificationSettingsApi {
  const settings = { emailMissedMessages: true, quietHours: null };
  return { get: vi.fn(async () => settings), update: vi.fn(async () => settings) };
}

const sessions: SessionInfo[] = [
  {
    id: "s1",
    device: "Chrome on Windows",
    userAgent: "",
    createdAt: "2026-12-01T10:00:00Z",
    lastUsedAt: "2026-12-06T10:00:00Z",
    current: true,
  },
  {
    id: "s2",
    device: "Firefox Mobile on Android",
    userAgent: "",
    createdAt: "2026-11-01T10:00:00Z",
    lastUsedAt: "2026-12-05T10:00:00Z",
    current: false,
  },
];

describe("account pages", () => {
  afterEach(() => localStorage.clear());

  it("forgot password answers the same way for any address", async () => {
    const api = fakeAccountApi();
    await renderWithSession(<Route path="/forgot-password" element={<ForgotPasswordPage api={api} />} />, {
      path: "/forgot-password",
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), " someone@example.com ");
    await user.click(screen.getByRole("button", { name: "Send reset link" }));
    expect(await screen.findByRole("heading", { name: "Check your email" })).toBeInTheDocument();
    expect(api.requestPasswordReset).toHaveBeenCalledWith("someone@example.com");
  });

  it("reset password shows the policy's refusal under the field and needs both entries equal", async () => {
    const api = fakeAccountApi();
    api.resetPassword.mockRejectedValueOnce(
      new ApiError({ code: "INVALID_ARGUMENT", httpStatus: 400, message: "password: must be at least 8 characters" }),
    );
    await renderWithSession(<Route path="/reset-password" element={<ResetPasswordPage api={api} />} />, {
      path: "/reset-password?token=abc",
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("New password"), "short");
    await user.type(screen.getByLabelText("Repeat the new password"), "shorter");
    expect(screen.getByText("The two passwords differ")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Set new password" })).toBeDisabled();
    await user.clear(screen.getByLabelText("Repeat the new password"));
    await user.type(screen.getByLabelText("Repeat the new password"), "short");
    await user.click(screen.getByRole("button", { name: "Set new password" }));
    expect(await screen.findByText("Must be at least 8 characters")).toBeInTheDocument();
    expect(api.resetPassword).toHaveBeenCalledWith("abc", "short");
  });

  it("the confirmation link is sent once and updates the signed-in profile", async () => {
    const api = fakeAccountApi();
    const { store } = await renderWithSession(<Route path="/verify-email" element={<VerifyEmailPage api={api} />} />, {
      path: "/verify-email?token=tok",
      signedIn: true,
    });
    expect(await screen.findByText("Your email address is confirmed. Thank you!")).toBeInTheDocument();
    expect(api.verifyEmail).toHaveBeenCalledTimes(1);
    expect(store.getState().user?.emailVerified).toBe(true);
  });

  it("the banner shows only to unconfirmed people and sends the link again", async () => {
    const api = fakeAccountApi();
    const { store } = await renderWithSession(<Route path="/" element={<VerifyEmailBanner api={api} />} />, {
      signedIn: true,
    });
    expect(screen.queryByRole("region", { name: "Email confirmation" })).toBeNull();
    store.setUser({ ...alice, emailVerified: false });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Send it again" }));
    await waitFor(() => expect(api.requestEmailVerification).toHaveBeenCalledTimes(1));
    expect(await screen.findByText(/Sent\. Check alice@example.com/)).toBeInTheDocument();
  });

  it("settings: a password change signs this device into Firebase again with the returned token", async () => {
    const api = fakeAccountApi();
    const { store } = await renderWithSession(
      <Route path="/" element={<AccountSettingsPage api={api} notifications={quietSettings()} />} />,
      { signedIn: true },
    );
    const renew = vi.spyOn(store, "renewFirebaseSignIn");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Current password"), "old secret 123");
    await user.type(screen.getByLabelText("New password"), "new secret 456");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText(/Your password is changed/)).toBeInTheDocument();
    expect(api.changePassword).toHaveBeenCalledWith(expect.any(String), "old secret 123", "new secret 456");
    expect(renew).toHaveBeenCalledWith("firebase-renewed");
  });

  it("settings: lists sessions with this device marked, and ends another one", async () => {
    const api = fakeAccountApi();
    await renderWithSession(
      <Route path="/" element={<AccountSettingsPage api={api} notifications={quietSettings()} />} />,
      { signedIn: true },
    );
    expect(await screen.findByText("This device")).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Log out Firefox Mobile on Android" }));
    await waitFor(() => expect(api.revokeSession).toHaveBeenCalledWith(expect.any(String), "s2"));
    await user.click(screen.getByRole("button", { name: "Log out everywhere else" }));
    await waitFor(() => expect(api.revokeOtherSessions).toHaveBeenCalledTimes(1));
  });

  it("settings: deleting needs the password and the typed confirmation, then signs out", async () => {
    const api = fakeAccountApi();
    const { store } = await renderWithSession(
      <Route path="/" element={<AccountSettingsPage api={api} notifications={quietSettings()} />} />,
      { signedIn: true },
    );
    const user = userEvent.setup();
    const button = screen.getByRole("button", { name: "Delete my account" });
    await user.type(screen.getAllByLabelText("Your password")[1]!, "my secret 123");
    expect(button).toBeDisabled();
    await user.type(screen.getByLabelText('Type "delete my account" to confirm'), "Delete my account");
    await user.click(button);
    await waitFor(() => expect(api.deleteAccount).toHaveBeenCalledWith(expect.any(String), "my secret 123"));
    await waitFor(() => expect(store.getState().status).toBe("signed-out"));
  });

  it("settings: asks for a copy of the data, and says when it was asked for too often", async () => {
    const api = fakeAccountApi();
    api.requestDataExport
      .mockResolvedValueOnce(undefined)
      .mockRejectedValueOnce(
        new ApiError({ code: "RESOURCE_EXHAUSTED", httpStatus: 429, message: "too many requests" }),
      );
    await renderWithSession(
      <Route path="/" element={<AccountSettingsPage api={api} notifications={quietSettings()} />} />,
      { signedIn: true },
    );
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Email me a copy of my data" }));
    expect(await screen.findByText(/will mail alice@example.com a link/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Email me a copy of my data" }));
    expect(await screen.findByText("You asked twice today already; try again tomorrow.")).toBeInTheDocument();
  });
});
