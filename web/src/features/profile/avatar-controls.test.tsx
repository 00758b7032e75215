import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { alice } from "@/test/fake-api";
import { renderWithSession } from "@/test/render";
import { AvatarControls } from "./avatar-controls";

const routes = <Route path="/" element={<AvatarControls />} />;

function pick(file: File) {
  // fireEvent rather than userEvent.upload, which would drop files the input does not accept.
  fireEvent.change(screen.getByTestId("avatar-file-input"), { target: { files: [file] } });
}

describe("avatar controls", () => {
  it("refuses files that are not images, inline", async () => {
    await renderWithSession(routes, { signedIn: true });
    await userEvent.click(screen.getByRole("button", { name: "Add picture" }));
    expect(await screen.findByRole("dialog", { name: "Profile picture" })).toBeInTheDocument();

    pick(new File(["hello"], "notes.txt", { type: "text/plain" }));

    expect(await screen.findByText("Choose a JPEG, PNG, GIF or WebP image.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Save picture" })).toBeDisabled();
  });

  it("refuses images over 5 MB", async () => {
    await renderWithSession(routes, { signedIn: true });
    await userEvent.click(screen.getByRole("button", { name: "Add picture" }));

    pick(new File([new Uint8Array(6 * 1024 * 1024)], "huge.png", { type: "image/png" }));

    expect(await screen.findByText("This image is 6.0 MB; a profile picture can be at most 5 MB.")).toBeInTheDocument();
  });

  it("Esc closes the crop dialog", async () => {
    await renderWithSession(routes, { signedIn: true });
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Add picture" }));
    await screen.findByRole("dialog", { name: "Profile picture" });
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("removes the picture with updateProfile({avatarUrl: null})", async () => {
    const { server, store } = await renderWithSession(routes, { signedIn: true });
    act(() => store.setUser({ ...alice, avatarUrl: "https://res.cloudinary.com/demo/image/upload/a.png" }));

    await userEvent.click(await screen.findByRole("button", { name: "Remove picture" }));

    await waitFor(() => expect(server.api.updateProfile).toHaveBeenCalledWith(expect.any(String), { avatarUrl: null }));
    expect(await screen.findByRole("button", { name: "Add picture" })).toBeInTheDocument();
    expect(store.getState().user?.avatarUrl).toBeNull();
  });
});
