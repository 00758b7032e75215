import { screen } from "@testing-library/react";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { alice } from "@/test/fake-api";
import { message, room } from "@/test/chat-fixtures";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { renderWithSession } from "@/test/render";
import { ConversationPage } from "./conversation-page";

describe("ConversationPage", () => {
  it("says a room is not found when there is no such room", async () => {
    await renderWithSession(<Route path="/rooms/:roomId" element={<ConversationPage />} />, {
      path: "/rooms/r404",
      signedIn: true,
    });
    expect(screen.getByRole("heading", { name: "Conversation not found" })).toBeInTheDocument();
  });

  it("opens one of the user's rooms", async () => {
    const source = new InMemoryChatSource(alice);
    source.rooms = [room({ id: "r1", name: "Weekend plans" })];
    source.receive(message({ roomId: "r1", text: "Hike on Saturday?", createdAt: new Date() }));

    await renderWithSession(<Route path="/rooms/:roomId" element={<ConversationPage />} />, {
      path: "/rooms/r1",
      signedIn: true,
      chatSource: source,
    });

    expect(await screen.findByRole("heading", { name: "Weekend plans" })).toBeInTheDocument();
    expect(screen.getByText("Hike on Saturday?")).toBeInTheDocument();
  });
});
