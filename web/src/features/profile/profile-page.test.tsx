import { screen } from "@testing-library/react";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api";
import { alice } from "@/test/fake-api";
import { renderWithSession } from "@/test/render";
import { ProfilePage } from "./profile-page";

const routes = <Route path="/u/:username" element={<ProfilePage />} />;

describe("ProfilePage", () => {
  it("shows someone else's public profile from the server", async () => {
    const { server } = await renderWithSession(routes, {
      path: "/u/bob",
      signedIn: true,
      prepare: (server) =>
        server.api.getProfile.mockResolvedValueOnce({
          id: "u_bob",
          username: "bob",
          displayName: "Bob Stone",
          avatarUrl: null,
          bio: "Builds boats",
          createdAt: "2025-03-01T00:00:00Z",
        }),
    });

    expect(await screen.findByRole("heading", { name: "Bob Stone" })).toBeInTheDocument();
    expect(screen.getByText("Builds boats")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /edit profile/i })).not.toBeInTheDocument();
    expect(server.api.getProfile).toHaveBeenCalledWith("access-1", { username: "bob" });
  });

  it("says so when nobody has that username", async () => {
    await renderWithSession(routes, {
      path: "/u/ghost",
      signedIn: true,
      prepare: (server) =>
        server.api.getProfile.mockRejectedValueOnce(
          new ApiError({ code: "NOT_FOUND", httpStatus: 404, message: "no such user" }),
        ),
    });

    expect(await screen.findByText("No one on FlowChat goes by @ghost.")).toBeInTheDocument();
  });

  it("shows your own profile from the session, with an edit button", async () => {
    const { server } = await renderWithSession(routes, { path: `/u/${alice.username}`, signedIn: true });

    expect(screen.getByRole("heading", { name: alice.displayName })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /edit profile/i })).toBeInTheDocument();
    expect(server.api.getProfile).not.toHaveBeenCalled();
  });
});
