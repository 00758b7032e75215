import { renderHook, waitFor } from "@testing-library/react";
import { createRef } from "react";
import { describe, expect, it, vi } from "vitest";
import type { Message } from "@/features/chat/types";
import { useMessageFocus } from "./use-message-focus";

function message(id: string): Message {
  return {
    id,
    roomId: "room",
    senderId: "ben",
    senderName: "Ben",
    text: id,
    createdAt: new Date(0),
    editedAt: null,
    deleted: false,
    delivery: "sent",
    attachments: [],
    reactions: [],
    mentions: [],
  } as unknown as Message;
}

const live = [message("new1"), message("new2")];

function focusOn(openAround: (id: string) => Promise<boolean>) {
  return renderHook(
    ({ messages, ready }: { messages: Message[]; ready: boolean }) =>
      useMessageFocus({
        messageId: "old",
        messages,
        ready,
        hasOlder: true,
        loadingOlder: false,
        loadOlder: () => Promise.resolve(),
        openAround,
        scroller: createRef<HTMLElement>(),
        onLeaveBottom: () => {},
      }),
    { initialProps: { messages: live, ready: true } },
  );
}

describe("useMessageFocus", () => {
  it("loads the history around a message that is not loaded, once, and highlights it", async () => {
    const openAround = vi.fn(() => Promise.resolve(true));
    const view = focusOn(openAround);
    await waitFor(() => expect(openAround).toHaveBeenCalledWith("old"));
    expect(view.result.current.pending).toBe(true);
    view.rerender({ messages: [message("old"), ...live], ready: true });
    await waitFor(() => expect(view.result.current.highlightedId).toBe("old"));
    expect(view.result.current.pending).toBe(false);
    expect(openAround).toHaveBeenCalledTimes(1);
  });

  it("asks again when the conversation starts over and the history went with it", async () => {
    const openAround = vi.fn(() => Promise.resolve(true));
    const view = focusOn(openAround);
    await waitFor(() => expect(openAround).toHaveBeenCalledTimes(1));
    view.rerender({ messages: [message("old"), ...live], ready: true });
    await waitFor(() => expect(view.result.current.pending).toBe(false));

    // Watched again from scratch: loading, then the newest page only.
    view.rerender({ messages: [], ready: false });
    view.rerender({ messages: live, ready: true });
    await waitFor(() => expect(openAround).toHaveBeenCalledTimes(2));
    expect(view.result.current.pending).toBe(true);
  });

  it("says the message is missing when the room does not have it", async () => {
    const view = focusOn(() => Promise.resolve(false));
    await waitFor(() => expect(view.result.current.missing).toBe(true));
    expect(view.result.current.pending).toBe(false);
  });
});
