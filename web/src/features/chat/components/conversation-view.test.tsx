import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { Toaster } from "sonner";
import { describe, expect, it, vi } from "vitest";
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
    source.receive(
      message({ id: `h${index}`, roomId: "r1", text: `history ${index}`, createdAt: new Date(start + index * 60_000) }),
    );
  }
  return source;
}

function renderView(source: InMemoryChatSource, shown = general) {
  return render(
    <MemoryRouter>
      <ConversationView source={source} room={shown} currentUserId={me.id} />
    </MemoryRouter>,
  );
}

/** jsdom lays nothing out: give the message scroller a height, content and a scroll position. */
function fakeScrolling(
  scroller: HTMLElement,
  { scrollHeight, clientHeight }: { scrollHeight: number; clientHeight: number },
) {
  let top = scrollHeight - clientHeight;
  Object.defineProperties(scroller, {
    scrollHeight: { configurable: true, get: () => scrollHeight },
    clientHeight: { configurable: true, get: () => clientHeight },
    scrollTop: {
      configurable: true,
      get: () => top,
      set: (value: number) => {
        top = Math.max(0, Math.min(value, scrollHeight - clientHeight));
      },
    },
  });
  const scrollTo = vi.fn((options: ScrollToOptions) => {
    scroller.scrollTop = options.top ?? top;
    fireEvent.scroll(scroller);
  });
  scroller.scrollTo = scrollTo as unknown as typeof scroller.scrollTo;
  return {
    scrollTo,
    scrollUserTo(value: number) {
      scroller.scrollTop = value;
      fireEvent.scroll(scroller);
    },
  };
}

describe("ConversationView", () => {
  it('shows what goes under the last message ("Seen") only once that message has been sent', async () => {
    const source = sourceWithHistory(1);
    render(
      <MemoryRouter>
        <ConversationView source={source} room={general} currentUserId={me.id} afterMessages={<p>Seen</p>} />
      </MemoryRouter>,
    );
    await screen.findByText("history 0");
    expect(screen.getByText("Seen")).toBeInTheDocument();
    act(() =>
      source.receive(
        message({
          id: "p1",
          roomId: "r1",
          senderId: me.id,
          text: "still going out",
          createdAt: new Date(),
          delivery: "sending",
        }),
      ),
    );
    await screen.findByText("still going out");
    expect(screen.queryByText("Seen")).toBeNull();
    act(() =>
      source.receive(
        message({
          id: "p2",
          roomId: "r1",
          senderId: me.id,
          text: "refused",
          createdAt: new Date(),
          delivery: "failed",
        }),
      ),
    );
    await screen.findByText("refused");
    expect(screen.queryByText("Seen")).toBeNull();
  });

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

    act(() =>
      source.receive(message({ roomId: "r1", senderName: "Bob Stone", text: "Lunch?", createdAt: new Date() })),
    );

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

  it("writes the read position at most once a second in a busy room, the newest winning", async () => {
    const source = sourceWithHistory(3);
    renderView(source);
    await waitFor(() => expect(source.markRead).toHaveBeenCalledWith("r1", "h2"));
    act(() => {
      for (let index = 0; index < 10; index++)
        source.receive(message({ id: `busy${index}`, roomId: "r1", text: `busy ${index}`, createdAt: new Date() }));
    });
    await waitFor(() => expect(source.markRead).toHaveBeenCalledWith("r1", "busy9"), { timeout: 3_000 });
    expect(source.markRead).toHaveBeenCalledTimes(2);
  });

  it("offers a jump to the latest message after scrolling up, counting what arrived since", async () => {
    const source = sourceWithHistory(30);
    renderView(source);
    await waitFor(() => expect(source.markRead).toHaveBeenCalledWith("r1", "h29"));
    const scroller = screen.getByRole("list", { name: "Messages" }).closest<HTMLElement>(".overflow-y-auto")!;
    const scrolling = fakeScrolling(scroller, { scrollHeight: 3000, clientHeight: 500 });
    expect(screen.queryByRole("button", { name: "Jump to latest" })).not.toBeInTheDocument();

    scrolling.scrollUserTo(1000);
    expect(await screen.findByRole("button", { name: "Jump to latest" })).toBeInTheDocument();

    act(() => {
      source.receive(message({ id: "bob1", roomId: "r1", text: "Are you there?", createdAt: new Date() }));
      source.receive(message({ id: "bob2", roomId: "r1", text: "Hello?", createdAt: new Date() }));
    });
    const jump = await screen.findByRole("button", { name: "2 new messages" });
    // Read markers wait until the new messages are on screen.
    expect(source.markRead).not.toHaveBeenCalledWith("r1", "bob2");
    expect(scroller.scrollTop).toBe(1000);

    await userEvent.click(jump);

    expect(scrolling.scrollTo).toHaveBeenCalledWith(expect.objectContaining({ top: 3000 }));
    await waitFor(() => expect(source.markRead).toHaveBeenCalledWith("r1", "bob2"));
    expect(screen.queryByRole("button", { name: /new message|Jump to latest/ })).not.toBeInTheDocument();
    expect(screen.getByLabelText("Message General")).toHaveFocus();
  });

  it("invites the first message in an empty room", () => {
    renderView(new InMemoryChatSource(me));
    expect(screen.getByText("No messages yet. Say hello!")).toBeInTheDocument();
  });
});

