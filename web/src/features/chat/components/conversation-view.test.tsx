import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { MESSAGE_PAGE_SIZE } from "@/features/chat/use-conversation";
import { message, room } from "@/test/chat-fixtures";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { ConversationView } from "./conversation-view";

const me = { id: "u_alice", displayName: "Alice" };
const general = room({ id: "r1", name: "General" });

function sourceWithHistory(count: number) {
  const source = new InMemoryChatSource(me);
  const start = new Date("2026-11-25T08:00:00").getTime();
  for (let index = 0; index < count; index += 1) {
    source.receive(message({ id: `h${index}`, roomId: "r1", text: `history ${index}`, createdAt: new Date(start + index * 60_000) }));
  }
  return source;
}

function renderView(source: InMemoryChatSource) {
  return render(
    <MemoryRouter>
      <ConversationView source={source} room={general} currentUserId={me.id} />
    </MemoryRouter>,
  );
}

describe("ConversationView", () => {
  it("shows the newest page and loads earlier messages on request", async () => {
    const source = sourceWithHistory(MESSAGE_PAGE_SIZE + 5);
    renderView(source);

    expect(screen.getAllByTestId("message")).toHaveLength(MESSAGE_PAGE_SIZE);
    expect(screen.queryByText("history 0")).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Load earlier messages" }));

    expect(await screen.findByText("history 0")).toBeInTheDocument();
    expect(screen.getAllByTestId("message")).toHaveLength(MESSAGE_PAGE_SIZE + 5);
    expect(screen.queryByRole("button", { name: "Load earlier messages" })).not.toBeInTheDocument();
  });

  it("sends from the composer and shows the message when the source confirms it", async () => {
    const source = sourceWithHistory(2);
    renderView(source);

    await userEvent.type(screen.getByLabelText("Message General"), "On my way{Enter}");

    expect(source.sendMessage).toHaveBeenCalledWith("r1", { text: "On my way" });
    expect(await screen.findByText("On my way")).toBeInTheDocument();
    expect(source.setTyping).toHaveBeenCalledWith("r1", true);
    expect(source.setTyping).toHaveBeenLastCalledWith("r1", false);
  });

  it("shows live messages from others and announces them", async () => {
    const source = sourceWithHistory(1);
    renderView(source);

    act(() => source.receive(message({ roomId: "r1", senderName: "Bob Stone", text: "Lunch?", createdAt: new Date() })));

    expect(await screen.findByText("Lunch?")).toBeInTheDocument();
    expect(screen.getByText("Bob Stone: Lunch?")).toBeInTheDocument();
  });

  it("shows who else is typing", async () => {
    const source = sourceWithHistory(1);
    renderView(source);

    act(() =>
      source.setTypingUsers("r1", [
        { userId: "u_bob", displayName: "Bob" },
        { userId: me.id, displayName: me.displayName },
      ]),
    );

    expect(await screen.findByText("Bob is typing…")).toBeInTheDocument();
  });

  it("marks the newest message read", async () => {
    const source = sourceWithHistory(3);
    renderView(source);

    await waitFor(() => expect(source.markRead).toHaveBeenCalledWith("r1", "h2"));
  });

  it("invites the first message in an empty room", () => {
    renderView(new InMemoryChatSource(me));
    expect(screen.getByText("No messages yet. Say hello!")).toBeInTheDocument();
  });
});
