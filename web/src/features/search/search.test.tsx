import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { ConversationView } from "@/features/chat/components/conversation-view";
import { RoomActionsProvider, type MessageHit, type RoomActions } from "@/features/chat/rooms/room-actions";
import { alice } from "@/test/fake-api";
import { message, room } from "@/test/chat-fixtures";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { renderWithSession } from "@/test/render";
import { QuickSwitcher, rankRooms } from "./quick-switcher";
import { rememberRecent, recentItems } from "./recent";
import { SearchPage } from "./search-page";
import { Snippet } from "./snippet";

function searchActions(overrides: Partial<RoomActions>): RoomActions {
  return { searchPeople: vi.fn(async () => []), ...overrides } as unknown as RoomActions;
}

function hit(overrides: Partial<MessageHit> & { roomId: string; messageId: string }): MessageHit {
  return {
    senderId: "u_bob",
    senderName: "Bob Stone",
    createdAt: new Date("2026-11-30T10:00:00"),
    snippet: "x",
    ...overrides,
  };
}

describe("Snippet", () => {
  it("marks the matches and shows markup in the message as text", () => {
    const { container } = render(<Snippet html="a &lt;b&gt; &amp; <mark>tide</mark> table <mark>Tide</mark>" />);
    expect(container.textContent).toBe("a <b> & tide table Tide");
    expect([...container.querySelectorAll("mark")].map((mark) => mark.textContent)).toEqual(["tide", "Tide"]);
    expect(container.querySelector("b")).toBeNull();
  });
});

describe("SearchPage", () => {
  async function renderSearch(actions: RoomActions, source: InMemoryChatSource) {
    return renderWithSession(
      <Route
        path="/search"
        element={
          <RoomActionsProvider actions={actions}>
            <SearchPage />
          </RoomActionsProvider>
        }
      />,
      { signedIn: true, chatSource: source, path: "/search" },
    );
  }

  it("searches as the person types, groups results by room, and Enter opens the best one at its message", async () => {
    const source = new InMemoryChatSource(alice);
    source.rooms = [
      room({ id: "r1", name: "Harbour crew" }),
      room({ id: "r2", name: "Bob Stone", kind: "direct", peerId: "u_bob" }),
    ];
    const searchMessages = vi.fn(async () => ({
      hits: [
        hit({ roomId: "r1", messageId: "m1", snippet: "the <mark>tide</mark> table" }),
        hit({ roomId: "r2", messageId: "m2", snippet: "<mark>tide</mark> is out", senderId: alice.id }),
        hit({ roomId: "r1", messageId: "m3", snippet: "high <mark>tide</mark>" }),
      ],
      nextCursor: null,
    }));
    await renderSearch(searchActions({ searchMessages }), source);

    const box = screen.getByRole("searchbox", { name: "Search messages" });
    await userEvent.type(box, "tide");
    const crew = await screen.findByRole("region", { name: "Results in Harbour crew" });
    expect(
      within(crew)
        .getAllByRole("link")
        .map((link) => link.getAttribute("href")),
    ).toEqual(["/r/r1/m/m1", "/r/r1/m/m3"]);
    expect(within(crew).getAllByText("tide", { selector: "mark" })).toHaveLength(2);
    const direct = screen.getByRole("region", { name: "Results in Bob Stone" });
    expect(within(direct).getByText("You")).toBeInTheDocument();
    expect(searchMessages).toHaveBeenLastCalledWith(expect.objectContaining({ query: "tide" }));

    await userEvent.selectOptions(screen.getByLabelText("Has"), "link");
    await userEvent.selectOptions(screen.getByLabelText("In"), "r2");
    await waitFor(() =>
      expect(searchMessages).toHaveBeenLastCalledWith(expect.objectContaining({ has: "link", roomId: "r2" })),
    );
    await userEvent.type(screen.getByLabelText("To date"), "2026-11-30");
    await waitFor(() =>
      expect(searchMessages).toHaveBeenLastCalledWith(
        expect.objectContaining({ before: new Date(2026, 11 - 1, 30 + 1) }),
      ),
    );

    await userEvent.type(box, "{Enter}");
    expect(await screen.findByTestId("location")).toHaveTextContent("/r/r1/m/m1");
  });

  it("asks for the next page with the cursor", async () => {
    const source = new InMemoryChatSource(alice);
    source.rooms = [room({ id: "r1", name: "Harbour crew" })];
    const searchMessages = vi
      .fn()
      .mockResolvedValueOnce({ hits: [hit({ roomId: "r1", messageId: "m1" })], nextCursor: "c1" })
      .mockResolvedValueOnce({ hits: [hit({ roomId: "r1", messageId: "m2" })], nextCursor: null });
    await renderSearch(searchActions({ searchMessages }), source);
    await userEvent.type(screen.getByRole("searchbox", { name: "Search messages" }), "tide");
    await userEvent.click(await screen.findByRole("button", { name: "More results" }));
    await waitFor(() => expect(document.querySelectorAll("[data-search-hit]")).toHaveLength(2));
    expect(searchMessages).toHaveBeenLastCalledWith(expect.objectContaining({ cursor: "c1" }));
    expect(screen.queryByRole("button", { name: "More results" })).toBeNull();
  });
});