describe("ConversationView drafts", () => {
  it("keeps what was typed when the person leaves the room and comes back", async () => {
    const source = sourceWithHistory(1);
    const visit = renderView(source);
    await userEvent.type(screen.getByLabelText("Message General"), "Half a thought");
    visit.unmount();

    renderView(source, room({ id: "r2", name: "Random" }));
    expect(screen.getByLabelText("Message Random")).toHaveValue("");
    cleanup();

    renderView(source);
    expect(screen.getByLabelText("Message General")).toHaveValue("Half a thought");
  });

  it("forgets the draft once it is sent", async () => {
    const source = sourceWithHistory(1);
    const visit = renderView(source);
    await userEvent.type(screen.getByLabelText("Message General"), "Sent soon{Enter}");
    expect(source.sendMessage).toHaveBeenCalledWith("r1", { text: "Sent soon" });
    visit.unmount();

    renderView(source);
    expect(screen.getByLabelText("Message General")).toHaveValue("");
  });
});

describe("ConversationView when a message does not go out", () => {
  function renderWithToasts(source: InMemoryChatSource) {
    return render(
      <MemoryRouter>
        <ConversationView source={source} room={general} currentUserId={me.id} />
        <Toaster />
      </MemoryRouter>,
    );
  }

  it("gives the text and the reply back, and says why when the rules refuse it", async () => {
    const source = new InMemoryChatSource(me);
    source.receive(
      message({ id: "bob1", roomId: "r1", senderName: "Bob", text: "Pizza tonight?", createdAt: new Date() }),
    );
    source.sendMessage.mockRejectedValueOnce(
      Object.assign(new Error("Missing or insufficient permissions."), { code: "permission-denied" }),
    );
    renderWithToasts(source);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Actions for message from Bob" }));
    await user.click(await screen.findByRole("menuitem", { name: "Reply" }));

    await user.type(screen.getByLabelText("Message General"), "Yes, at 8{Enter}");

    expect(
      await screen.findByText("Message not sent: you can no longer post in this conversation."),
    ).toBeInTheDocument();
    expect(screen.getByLabelText("Message General")).toHaveValue("Yes, at 8");
    expect(screen.getByText(/Replying to/)).toHaveTextContent("Replying to Bob: Pizza tonight?");
  });

  it("blames the connection for other failures, and keeps what was typed since", async () => {
    const source = sourceWithHistory(1);
    let fail: (error: Error) => void = () => {};
    source.sendMessage.mockImplementationOnce(() => new Promise((_, reject) => (fail = reject)));
    renderWithToasts(source);
    const box = screen.getByLabelText("Message General");
    await userEvent.type(box, "First try{Enter}");
    await userEvent.type(box, "Something else");

    act(() => fail(new Error("unavailable")));

    expect(await screen.findByText("Message not sent. Check your connection and try again.")).toBeInTheDocument();
    expect(box).toHaveValue("Something else");
  });
});

