// Keyboard handling in a conversation: Enter / Shift+Enter, Up arrow edits your last
// message, Esc cancels an edit or a reply and closes dialogs.
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { message, room } from "@/test/chat-fixtures";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { Composer, isEditLastKey } from "./composer";
import { ConversationView, lastEditable } from "./conversation-view";

const me = { id: "u_alice", displayName: "Alice" };
const general = room({ id: "r1", name: "General" });

function key(
  key: string,
  modifiers: Partial<{ shiftKey: boolean; altKey: boolean; ctrlKey: boolean; metaKey: boolean }> = {},
  isComposing = false,
) {
  return {
    key,
    shiftKey: false,
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    ...modifiers,
    nativeEvent: { isComposing },
  };
}

describe("isEditLastKey", () => {
  it("is a bare Up arrow in an empty box", () => {
    expect(isEditLastKey(key("ArrowUp"), "")).toBe(true);
    expect(isEditLastKey(key("ArrowUp"), "draft")).toBe(false);
    expect(isEditLastKey(key("ArrowUp", { shiftKey: true }), "")).toBe(false);
    expect(isEditLastKey(key("ArrowUp", { altKey: true }), "")).toBe(false);
    expect(isEditLastKey(key("ArrowUp", {}, true), "")).toBe(false);
    expect(isEditLastKey(key("ArrowDown"), "")).toBe(false);
  });
});

describe("lastEditable", () => {
  it("finds your newest sent, undeleted message with text", () => {
    const at = (minute: number) => new Date(2026, 10, 25, 9, minute);
    const messages = [
      message({ id: "a", senderId: me.id, createdAt: at(0) }),
      message({ id: "b", senderId: me.id, createdAt: at(1) }),
      message({ id: "c", senderId: me.id, createdAt: at(2), deleted: true, text: "" }),
      message({ id: "d", senderId: me.id, createdAt: at(3), delivery: "sending" }),
      message({ id: "e", senderId: "u_bob", createdAt: at(4) }),
    ];
    expect(lastEditable(messages, me.id)?.id).toBe("b");
    expect(lastEditable(messages, "u_carol")).toBeUndefined();
  });
});

describe("Composer keys", () => {
  it("asks to edit the last message on Up in the empty box only", async () => {
    const onEditLast = vi.fn(() => true);
    render(<Composer roomName="General" onSend={vi.fn()} onEditLast={onEditLast} />);
    const box = screen.getByLabelText("Message General");

    await userEvent.type(box, "hi{ArrowUp}");
    expect(onEditLast).not.toHaveBeenCalled();
    await userEvent.clear(box);
    await userEvent.keyboard("{ArrowUp}");
    expect(onEditLast).toHaveBeenCalledTimes(1);
  });
});

describe("ConversationView keys", () => {
  function renderConversation() {
    const source = new InMemoryChatSource(me);
    source.receive(
      message({
        id: "mine1",
        roomId: "r1",
        senderId: me.id,
        senderName: me.displayName,
        text: "First draft",
        createdAt: new Date("2026-11-25T09:00:00"),
      }),
    );
    source.receive(
      message({
        id: "mine2",
        roomId: "r1",
        senderId: me.id,
        senderName: me.displayName,
        text: "Sounds good",
        createdAt: new Date("2026-11-25T09:01:00"),
      }),
    );
    source.receive(
      message({
        id: "bob1",
        roomId: "r1",
        senderId: "u_bob",
        senderName: "Bob",
        text: "Pizza tonight?",
        createdAt: new Date("2026-11-25T09:02:00"),
      }),
    );
    render(
      <MemoryRouter>
        <ConversationView source={source} room={general} currentUserId={me.id} />
      </MemoryRouter>,
    );
    return source;
  }

  it("Up arrow in the empty composer edits your last message; Enter saves", async () => {
    const source = renderConversation();
    const user = userEvent.setup();
    await user.click(screen.getByLabelText("Message General"));

    await user.keyboard("{ArrowUp}");
    const editor = await screen.findByLabelText("Edit message");
    expect(editor).toHaveValue("Sounds good");
    expect(editor).toHaveFocus();
    await user.clear(editor);
    await user.type(editor, "Sounds great{Enter}");

    expect(source.editMessage).toHaveBeenCalledWith("r1", "mine2", "Sounds great");
    await waitFor(() => expect(screen.getByLabelText("Message General")).toHaveFocus());
  });

  it("Esc cancels the edit and returns to the composer", async () => {
    const source = renderConversation();
    const user = userEvent.setup();
    await user.click(screen.getByLabelText("Message General"));
    await user.keyboard("{ArrowUp}");
    await screen.findByLabelText("Edit message");

    await user.keyboard("{Escape}");

    expect(screen.queryByLabelText("Edit message")).not.toBeInTheDocument();
    expect(source.editMessage).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.getByLabelText("Message General")).toHaveFocus());
  });

  it("Up arrow with a draft moves the caret instead of editing", async () => {
    renderConversation();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Message General"), "draft{ArrowUp}");
    expect(screen.queryByLabelText("Edit message")).not.toBeInTheDocument();
  });

  it("Esc cancels a reply, Enter sends and Shift+Enter adds a line", async () => {
    const source = renderConversation();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Actions for message from Bob" }));
    await user.click(await screen.findByRole("menuitem", { name: "Reply" }));
    expect(await screen.findByText(/Replying to/)).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByText(/Replying to/)).not.toBeInTheDocument();

    await user.type(screen.getByLabelText("Message General"), "one{Shift>}{Enter}{/Shift}two{Enter}");
    expect(source.sendMessage).toHaveBeenCalledWith("r1", { text: "one\ntwo" });
  });

  it("Esc cancels an edit started from the message menu", async () => {
    const source = renderConversation();
    const user = userEvent.setup();
    await user.click(screen.getAllByRole("button", { name: "Actions for message from you" }).at(-1)!);
    await user.click(await screen.findByRole("menuitem", { name: "Edit" }));
    const editor = await screen.findByLabelText("Edit message");
    await waitFor(() => expect(editor).toHaveFocus());
    await user.keyboard("{Escape}");
    expect(screen.queryByLabelText("Edit message")).not.toBeInTheDocument();
    expect(source.editMessage).not.toHaveBeenCalled();
  });

  it("Esc closes the delete confirmation", async () => {
    const source = renderConversation();
    const user = userEvent.setup();
    await user.click(screen.getAllByRole("button", { name: "Actions for message from you" }).at(-1)!);
    await user.click(await screen.findByRole("menuitem", { name: "Delete" }));
    expect(await screen.findByRole("dialog", { name: "Delete this message?" })).toBeInTheDocument();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(source.deleteMessage).not.toHaveBeenCalled();
  });
});
