import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Attachment } from "@/features/chat/types";
import { message } from "@/test/chat-fixtures";
import { MessageList } from "./message-list";

const CDN = "https://cdn.example/demo/image/upload";

function picture(name: string, extra: Partial<Attachment> = {}): Attachment {
  return {
    id: `rooms/r1/${name}`,
    kind: "image",
    url: `${CDN}/c_limit,w_640,h_640/v1/rooms/r1/${name}`,
    fullUrl: `${CDN}/v1/rooms/r1/${name}`,
    name,
    sizeBytes: 2_300_000,
    mimeType: "image/png",
    width: 1600,
    height: 1200,
    ...extra,
  };
}

function renderMessage(attachments: Attachment[]) {
  render(
    <MessageList
      currentUserId="u_alice"
      now={new Date("2026-11-25T15:00:00")}
      messages={[
        message({ text: "Pictures from the offsite", createdAt: new Date("2026-11-25T09:00:00"), attachments }),
      ]}
    />,
  );
  return userEvent.setup();
}

const lightbox = () => screen.getByRole("dialog");
const shownImage = () => within(lightbox()).getByRole("img");

describe("image lightbox", () => {
  it("opens the full-size picture from its thumbnail, with its details", async () => {
    const user = renderMessage([picture("beach.png")]);
    const thumbnail = screen.getByRole("button", { name: "Open image beach.png" });
    expect(within(thumbnail).getByRole("img")).toHaveAttribute("src", picture("beach.png").url);

    await user.click(thumbnail);

    expect(screen.getByRole("dialog", { name: "beach.png" })).toHaveAccessibleDescription("1600 × 1200 · 2.2 MB");
    expect(shownImage()).toHaveAttribute("src", picture("beach.png").fullUrl);
    const original = within(lightbox()).getByRole("link", { name: "Open original" });
    expect(original).toHaveAttribute("href", picture("beach.png").fullUrl);
    expect(original).toHaveAttribute("target", "_blank");
    expect(original).toHaveAttribute("rel", "noopener noreferrer");
    // One picture: no counter, no stepping.
    expect(within(lightbox()).queryByText(/of 1/)).not.toBeInTheDocument();
    expect(within(lightbox()).queryByRole("button", { name: "Next image" })).not.toBeInTheDocument();
  });

  it("shows a spinner until the picture loads, and says so when it cannot", async () => {
    const user = renderMessage([picture("beach.png"), picture("dunes.png")]);
    await user.click(screen.getByRole("button", { name: "Open image beach.png" }));
    expect(within(lightbox()).getByRole("status")).toHaveTextContent("Loading the full-size picture…");
    fireEvent.load(shownImage());
    expect(within(lightbox()).queryByRole("status")).not.toBeInTheDocument();

    await user.keyboard("{ArrowRight}");
    fireEvent.error(shownImage());
    expect(within(lightbox()).getByRole("alert")).toHaveTextContent("The picture could not be loaded.");
    expect(within(lightbox()).queryByRole("img")).not.toBeInTheDocument();
  });

  it("falls back to the preview when there is no full-size link", async () => {
    const user = renderMessage([picture("beach.png", { fullUrl: undefined })]);
    await user.click(screen.getByRole("button", { name: "Open image beach.png" }));
    expect(shownImage()).toHaveAttribute("src", picture("beach.png").url);
  });

  it("closes on Escape and gives focus back to the thumbnail", async () => {
    const user = renderMessage([picture("beach.png")]);
    const thumbnail = screen.getByRole("button", { name: "Open image beach.png" });
    await user.click(thumbnail);
    expect(within(lightbox()).getByRole("button", { name: "Close" })).toBeInTheDocument();

    await user.keyboard("{Escape}");

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(thumbnail).toHaveFocus();
  });

  it("steps through the message's pictures with the arrow keys and the buttons", async () => {
    const user = renderMessage([picture("beach.png"), picture("dunes.png"), picture("pier.png")]);
    await user.click(screen.getByRole("button", { name: "Open image dunes.png" }));
    expect(within(lightbox()).getByText("2 of 3")).toBeInTheDocument();

    await user.keyboard("{ArrowRight}");
    expect(screen.getByRole("dialog", { name: "pier.png" })).toBeInTheDocument();
    expect(within(lightbox()).getByText("3 of 3")).toBeInTheDocument();
    expect(shownImage()).toHaveAttribute("src", picture("pier.png").fullUrl);

    // Past the last comes the first again.
    await user.click(within(lightbox()).getByRole("button", { name: "Next image" }));
    expect(within(lightbox()).getByText("1 of 3")).toBeInTheDocument();
    expect(shownImage()).toHaveAttribute("src", picture("beach.png").fullUrl);

    await user.click(within(lightbox()).getByRole("button", { name: "Previous image" }));
    expect(within(lightbox()).getByText("3 of 3")).toBeInTheDocument();
    await user.keyboard("{ArrowLeft}");
    expect(screen.getByRole("dialog", { name: "dunes.png" })).toBeInTheDocument();
    expect(within(lightbox()).getByText("2 of 3")).toBeInTheDocument();
    await user.keyboard("{ArrowLeft}");
    expect(within(lightbox()).getByText("1 of 3")).toBeInTheDocument();

    // Closing returns focus to the thumbnail of the picture shown last, not the one opened.
    await user.click(within(lightbox()).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.getByRole("button", { name: "Open image beach.png" })).toHaveFocus();
  });

  it("leaves files as download links, and pictures still processing closed", async () => {
    const user = renderMessage([
      {
        id: "a1",
        kind: "file",
        url: "https://files.example/deck.pdf",
        name: "deck.pdf",
        sizeBytes: 2_300_000,
        mimeType: "application/pdf",
      },
      picture("pending.png", { url: "", fullUrl: undefined }),
    ]);
    const link = screen.getByRole("link", { name: /deck\.pdf/ });
    expect(link).toHaveAttribute("href", "https://files.example/deck.pdf");
    expect(screen.queryByRole("button", { name: /^Open image/ })).not.toBeInTheDocument();
    expect(screen.getByText("processing…")).toBeInTheDocument();

    link.addEventListener("click", (event) => event.preventDefault());
    await user.click(link);
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});
