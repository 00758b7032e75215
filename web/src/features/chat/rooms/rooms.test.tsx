import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { alice } from "@/test/fake-api";
import { room } from "@/test/chat-fixtures";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { renderWithSession } from "@/test/render";
import { describePresence } from "@/features/presence/presence-text";
import { ConversationSidebarActions } from "./conversation-sidebar-actions";
import { parseUsernames } from "./new-group-dialog";
import { RoomActionsProvider, describeError, type RoomActions } from "./room-actions";
import { RoomSettingsDialog, roomPermissions } from "./room-settings-dialog";

function fakeActions(overrides: Partial<RoomActions> = {}): RoomActions {
  const unexpected = () => Promise.reject(new Error("not expected in this test"));
  return {
    startDirect: vi.fn(unexpected),
    createGroup: vi.fn(unexpected),
    invite: vi.fn(unexpected),
    acceptInvite: vi.fn(unexpected),
    declineInvite: vi.fn(unexpected),
    joinRoom: vi.fn(unexpected),
    leaveRoom: vi.fn(unexpected),
    removeMember: vi.fn(unexpected),
    setRole: vi.fn(unexpected),
    updateRoom: vi.fn(unexpected),
    archiveRoom: vi.fn(unexpected),
    muteRoom: vi.fn(unexpected),
    listMyRooms: vi.fn(async () => ({ rooms: [], invites: [], blocked: [] })),
    restoreRoom: vi.fn(async () => "not-found" as const),
    listMembers: vi.fn(async () => []),
    blockUser: vi.fn(unexpected),
    unblockUser: vi.fn(unexpected),
    uploadAttachment: vi.fn(unexpected),
    searchPeople: vi.fn(async () => []),
    searchMessages: vi.fn(async () => ({ hits: [], nextCursor: null })),
    ...overrides,
  };
}

async function renderSidebar(actions: RoomActions, source = new InMemoryChatSource(alice)) {
  return renderWithSession(
    <Route
      path="/"
      element={
        <RoomActionsProvider actions={actions}>
          <ConversationSidebarActions />
        </RoomActionsProvider>
      }
    />,
    { signedIn: true, chatSource: source },
  );
}

describe("New chat", () => {
  it("starts a direct conversation by username and opens it once it is listed", async () => {
    const source = new InMemoryChatSource(alice);
    source.rooms = [room({ id: "r9", name: "Sam Rivera", kind: "direct", peerId: "u_sam" })];
    const actions = fakeActions({ startDirect: vi.fn(async () => "r9") });
    await renderSidebar(actions, source);

    await userEvent.click(screen.getByRole("button", { name: "New chat" }));
    const dialog = screen.getByRole("dialog", { name: "New conversation" });
    await userEvent.type(within(dialog).getByLabelText("Name or username"), "@sam_rivera");
    await userEvent.click(within(dialog).getByRole("button", { name: "Start conversation" }));

    expect(actions.startDirect).toHaveBeenCalledWith("sam_rivera");
    expect(await screen.findByTestId("location")).toHaveTextContent("/rooms/r9");
  });

  it("suggests people as a part of their name is typed, and starts the chat with the one chosen by keyboard", async () => {
    const source = new InMemoryChatSource(alice);
    source.rooms = [room({ id: "r7", name: "Samantha Cole", kind: "direct", peerId: "u_sam2" })];
    const people = [
      { id: "u_sam", username: "sam_rivera", displayName: "Sam Rivera", avatarUrl: null },
      { id: "u_sam2", username: "samcole", displayName: "Samantha Cole", avatarUrl: "https://example.com/a.png" },
    ];
    const searchPeople = vi.fn(async (query: string) => (query.length >= 2 ? people : []));
    const actions = fakeActions({ searchPeople, startDirect: vi.fn(async () => "r7") });
    await renderSidebar(actions, source);

    await userEvent.click(screen.getByRole("button", { name: "New chat" }));
    const dialog = screen.getByRole("dialog", { name: "New conversation" });
    const box = within(dialog).getByRole("combobox", { name: "Name or username" });
    await userEvent.type(box, "s");
    expect(within(dialog).getByRole("listbox", { hidden: true })).not.toBeVisible();
    await userEvent.type(box, "a");
    const options = await within(dialog).findAllByRole("option");
    expect(options.map((option) => option.textContent)).toEqual([
      "SRSam Rivera @sam_rivera",
      "SCSamantha Cole @samcole",
    ]);
    expect(searchPeople).toHaveBeenLastCalledWith("sa");

    await userEvent.keyboard("{ArrowDown}{ArrowDown}");
    expect(box).toHaveAttribute("aria-activedescendant", options[1]!.id);
    await userEvent.keyboard("{Enter}");

    expect(actions.startDirect).toHaveBeenCalledWith("samcole");
    expect(await screen.findByTestId("location")).toHaveTextContent("/rooms/r7");
  });

  it("says when nobody has that username", async () => {
    const actions = fakeActions({ startDirect: vi.fn(async () => Promise.reject(new Error("user not found"))) });
    await renderSidebar(actions);

    await userEvent.click(screen.getByRole("button", { name: "New chat" }));
    const dialog = screen.getByRole("dialog", { name: "New conversation" });
    await userEvent.type(within(dialog).getByLabelText("Name or username"), "zed{Enter}");

    expect(await within(dialog).findByRole("alert")).toHaveTextContent("No one on FlowChat goes by @zed.");
  });
});

