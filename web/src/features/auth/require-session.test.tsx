import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { LocationProbe, renderWithSession } from "@/test/render";
import { LoginPage } from "./login-page";
import { RequireSession, SignedOutOnly } from "./require-session";

describe("RequireSession", () => {
  it("returns to the page that asked for a log-in", async () => {
    await renderWithSession(
      <>
        <Route
          path="/login"
          element={
            <SignedOutOnly>
              <LoginPage />
            </SignedOutOnly>
          }
        />
        <Route
          path="/u/:username"
          element={
            <RequireSession>
              <LocationProbe />
            </RequireSession>
          }
        />
      </>,
      { path: "/u/bob" },
    );
    const user = userEvent.setup();

    await user.type(await screen.findByLabelText("Email or username"), "alice");
    await user.type(screen.getByLabelText("Password"), "correct horse battery");
    await user.click(screen.getByRole("button", { name: "Log in" }));

    expect(await screen.findByTestId("location")).toHaveTextContent("/u/bob");
  });
});
