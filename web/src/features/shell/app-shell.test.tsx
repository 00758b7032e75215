import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { RequireSession } from "@/features/auth/require-session";
import { LOST_AFTER_MS, reportBackend, resetBackendReports } from "@/lib/backend-connection";
import { room } from "@/test/chat-fixtures";
import { alice } from "@/test/fake-api";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { LocationProbe, renderWithSession } from "@/test/render";
import { AppShell } from "./app-shell";
import { EmptyConversation } from "./empty-conversation";

const routes = (
  <Route
    path="/"
    element={
      <RequireSession>
        <AppShell />
      </RequireSession>
    }
  >
    <Route index element={<EmptyConversation />} />
  </Route>
);

describe("AppShell", () => {
  it("shows the empty room list and the empty conversation, without made-up data", async () => {
    await renderWithSession(routes, { signedIn: true });

    const sidebar = screen.getByRole("navigation", { name: "Conversations" });
    expect(within(sidebar).getByText("No conversations yet")).toBeInTheDocument();
    expect(within(sidebar).queryByRole("link")).not.toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Pick a room or start a conversation" })).toBeInTheDocument();
  });

  it("says when the browser goes offline, and stops saying it when it is back", async () => {
    await renderWithSession(routes, { signedIn: true });
    const onLine = vi.spyOn(navigator, "onLine", "get");
    try {
      onLine.mockReturnValue(false);
      act(() => window.dispatchEvent(new Event("offline")));
      expect(screen.getByRole("status")).toHaveTextContent(
        "You're offline. Messages you send now go out when the connection is back.",
      );

      onLine.mockReturnValue(true);
      act(() => window.dispatchEvent(new Event("online")));
      expect(screen.queryByText(/You're offline/)).not.toBeInTheDocument();
    } finally {
      onLine.mockRestore();
    }
  });

  it("says when the backend cannot be reached though the browser is online, and stops when it answers", async () => {
    await renderWithSession(routes, { signedIn: true });
    vi.useFakeTimers();
    try {
      act(() => reportBackend("firestore", false));
      expect(screen.queryByTestId("connection-banner")).not.toBeInTheDocument();
      act(() => vi.advanceTimersByTime(LOST_AFTER_MS));
      expect(screen.getByTestId("connection-banner")).toHaveTextContent(
        "Can't reach FlowChat right now. Messages you send go out when the connection is back.",
      );
      act(() => reportBackend("firestore", true));
      expect(screen.queryByTestId("connection-banner")).not.toBeInTheDocument();
    } finally {
      resetBackendReports();
      vi.useRealTimers();
    }
  });

  it("stops showing skeletons for a room list that never arrives, says why and watches it again", async () => {
    const source = new InMemoryChatSource(alice);
    source.silent.rooms = true;
    const watchRooms = vi.spyOn(source, "watchRooms");
    await renderWithSession(
      <Route
        path="/"
        element={
          <RequireSession>
            <AppShell slowAfterMs={100} />
          </RequireSession>
        }
      >
        <Route index element={<EmptyConversation />} />
      </Route>,
      { signedIn: true, chatSource: source },
    );

    const sidebar = screen.getByRole("navigation", { name: "Conversations" });
    expect(within(sidebar).getByLabelText("Loading conversations")).toBeInTheDocument();
    const problem = await within(sidebar).findByRole("alert");
    expect(problem).toHaveTextContent("Couldn't load your conversations");
    expect(problem).toHaveTextContent("FlowChat's servers are not answering, or answering slowly.");
    expect(within(sidebar).queryByLabelText("Loading conversations")).not.toBeInTheDocument();

    await userEvent.click(within(sidebar).getByRole("button", { name: "Try again" }));
    expect(watchRooms).toHaveBeenCalledTimes(2);
    expect(within(sidebar).getByLabelText("Loading conversations")).toBeInTheDocument();
  });

  it("lists the rooms a data source provides", async () => {
    const source = new InMemoryChatSource(alice);
    source.rooms = [room({ id: "r1", name: "Weekend plans", unreadCount: 2 })];
    await renderWithSession(routes, { signedIn: true, chatSource: source });

    const sidebar = screen.getByRole("navigation", { name: "Conversations" });
    expect(within(sidebar).getByRole("link", { name: /^Weekend plans, 2 unread,/ })).toHaveAttribute(
      "href",
      "/rooms/r1",
    );
    expect(document.title).toBe("(2) FlowChat");
  });

  it("moves between conversations with Alt+Down and Alt+Up", async () => {
    const source = new InMemoryChatSource(alice);
    source.rooms = [room({ id: "r1", name: "One" }), room({ id: "r2", name: "Two" })];
    await renderWithSession(
      <Route
        path="/"
        element={
          <RequireSession>
            <AppShell />
          </RequireSession>
        }
      >
        <Route index element={<EmptyConversation />} />
        <Route path="rooms/:roomId" element={<LocationProbe />} />
      </Route>,
      { signedIn: true, chatSource: source },
    );
    const user = userEvent.setup();

    await user.keyboard("{Alt>}{ArrowDown}{/Alt}");
    expect(await screen.findByTestId("location")).toHaveTextContent("/rooms/r1");
    await user.keyboard("{Alt>}{ArrowDown}{/Alt}");
    expect(screen.getByTestId("location")).toHaveTextContent("/rooms/r2");
    await user.keyboard("{Alt>}{ArrowUp}{/Alt}");
    expect(screen.getByTestId("location")).toHaveTextContent("/rooms/r1");
  });

  it("lists keyboard shortcuts on ?, but not while typing", async () => {
    await renderWithSession(routes, { signedIn: true });
    const user = userEvent.setup();

    await user.keyboard("?");
    expect(await screen.findByRole("dialog", { name: "Keyboard shortcuts" })).toBeInTheDocument();
    expect(screen.getByText("Next conversation")).toBeInTheDocument();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    await user.click(screen.getByRole("button", { name: "Account menu for Alice Liddell" }));
    await user.click(await screen.findByRole("menuitem", { name: "Edit profile" }));
    await user.type(await screen.findByLabelText("Bio"), "?");
    expect(screen.queryByRole("dialog", { name: "Keyboard shortcuts" })).not.toBeInTheDocument();
  });

  it("sends signed-out visitors to the log-in screen", async () => {
    await renderWithSession(routes);
    expect(await screen.findByTestId("location")).toHaveTextContent("/login");
  });

  it("logs out from the user menu", async () => {
    const { server, store } = await renderWithSession(routes, { signedIn: true });
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Account menu for Alice Liddell" }));
    await user.click(await screen.findByRole("menuitem", { name: "Log out" }));

    expect(await screen.findByTestId("location")).toHaveTextContent("/login");
    expect(server.api.logout).toHaveBeenCalledWith("access-1");
    expect(store.getState().status).toBe("signed-out");
  });

  it("edits the display name and bio from the user menu", async () => {
    const { server } = await renderWithSession(routes, { signedIn: true });
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Account menu for Alice Liddell" }));
    await user.click(await screen.findByRole("menuitem", { name: "Edit profile" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit profile" });
    const displayName = within(dialog).getByLabelText("Display name");
    await user.clear(displayName);
    await user.type(displayName, "Alice L.");
    const bio = within(dialog).getByLabelText("Bio");
    await user.clear(bio);
    await user.type(bio, "Down the rabbit hole");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(server.api.updateProfile).toHaveBeenCalledWith("access-1", {
      displayName: "Alice L.",
      bio: "Down the rabbit hole",
    });
    expect(screen.getByRole("button", { name: "Account menu for Alice L." })).toBeInTheDocument();
  });

  it("shows a profile field error from the server in the dialog", async () => {
    const { server } = await renderWithSession(routes, { signedIn: true });
    const { ApiError } = await import("@/lib/api");
    server.api.updateProfile.mockRejectedValueOnce(
      new ApiError({
        code: "INVALID_ARGUMENT",
        httpStatus: 400,
        message: "displayName: must be at most 50 characters",
      }),
    );
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Account menu for Alice Liddell" }));
    await user.click(await screen.findByRole("menuitem", { name: "Edit profile" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit profile" });
    await user.type(within(dialog).getByLabelText("Display name"), "!");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(await within(dialog).findByText("must be at most 50 characters")).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Display name")).toHaveAttribute("aria-invalid", "true");
  });

  it("switches between light and dark", async () => {
    await renderWithSession(routes, { signedIn: true });
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Switch to dark theme" }));
    expect(document.documentElement).toHaveClass("dark");
    expect(localStorage.getItem("flowchat.theme")).toBe("dark");

    await user.click(screen.getByRole("button", { name: "Switch to light theme" }));
    expect(document.documentElement).not.toHaveClass("dark");
  });
});
