import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { alice } from "@/test/fake-api";
import { message, room } from "@/test/chat-fixtures";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { renderWithSession } from "@/test/render";
import { ConversationPage } from "./conversation-page";
import { MESSAGE_PAGE_SIZE } from "./use-conversation";
import { RoomActionsProvider, type RoomActions } from "./rooms/room-actions";

function actionsRestoring(restoreRoom: RoomActions["restoreRoom"]): RoomActions {
  return {
    restoreRoom: vi.fn(restoreRoom),
    listMyRooms: vi.fn(async () => ({ rooms: [], invites: [], blocked: [] })),
    listMembers: vi.fn(async () => []),
  } as unknown as RoomActions;
}

async function renderPage(source: InMemoryChatSource | undefined, actions: RoomActions | null = null) {
  return renderWithSession(
    <Route
      path="/rooms/:roomId"
      element={
        <RoomActionsProvider actions={actions}>
          <ConversationPage slowAfterMs={100} graceMs={10} />
        </RoomActionsProvider>
      }
    />,
    { path: "/rooms/r1", signedIn: true, ...(source ? { chatSource: source } : {}) },
  );
}

describe("ConversationPage", () => {
  it("says a room is not found when there is no backend to have it", async () => {
    await renderPage(undefined);
    expect(screen.getByRole("heading", { name: "Conversation not found" })).toBeInTheDocument();
  });

  it("opens one of the user's rooms", async () => {
    const source = new InMemoryChatSource(alice);
    source.rooms = [room({ id: "r1", name: "Weekend plans" })];
    source.receive(message({ roomId: "r1", text: "Hike on Saturday?", createdAt: new Date() }));

    await renderPage(source);

    expect(await screen.findByRole("heading", { name: "Weekend plans" })).toBeInTheDocument();
    expect(screen.getByText("Hike on Saturday?")).toBeInTheDocument();
  });

  it("says not found only once the functions say the room is not the person's", async () => {
    let answer: (outcome: "not-found") => void = () => {};
    const actions = actionsRestoring((_roomId) => new Promise((resolve) => (answer = resolve)));
    await renderPage(new InMemoryChatSource(alice), actions);

    await waitFor(() => expect(actions.restoreRoom).toHaveBeenCalledWith("r1"));
    expect(screen.getByRole("status", { name: "Loading conversation" })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Conversation not found" })).not.toBeInTheDocument();

    answer("not-found");
    expect(await screen.findByRole("heading", { name: "Conversation not found" })).toBeInTheDocument();
  });

  it("opens a room whose Firestore copy the functions restored", async () => {
    const source = new InMemoryChatSource(alice);
    const actions = actionsRestoring(async () => {
      // The repaired documents reach the room list a moment after the answer.
      setTimeout(() => source.setRooms([room({ id: "r1", name: "Back again" })]), 20);
      return "restored";
    });
    await renderPage(source, actions);

    expect(await screen.findByRole("heading", { name: "Back again" })).toBeInTheDocument();
    expect(actions.restoreRoom).toHaveBeenCalledTimes(1);
  });

  it("says why a room cannot be checked, and tries again", async () => {
    const restoreRoom = vi
      .fn<RoomActions["restoreRoom"]>()
      .mockRejectedValueOnce(new Error("unavailable: the conversation is not ready yet; try again"))
      .mockResolvedValueOnce("not-found");
    await renderPage(new InMemoryChatSource(alice), actionsRestoring(restoreRoom));

    const problem = await screen.findByRole("alert");
    expect(problem).toHaveTextContent("Couldn't load this conversation");
    expect(problem).toHaveTextContent("The conversation is not ready yet; try again");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));

    expect(await screen.findByRole("heading", { name: "Conversation not found" })).toBeInTheDocument();
    expect(restoreRoom).toHaveBeenCalledTimes(2);
  });

  it("stops waiting for a room list that never arrives, says why and watches it again", async () => {
    const source = new InMemoryChatSource(alice);
    source.silent.rooms = true;
    const watchRooms = vi.spyOn(source, "watchRooms");
    await renderPage(
      source,
      actionsRestoring(async () => "restored"),
    );

    expect(screen.getByRole("status", { name: "Loading conversation" })).toBeInTheDocument();
    const problem = await screen.findByRole("alert");
    expect(problem).toHaveTextContent("Couldn't load this conversation");
    expect(problem).toHaveTextContent("FlowChat's servers are not answering, or answering slowly.");

    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(watchRooms).toHaveBeenCalledTimes(2);
    expect(screen.getByRole("status", { name: "Loading conversation" })).toBeInTheDocument();
  });

  it("stops waiting for messages that never arrive, and watches them again", async () => {
    const source = new InMemoryChatSource(alice);
    source.silent.messages = true;
    source.rooms = [room({ id: "r1", name: "Quiet" })];
    const watchMessages = vi.spyOn(source, "watchMessages");
    await renderPage(source);

    expect(await screen.findByRole("heading", { name: "Quiet" })).toBeInTheDocument();
    expect(screen.getByRole("status", { name: "Loading messages" })).toBeInTheDocument();
    expect(await screen.findByRole("alert")).toHaveTextContent("Couldn't load messages");

    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(watchMessages).toHaveBeenCalledTimes(2);
    expect(screen.getByRole("status", { name: "Loading messages" })).toBeInTheDocument();
  });

  it("fetches the room's messages while the room list loads, until the conversation watches them", async () => {
    const source = new InMemoryChatSource(alice);
    source.silent.rooms = true;
    const stopPrefetch = vi.fn();
    const prefetchMessages = vi.fn((_roomId: string, _limit: number) => stopPrefetch);
    Object.assign(source, { prefetchMessages });
    const watchMessages = vi.spyOn(source, "watchMessages");
    source.receive(message({ roomId: "r1", text: "Early bird", createdAt: new Date() }));
    await renderPage(source);

    expect(screen.getByRole("status", { name: "Loading conversation" })).toBeInTheDocument();
    expect(prefetchMessages).toHaveBeenCalledExactlyOnceWith("r1", MESSAGE_PAGE_SIZE);
    expect(watchMessages).not.toHaveBeenCalled();

    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      source.setRooms([room({ id: "r1", name: "Dawn" })]);
      expect(await screen.findByText("Early bird")).toBeInTheDocument();
      expect(watchMessages).toHaveBeenCalledWith("r1", MESSAGE_PAGE_SIZE, expect.anything());
      // Kept a moment, for the conversation's listener to take over the same query.
      expect(stopPrefetch).not.toHaveBeenCalled();
      vi.advanceTimersByTime(5_000);
      expect(stopPrefetch).toHaveBeenCalledTimes(1);
      expect(prefetchMessages).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("stops the fetch at once when the room list answers without the room", async () => {
    const source = new InMemoryChatSource(alice);
    source.silent.rooms = true;
    const stopPrefetch = vi.fn();
    Object.assign(source, { prefetchMessages: vi.fn(() => stopPrefetch) });
    await renderPage(
      source,
      actionsRestoring(() => new Promise(() => {})),
    );

    source.setRooms([room({ id: "r2", name: "Another" })]);
    await waitFor(() => expect(stopPrefetch).toHaveBeenCalledTimes(1));
    expect(screen.getByRole("status", { name: "Loading conversation" })).toBeInTheDocument();
  });

  it("fetches nothing ahead when the room list is known at once (the last known state)", async () => {
    const source = new InMemoryChatSource(alice);
    source.rooms = [room({ id: "r1", name: "Known" })];
    const prefetchMessages = vi.fn(() => () => {});
    Object.assign(source, { prefetchMessages, lastKnownRooms: () => source.rooms });
    await renderPage(source);

    expect(await screen.findByRole("heading", { name: "Known" })).toBeInTheDocument();
    expect(prefetchMessages).not.toHaveBeenCalled();
  });
});