describe("Quick switcher", () => {
  it("puts recently opened rooms first, then the most active", () => {
    const rooms = [
      room({ id: "a", name: "Alpha", updatedAt: new Date(3) }),
      room({ id: "b", name: "Beta", updatedAt: new Date(2) }),
      room({ id: "c", name: "Gamma", updatedAt: new Date(1) }),
    ];
    expect(rankRooms(rooms, "", ["c"]).map((r) => r.id)).toEqual(["c", "a", "b"]);
    expect(rankRooms(rooms, "ET", []).map((r) => r.id)).toEqual(["b"]);
  });

  it("remembers what was opened, newest first, without repeats", () => {
    rememberRecent("u1", { kind: "room", id: "a" });
    rememberRecent("u1", { kind: "room", id: "b" });
    rememberRecent("u1", { kind: "room", id: "a" });
    expect(recentItems("u1")).toEqual([
      { kind: "room", id: "a" },
      { kind: "room", id: "b" },
    ]);
    localStorage.setItem("flowchat.recent.u2", "not json");
    expect(recentItems("u2")).toEqual([]);
  });

  async function renderSwitcher(actions: RoomActions) {
    const source = new InMemoryChatSource(alice);
    source.rooms = [room({ id: "r1", name: "Harbour crew" }), room({ id: "r4", name: "Ops", updatedAt: new Date(0) })];
    await renderWithSession(
      <Route
        path="/"
        element={
          <RoomActionsProvider actions={actions}>
            <QuickSwitcher open onOpenChange={vi.fn()} />
          </RoomActionsProvider>
        }
      />,
      { signedIn: true, chatSource: source },
    );
    return screen.getByRole("combobox", { name: "Conversation or person" });
  }

  it("opens a room chosen with the keyboard and remembers it", async () => {
    const box = await renderSwitcher(searchActions({}));
    await userEvent.type(box, "harb");
    expect(screen.getAllByRole("option").map((option) => option.textContent)).toEqual([
      "HCHarbour crewGroup",
      "Search messages for “harb”",
    ]);
    await userEvent.keyboard("{ArrowDown}{ArrowUp}{Enter}");
    expect(await screen.findByTestId("location")).toHaveTextContent("/rooms/r1");
    expect(recentItems(alice.id)[0]).toEqual({ kind: "room", id: "r1" });
  });

  it("starts a conversation with someone found by part of their name", async () => {
    const searchPeople = vi.fn(async () => [
      { id: "u_sam", username: "sam", displayName: "Sam Rivera", avatarUrl: null },
    ]);
    const actions = searchActions({ searchPeople, startDirect: vi.fn(async () => "r4") });
    const box = await renderSwitcher(actions);
    await userEvent.type(box, "sa");
    await screen.findByRole("option", { name: /Sam Rivera @sam/ });
    await userEvent.keyboard("{Enter}");
    expect(actions.startDirect).toHaveBeenCalledWith("sam");
    expect(await screen.findByTestId("location")).toHaveTextContent("/rooms/r4");
  });
});