describe("ConversationView message actions", () => {
  function sourceWithTwoMessages() {
    const source = new InMemoryChatSource(me);
    source.receive(
      message({
        id: "bob1",
        roomId: "r1",
        senderId: "u_bob",
        senderName: "Bob",
        text: "Pizza tonight?",
        createdAt: new Date("2026-11-25T09:00:00"),
      }),
    );
    source.receive(
      message({
        id: "mine1",
        roomId: "r1",
        senderId: me.id,
        senderName: me.displayName,
        text: "Sounds good",
        createdAt: new Date("2026-11-25T09:01:00"),
      }),
    );
    return source;
  }

  async function openActions(from: string) {
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: `Actions for message from ${from}` }));
    return user;
  }

  it("reacts from the menu and toggles a reaction from its chip", async () => {
    const source = sourceWithTwoMessages();
    renderView(source);

    const user = await openActions("Bob");
    await user.click(await screen.findByRole("menuitem", { name: "React with 👍" }));

    expect(source.toggleReaction).toHaveBeenCalledWith("r1", "bob1", "👍");
    const chip = await screen.findByRole("button", { name: "👍 1, remove your reaction" });
    expect(chip).toHaveAttribute("aria-pressed", "true");

    await user.click(chip);
    expect(source.toggleReaction).toHaveBeenCalledTimes(2);
    await waitFor(() => expect(screen.queryByRole("button", { name: /👍/ })).not.toBeInTheDocument());
  });

  it("replies to a message", async () => {
    const source = sourceWithTwoMessages();
    renderView(source);

    const user = await openActions("Bob");
    await user.click(await screen.findByRole("menuitem", { name: "Reply" }));
    expect(screen.getByText(/Replying to/)).toHaveTextContent("Replying to Bob: Pizza tonight?");
    await user.type(screen.getByLabelText("Message General"), "Yes!{Enter}");

    expect(source.sendMessage).toHaveBeenCalledWith("r1", { text: "Yes!", replyToId: "bob1" });
    expect(screen.queryByText(/Replying to/)).not.toBeInTheDocument();
    const sent = (await screen.findAllByTestId("message")).at(-1)!;
    expect(sent).toHaveTextContent("Bob: Pizza tonight?");
  });

  it("offers edit and delete only on your own messages", async () => {
    renderView(sourceWithTwoMessages());

    const user = await openActions("Bob");
    await screen.findByRole("menuitem", { name: "Reply" });
    expect(screen.queryByRole("menuitem", { name: "Edit" })).not.toBeInTheDocument();
    expect(screen.queryByRole("menuitem", { name: "Delete" })).not.toBeInTheDocument();
    await user.keyboard("{Escape}");

    await openActions("you");
    expect(await screen.findByRole("menuitem", { name: "Edit" })).toBeInTheDocument();
    expect(screen.getByRole("menuitem", { name: "Delete" })).toBeInTheDocument();
  });

  it("edits your message in place", async () => {
    const source = sourceWithTwoMessages();
    renderView(source);

    const user = await openActions("you");
    await user.click(await screen.findByRole("menuitem", { name: "Edit" }));
    const editor = await screen.findByLabelText("Edit message");
    await user.clear(editor);
    await user.type(editor, "Sounds great{Enter}");

    expect(source.editMessage).toHaveBeenCalledWith("r1", "mine1", "Sounds great");
    const edited = await screen.findByText("Sounds great");
    expect(edited.closest("[data-testid=message]")).toHaveTextContent("Edited");
  });

  it("deletes your message after confirming", async () => {
    const source = sourceWithTwoMessages();
    renderView(source);

    const user = await openActions("you");
    await user.click(await screen.findByRole("menuitem", { name: "Delete" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete this message?" });
    expect(source.deleteMessage).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));

    expect(source.deleteMessage).toHaveBeenCalledWith("r1", "mine1");
    expect(await screen.findByText("This message was deleted")).toBeInTheDocument();
  });
});
