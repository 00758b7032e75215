import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { Route } from "react-router";
import { ApiError } from "@/lib/api";
import { LocationProbe, renderWithSession } from "@/test/render";
import { SignedOutOnly } from "./require-session";
import { SignupPage } from "./signup-page";

const routes = (
  <>
    <Route
      path="/signup"
      element={
        <SignedOutOnly>
          <SignupPage />
        </SignedOutOnly>
      }
    />
    <Route path="/" element={<LocationProbe />} />
  </>
);

async function fillForm() {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Email"), "alice@example.com");
  await user.type(screen.getByLabelText("Username"), "alice");
  await user.type(screen.getByLabelText("Display name"), "Alice Liddell");
  await user.type(screen.getByLabelText("Password"), "correct horse battery");
  await user.click(screen.getByRole("button", { name: "Create account" }));
}

describe("SignupPage", () => {
  it("registers and goes to the app", async () => {
    const { server } = await renderWithSession(routes, { path: "/signup" });

    await fillForm();

    expect(server.api.register).toHaveBeenCalledWith({
      email: "alice@example.com",
      username: "alice",
      displayName: "Alice Liddell",
      password: "correct horse battery",
    });
    expect(await screen.findByTestId("location")).toHaveTextContent("/");
  });

  it("shows a taken username beside the username field", async () => {
    const { server } = await renderWithSession(routes, { path: "/signup" });
    server.api.register.mockRejectedValueOnce(
      new ApiError({ code: "ALREADY_EXISTS", httpStatus: 409, message: "username: is already taken" }),
    );

    await fillForm();

    const username = screen.getByLabelText("Username");
    await waitFor(() => expect(username).toHaveAttribute("aria-invalid", "true"));
    expect(username).toHaveAccessibleDescription("Is already taken");
    expect(screen.getByLabelText("Email")).not.toHaveAttribute("aria-invalid");
  });

  it("clears a field's error once the user edits it", async () => {
    const { server } = await renderWithSession(routes, { path: "/signup" });
    server.api.register.mockRejectedValueOnce(
      new ApiError({ code: "INVALID_ARGUMENT", httpStatus: 400, message: "password: is too common" }),
    );
    await fillForm();
    const password = screen.getByLabelText("Password");
    await waitFor(() => expect(password).toHaveAttribute("aria-invalid", "true"));

    await userEvent.type(password, "!");

    expect(password).not.toHaveAttribute("aria-invalid");
  });
});
