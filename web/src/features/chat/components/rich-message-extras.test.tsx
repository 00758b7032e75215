import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes, useParams } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LinkPreview, PinnedMessage } from "@/features/chat/types";
import { message } from "@/test/chat-fixtures";
import { LinkPreviewCard } from "./link-preview-card";
import { MessageBubble } from "./message-bubble";
import { MessageExtrasProvider, type MessageExtras } from "./message-extras";
import { PinnedPanel } from "./pinned-panel";

afterEach(cleanup);

const PREVIEW: LinkPreview = {
  url: "https://trail.example/boots",
  title: "Boots for the weekend",
  description: "Which boots to bring on a wet trail.",
  siteName: "Trail News",
  imageUrl: "https://res.cloudinary.com/demo/image/fetch/c_limit,w_600/https://trail.example/boots.png",
};

describe("LinkPreviewCard", () => {
  it("shows site, title, description and the Cloudinary image, linking out safely", () => {
    render(<LinkPreviewCard preview={PREVIEW} />);
    const card = screen.getByRole("article", { name: "Link preview: Boots for the weekend" });
    const link = within(card).getByRole("link");
    expect(link.getAttribute("href")).toBe(PREVIEW.url);
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(link.textContent).toBe("Trail NewsBoots for the weekendWhich boots to bring on a wet trail.");
    const image = card.querySelector("img")!;
    expect(image.getAttribute("src")).toBe(PREVIEW.imageUrl);
    expect(image.getAttribute("referrerpolicy")).toBe("no-referrer");
    expect(image.getAttribute("alt")).toBe("");
    expect(within(card).queryByRole("button")).toBeNull();
  });

  it("falls back to the site or the address when there is no title, and shows no empty image", () => {
    render(<LinkPreviewCard preview={{ ...PREVIEW, title: "", imageUrl: "" }} />);
    expect(screen.getByRole("article", { name: "Link preview: Trail News" }).querySelector("img")).toBeNull();
  });

  it("offers Remove preview when given a handler", async () => {
    const onRemove = vi.fn();
    render(<LinkPreviewCard preview={PREVIEW} onRemove={onRemove} />);
    await userEvent.click(screen.getByRole("button", { name: "Remove preview" }));
    expect(onRemove).toHaveBeenCalledOnce();
  });
});

function renderBubble(own: boolean, extras: MessageExtras) {
  const withPreview = message({
    id: "m-link",
    senderId: own ? "u_alice" : "u_bob",
    text: "look https://trail.example/boots",
    createdAt: new Date("2026-11-25T09:00:00"),
    preview: PREVIEW,
  });
  render(
    <MessageExtrasProvider value={extras}>
      <MessageBubble message={withPreview} own={own} position="single" currentUserId="u_alice" onReply={() => {}} />
    </MessageExtrasProvider>,
  );
  return withPreview;
}

describe("MessageBubble with the conversation's extras", () => {
  it("lets the sender remove the card, and nobody else", async () => {
    const onRemovePreview = vi.fn();
    const sent = renderBubble(true, { pinnedIds: new Set(), onRemovePreview });
    await userEvent.click(screen.getByRole("button", { name: "Remove preview" }));
    expect(onRemovePreview).toHaveBeenCalledWith(sent);
    cleanup();
    renderBubble(false, { pinnedIds: new Set(), onRemovePreview });
    expect(screen.getByTestId("link-preview")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Remove preview" })).toBeNull();
  });

  it("offers Copy link and Pin, marks a pinned message and offers Unpin for it", async () => {
    const onCopyLink = vi.fn();
    const onTogglePin = vi.fn();
    const user = userEvent.setup();
    const shown = renderBubble(false, { pinnedIds: new Set(), onCopyLink, onTogglePin });
    expect(screen.queryByTestId("pinned-mark")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Actions for message from Bob Stone" }));
    await user.click(await screen.findByRole("menuitem", { name: "Copy link" }));
    expect(onCopyLink).toHaveBeenCalledWith(shown);
    await user.click(screen.getByRole("button", { name: "Actions for message from Bob Stone" }));
    await user.click(await screen.findByRole("menuitem", { name: "Pin" }));
    expect(onTogglePin).toHaveBeenCalledWith(shown, false);
    cleanup();

    renderBubble(false, { pinnedIds: new Set(["m-link"]), onCopyLink, onTogglePin });
    expect(screen.getByTestId("pinned-mark").textContent).toBe("Pinned");
    await user.click(screen.getByRole("button", { name: "Actions for message from Bob Stone" }));
    await user.click(await screen.findByRole("menuitem", { name: "Unpin" }));
    expect(onTogglePin).toHaveBeenLastCalledWith(expect.objectContaining({ id: "m-link" }), true);
  });

  it("offers no Pin to someone who may not pin", async () => {
    const user = userEvent.setup();
    renderBubble(false, { pinnedIds: new Set(), onCopyLink: vi.fn() });
    await user.click(screen.getByRole("button", { name: "Actions for message from Bob Stone" }));
    await screen.findByRole("menuitem", { name: "Copy link" });
    expect(screen.queryByRole("menuitem", { name: "Pin" })).toBeNull();
  });
});

function FocusProbe() {
  const { roomId, messageId } = useParams();
  return <p data-testid="focus">{`${roomId}/${messageId}`}</p>;
}

const PINS: PinnedMessage[] = [
  {
    messageId: "m2",
    senderId: "u_bob",
    senderName: "Bob Stone",
    text: "Meet at 9",
    pinnedBy: "u_alice",
    pinnedAt: new Date(),
  },
  { messageId: "m1", senderId: "u_cara", senderName: "Cara Diaz", text: "", pinnedBy: "u_alice", pinnedAt: new Date() },
];

describe("PinnedPanel", () => {
  function renderPanel(onUnpin?: (id: string) => void) {
    render(
      <MemoryRouter initialEntries={["/rooms/r1"]}>
        <Routes>
          <Route path="/rooms/:roomId" element={<PinnedPanel roomId="r1" pins={PINS} onUnpin={onUnpin} />} />
          <Route path="/r/:roomId/m/:messageId" element={<FocusProbe />} />
        </Routes>
      </MemoryRouter>,
    );
  }

  it("lists the pins with their senders and jumps to a message through its permalink", async () => {
    const user = userEvent.setup();
    renderPanel();
    await user.click(screen.getByRole("button", { name: "Pinned messages (2)" }));
    const list = screen.getByRole("list", { name: "Pinned messages" });
    const items = within(list).getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual(["Bob StoneMeet at 9", "Cara DiazMessage"]);
    expect(within(list).queryByRole("button")).toBeNull();
    await user.click(within(items[0]!).getByRole("link"));
    expect(screen.getByTestId("focus").textContent).toBe("r1/m2");
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("offers Unpin to those who may pin", async () => {
    const onUnpin = vi.fn();
    const user = userEvent.setup();
    renderPanel(onUnpin);
    await user.click(screen.getByRole("button", { name: "Pinned messages (2)" }));
    await user.click(screen.getByRole("button", { name: "Unpin message from Cara Diaz" }));
    expect(onUnpin).toHaveBeenCalledWith("m1");
  });

  it("says when nothing is pinned", async () => {
    render(
      <MemoryRouter>
        <PinnedPanel roomId="r1" pins={[]} />
      </MemoryRouter>,
    );
    await userEvent.click(screen.getByRole("button", { name: "Pinned messages (0)" }));
    expect(screen.getByText("Nothing is pinned in this conversation yet.")).toBeInTheDocument();
  });
});
