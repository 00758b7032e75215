import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { message } from "@/test/chat-fixtures";
import { MessageList } from "./message-list";

const now = new Date("2026-11-25T15:00:00");

describe("MessageList", () => {
  it("shows day separators and one header per sender group", () => {
    render(
      <MessageList
        currentUserId="u_alice"
        now={now}
        messages={[
          message({
            senderId: "u_bob",
            senderName: "Bob Stone",
            text: "Morning!",
            createdAt: new Date("2026-11-24T09:00:00"),
          }),
          message({
            senderId: "u_bob",
            senderName: "Bob Stone",
            text: "Coffee?",
            createdAt: new Date("2026-11-24T09:01:00"),
          }),
          message({
            senderId: "u_alice",
            senderName: "Alice",
            text: "Yes please",
            createdAt: new Date("2026-11-25T08:00:00"),
          }),
        ]}
      />,
    );

    const separators = screen.getAllByRole("separator");
    expect(separators.map((separator) => separator.getAttribute("aria-label"))).toEqual(["Yesterday", "Today"]);
    expect(screen.getAllByText("Bob Stone")).toHaveLength(1);
    expect(screen.getAllByTestId("message").map((bubble) => bubble.textContent)).toEqual([
      expect.stringContaining("Morning!"),
      expect.stringContaining("Coffee?"),
      expect.stringContaining("Yes please"),
    ]);
    expect(screen.getByText("You")).toBeInTheDocument();
  });

  it("shows deleted messages as deleted, and marks edited ones", () => {
    render(
      <MessageList
        currentUserId="u_alice"
        now={now}
        messages={[
          message({ text: "secret", deleted: true, createdAt: new Date("2026-11-25T09:00:00") }),
          message({
            text: "fixed typo",
            editedAt: new Date("2026-11-25T09:02:00"),
            createdAt: new Date("2026-11-25T09:01:00"),
          }),
        ]}
      />,
    );

    const [deleted, edited] = screen.getAllByTestId("message");
    expect(deleted).toHaveTextContent("This message was deleted");
    expect(deleted).not.toHaveTextContent("secret");
    expect(edited).toHaveTextContent("Edited");
  });

  it("shows replies, reactions and attachments", () => {
    render(
      <MessageList
        currentUserId="u_alice"
        now={now}
        messages={[
          message({
            text: "Here it is",
            createdAt: new Date("2026-11-25T09:00:00"),
            replyTo: { messageId: "m0", senderId: "u_alice", senderName: "Alice", text: "Send the deck?" },
            reactions: { "👍": ["u_alice", "u_carol"], "🎉": [] },
            attachments: [
              {
                id: "a1",
                kind: "file",
                url: "https://files.example/deck.pdf",
                name: "deck.pdf",
                sizeBytes: 2_300_000,
                mimeType: "application/pdf",
              },
            ],
          }),
        ]}
      />,
    );

    const bubble = screen.getByTestId("message");
    expect(bubble).toHaveTextContent("Alice: Send the deck?");
    expect(within(bubble).getByRole("link", { name: /deck\.pdf/ })).toHaveAttribute(
      "href",
      "https://files.example/deck.pdf",
    );
    expect(within(bubble).getByText("2.2 MB")).toBeInTheDocument();
    const reactions = within(bubble).getByRole("list", { name: "Reactions" });
    expect(
      within(reactions)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(["👍 2"]);
  });
});