describe("Invites", () => {
  it("lists pending invites and opens the room when one is accepted", async () => {
    const source = new InMemoryChatSource(alice);
    source.rooms = [room({ id: "r5", name: "Book club" })];
    const invite = {
      id: "i1",
      roomId: "r5",
      roomName: "Book club",
      inviterId: "u_bob",
      inviterName: "Bob Stone",
      createdAt: new Date(),
    };
    const actions = fakeActions({
      listMyRooms: vi.fn(async () => ({ rooms: [], invites: [invite], blocked: [] })),
      acceptInvite: vi.fn(async () => "r5"),
    });
    await renderSidebar(actions, source);

    const invites = await screen.findByRole("region", { name: "Invites (1)" });
    expect(within(invites).getByText("from Bob Stone")).toBeInTheDocument();
    await userEvent.click(within(invites).getByRole("button", { name: "Accept the invite to Book club" }));

    expect(actions.acceptInvite).toHaveBeenCalledWith("i1");
    expect(await screen.findByTestId("location")).toHaveTextContent("/rooms/r5");
  });

  it("declines an invite and removes it from the list", async () => {
    const invite = {
      id: "i2",
      roomId: "r6",
      roomName: "Poker night",
      inviterId: "u_bob",
      inviterName: "Bob Stone",
      createdAt: new Date(),
    };
    const actions = fakeActions({
      listMyRooms: vi.fn(async () => ({ rooms: [], invites: [invite], blocked: [] })),
      declineInvite: vi.fn(async () => {}),
    });
    await renderSidebar(actions);

    await userEvent.click(await screen.findByRole("button", { name: "Decline the invite to Poker night" }));

    expect(actions.declineInvite).toHaveBeenCalledWith("i2");
    await waitFor(() => expect(screen.queryByRole("region", { name: /Invites/ })).not.toBeInTheDocument());
  });
});

describe("room rules and wording", () => {
  it("mirrors who may do what in a room", () => {
    const privateGroup = { kind: "group" as const, isPrivate: true };
    expect(roomPermissions({ ...privateGroup, role: "owner" })).toMatchObject({
      edit: true,
      invite: true,
      setRoles: true,
    });
    expect(roomPermissions({ ...privateGroup, role: "member" })).toMatchObject({
      edit: false,
      invite: false,
      setRoles: false,
    });
    expect(roomPermissions({ ...privateGroup, isPrivate: false, role: "member" }).invite).toBe(true);
    const admin = roomPermissions({ ...privateGroup, role: "admin" });
    expect([admin.remove("member"), admin.remove("admin"), admin.remove("owner")]).toEqual([true, false, false]);
    expect(roomPermissions({ kind: "direct", isPrivate: true, role: "member" })).toMatchObject({
      edit: false,
      invite: false,
    });
  });

  it("reads usernames from a free-form list", () => {
    expect(parseUsernames(" @ana, bo;cy  ana ")).toEqual(["ana", "bo", "cy"]);
    expect(parseUsernames("")).toEqual([]);
  });

  it("describes presence and errors for people", () => {
    const now = new Date("2026-11-25T10:00:00Z");
    expect(describePresence({ state: "online", lastChanged: null }, now)).toBe("Online");
    expect(describePresence({ state: "offline", lastChanged: new Date("2026-11-25T09:45:00Z") }, now)).toBe(
      "Last seen 15 min ago",
    );
    expect(describePresence({ state: "offline", lastChanged: new Date("2026-11-25T07:00:00Z") }, now)).toBe(
      "Last seen 3 h ago",
    );
    expect(describePresence(undefined, now)).toBeNull();
    expect(describeError(new Error("userId: is already a member"), "x")).toBe("Is already a member");
    expect(describeError(new Error("INTERNAL"), "Try again.")).toBe("Try again.");
  });
});

describe("Room settings", () => {
  it("shows the invites still waiting for an answer under the members", async () => {
    const group = room({ id: "r1", name: "Design", kind: "group" });
    const actions = fakeActions({
      listMyRooms: vi.fn(async () => ({
        rooms: [
          {
            id: "r1",
            kind: "group" as const,
            name: "Design",
            topic: "",
            isPrivate: false,
            archived: false,
            role: "member" as const,
            notify: "all" as const,
            memberCount: 1,
          },
        ],
        invites: [],
        blocked: [],
      })),
      listMembers: vi.fn(async () => [
        {
          userId: alice.id,
          role: "member" as const,
          username: "alice",
          displayName: "Alice",
          avatarUrl: null,
          joinedAt: new Date(),
        },
      ]),
      listPendingInvites: vi.fn(async () => [
        {
          inviteId: "i1",
          userId: "u_sam",
          username: "sam",
          displayName: "Sam Rivera",
          avatarUrl: null,
          invitedBy: alice.id,
          invitedAt: new Date(),
        },
      ]),
    });
    await renderWithSession(
      <Route
        path="/"
        element={
          <RoomActionsProvider actions={actions}>
            <RoomSettingsDialog room={group} currentUserId={alice.id} open onOpenChange={() => {}} />
          </RoomActionsProvider>
        }
      />,
      { signedIn: true },
    );
    const pending = await screen.findByRole("list", { name: "Invited, not yet joined (1)" });
    expect(within(pending).getByText("Sam Rivera")).toBeInTheDocument();
    expect(within(pending).getByText("@sam")).toBeInTheDocument();
    expect(within(pending).getByText("Invite pending")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Members (1)" })).toBeInTheDocument();
    expect(actions.listPendingInvites).toHaveBeenCalledWith("r1");
  });
});
