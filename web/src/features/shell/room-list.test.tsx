import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import type { Presence } from "@/features/chat/types";
import { room } from "@/test/chat-fixtures";
import { MAX_PRESENCE_ROWS, RoomList } from "./room-list";

const now = new Date("2026-11-25T15:00:00");

describe("RoomList", () => {
  it("shows an empty state when there are no rooms", () => {
    render(<RoomList rooms={[]} currentUserId="u_alice" />, { wrapper: MemoryRouter });
    expect(screen.getByText("No conversations yet")).toBeInTheDocument();
    expect(screen.queryByRole("link")).not.toBeInTheDocument();
  });

  it("lists rooms with unread badges, mentions, previews and the peer's presence", () => {
    const presence = new Map<string, Presence>([["u_bob", { state: "online", lastChanged: null }]]);
    render(
      <RoomList
        currentUserId="u_alice"
        now={now}
        presence={presence}
        rooms={[
          room({
            id: "r_bob",
            name: "Bob Stone",
            kind: "direct",
            peerId: "u_bob",
            unreadCount: 3,
            lastMessage: {
              text: "See you at 5",
              senderId: "u_bob",
              senderName: "Bob Stone",
              sentAt: new Date("2026-11-25T14:30:00"),
            },
          }),
          room({
            id: "r_team",
            name: "Design team",
            unreadCount: 120,
            mentioned: true,
            lastMessage: {
              text: "@alice thoughts?",
              senderId: "u_carol",
              senderName: "Carol",
              sentAt: new Date("2026-11-24T10:00:00"),
            },
          }),
          room({
            id: "r_quiet",
            name: "Book club",
            lastMessage: {
              text: "Done reading",
              senderId: "u_alice",
              senderName: "Alice",
              sentAt: new Date("2026-10-01T10:00:00"),
            },
          }),
        ]}
      />,
      { wrapper: MemoryRouter },
    );

    const links = screen.getAllByRole("link");
    expect(links.map((link) => link.getAttribute("href"))).toEqual(["/rooms/r_bob", "/rooms/r_team", "/rooms/r_quiet"]);
    expect(screen.getByRole("link", { name: /^Bob Stone, 3 unread, online,/ })).toHaveTextContent(
      "Bob Stone: See you at 5",
    );
    expect(screen.getByRole("link", { name: /^Design team, 120 unread, mentions you,/ })).toHaveTextContent("99+");
    expect(screen.getByRole("link", { name: /^Book club,/ })).toHaveTextContent("You: Done reading");
    expect(screen.getAllByTestId("unread-badge").map((badge) => badge.textContent)).toEqual(["3", "99+"]);
    expect(screen.getByRole("link", { name: /^Bob Stone/ }).querySelector(".bg-online")).not.toBeNull();
  });

  it("names the people of the direct rooms on screen, at most MAX_PRESENCE_ROWS, for presence", () => {
    const told: string[][] = [];
    const rooms = [
      room({ id: "r_team", name: "Design team" }),
      ...Array.from({ length: 14 }, (_, index) =>
        room({ id: `r_${index}`, name: `Person ${index}`, kind: "direct", peerId: `u_${index}` }),
      ),
    ];
    render(
      <RoomList currentUserId="u_alice" now={now} rooms={rooms} onVisiblePeersChange={(ids) => told.push(ids)} />,
      { wrapper: MemoryRouter },
    );
    expect(told.at(-1)).toEqual(Array.from({ length: MAX_PRESENCE_ROWS }, (_, index) => `u_${index}`));
  });

  it("shows unsent drafts instead of the last message, except for the open room", () => {
    const drafts: Record<string, string> = {
      r_bob: "Running late, start with",
      r_team: "  \n",
      r_open: "I see this in the box",
    };
    const lastMessage = {
      text: "See you at 5",
      senderId: "u_bob",
      senderName: "Bob Stone",
      sentAt: new Date("2026-11-25T14:30:00"),
    };
    render(
      <MemoryRouter initialEntries={["/rooms/r_open"]}>
        <RoomList
          currentUserId="u_alice"
          now={now}
          draftOf={(roomId) => drafts[roomId] ?? ""}
          rooms={[
            room({ id: "r_bob", name: "Bob Stone", lastMessage }),
            room({ id: "r_team", name: "Design team", lastMessage }),
            room({ id: "r_open", name: "Open room", lastMessage }),
          ]}
        />
      </MemoryRouter>,
    );

    expect(screen.getByRole("link", { name: /^Bob Stone,/ })).toHaveTextContent("Draft: Running late, start with");
    expect(screen.getByRole("link", { name: /^Bob Stone,/ })).not.toHaveTextContent("See you at 5");
    expect(screen.getByRole("link", { name: /^Design team,/ })).toHaveTextContent("Bob Stone: See you at 5");
    expect(screen.getByRole("link", { name: /^Open room,/ })).toHaveTextContent("Bob Stone: See you at 5");
  });

  it("gives each row its place in the whole list, since a long list renders only some rows", () => {
    const rooms = Array.from({ length: 3 }, (_, index) => room({ id: `r${index}`, name: `Room ${index}` }));
    render(<RoomList currentUserId="u_alice" now={now} rooms={rooms} />, { wrapper: MemoryRouter });
    const rows = screen.getAllByRole("listitem");
    expect(rows.map((row) => [row.getAttribute("aria-posinset"), row.getAttribute("aria-setsize")])).toEqual([
      ["1", "3"],
      ["2", "3"],
      ["3", "3"],
    ]);
  });
});