describe("Permalinks", () => {
  it("open the history around an old message at once, then highlight it", { timeout: 20_000 }, async () => {
    const source = new InMemoryChatSource({ id: "u_alice", displayName: "Alice" });
    const start = new Date("2026-11-20T08:00:00").getTime();
    for (let index = 0; index < 75; index += 1) {
      source.receive(
        message({
          id: `h${index}`,
          roomId: "r1",
          text: `history ${index}`,
          createdAt: new Date(start + index * 60_000),
        }),
      );
    }
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled;
    render(
      <MemoryRouter>
        <ConversationView
          source={source}
          room={room({ id: "r1", name: "General" })}
          currentUserId="u_alice"
          focusMessageId="h3"
        />
      </MemoryRouter>,
    );
    const target = await screen.findByText("history 3", {}, { timeout: 10_000 });
    const bubble = target.closest("[data-message-id]")!;
    await waitFor(() => expect(bubble).toHaveAttribute("data-highlighted", "true"));
    await waitFor(() => expect(scrolled).toHaveBeenCalled());
    expect(scrolled.mock.contexts.at(-1)).toBe(bubble);
  });

  it("page both ways from a message 300 back, and jump back to the live messages", { timeout: 30_000 }, async () => {
    const source = new InMemoryChatSource({ id: "u_alice", displayName: "Alice" });
    const start = new Date("2026-11-20T08:00:00").getTime();
    for (let index = 0; index < 400; index += 1) {
      source.receive(
        message({
          id: `h${index}`,
          roomId: "r1",
          senderId: "u_bob",
          text: `history ${index}`,
          createdAt: new Date(start + index * 60_000),
        }),
      );
    }
    const around = vi.spyOn(source, "loadAround");
    const older = vi.spyOn(source, "loadOlderMessages");
    Element.prototype.scrollIntoView = vi.fn();
    render(
      <MemoryRouter>
        <ConversationView
          source={source}
          room={room({ id: "r1", name: "General" })}
          currentUserId="u_alice"
          focusMessageId="h100"
        />
      </MemoryRouter>,
    );
    const target = (await screen.findByText("history 100", {}, { timeout: 10_000 })).closest("[data-message-id]")!;
    await waitFor(() => expect(target).toHaveAttribute("data-highlighted", "true"));
    // One load around it, no paging through the 300 newer ones; the live page is not shown.
    expect(around).toHaveBeenCalledTimes(1);
    expect(older).not.toHaveBeenCalled();
    expect(screen.getByText("history 75")).toBeInTheDocument();
    expect(screen.getByText("history 125")).toBeInTheDocument();
    expect(screen.queryByText("history 126")).not.toBeInTheDocument();
    expect(screen.queryByText("history 399")).not.toBeInTheDocument();
    // Nothing is marked read from history.
    expect(source.markRead).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole("button", { name: "Load later messages" }));
    expect(await screen.findByText("history 175")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Load earlier messages" }));
    expect(await screen.findByText("history 25")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Jump to latest" }));
    expect(await screen.findByText("history 399")).toBeInTheDocument();
    expect(screen.queryByText("history 100")).not.toBeInTheDocument();
    await waitFor(() => expect(source.markRead).toHaveBeenCalledWith("r1", "h399"));
  });

  it("say so when the message is not in the conversation", async () => {
    const source = new InMemoryChatSource({ id: "u_alice", displayName: "Alice" });
    source.receive(message({ id: "h1", roomId: "r1", text: "only one", createdAt: new Date() }));
    render(
      <MemoryRouter>
        <ConversationView
          source={source}
          room={room({ id: "r1", name: "General" })}
          currentUserId="u_alice"
          focusMessageId="gone"
        />
      </MemoryRouter>,
    );
    expect(await screen.findByText("That message is no longer in this conversation.")).toBeInTheDocument();
    await act(async () => {});
  });
});
