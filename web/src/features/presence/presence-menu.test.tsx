import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { UserMenu } from "@/features/shell/user-menu";
import { alice } from "@/test/fake-api";
import { renderWithSession } from "@/test/render";
import { PRESENCE_CHOICE_KEY, resetPresenceChoiceStore } from "./presence-choice";

const routes = (
  <Route
    path="/"
    element={<UserMenu user={alice} onEditProfile={vi.fn()} onShowShortcuts={vi.fn()} onLogOut={vi.fn()} />}
  />
);

describe("status in the user menu", () => {
  beforeEach(() => {
    localStorage.removeItem(PRESENCE_CHOICE_KEY);
    resetPresenceChoiceStore();
  });

  it("switches to Appear offline and remembers it", async () => {
    await renderWithSession(routes, { signedIn: true });
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Account menu for Alice Liddell" }));
    const status = await screen.findByRole("menuitem", { name: "Status: Online" });
    status.focus();
    await user.keyboard("{ArrowRight}");
    await user.click(await screen.findByRole("menuitemradio", { name: "Appear offline" }));

    expect(localStorage.getItem(PRESENCE_CHOICE_KEY)).toBe("offline");
    await waitFor(() => expect(screen.queryByRole("menu")).not.toBeInTheDocument());
    await user.click(screen.getByRole("button", { name: "Account menu for Alice Liddell" }));
    expect(await screen.findByRole("menuitem", { name: "Status: Appear offline" })).toBeInTheDocument();
  });

  it("starts from the stored choice", async () => {
    localStorage.setItem(PRESENCE_CHOICE_KEY, "away");
    await renderWithSession(routes, { signedIn: true });
    await userEvent.click(screen.getByRole("button", { name: "Account menu for Alice Liddell" }));
    expect(await screen.findByRole("menuitem", { name: "Status: Away" })).toBeInTheDocument();
  });
});
