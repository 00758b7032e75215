import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { alice } from "@/test/fake-api";
import { room } from "@/test/chat-fixtures";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { renderWithSession } from "@/test/render";
import { ConversationPage } from "./conversation-page";
import { RoomActionsProvider, type RoomActions } from "./rooms/room-actions";
import type { Attachment } from "./types";

function uploadingActions() {
  let progress: (fraction: number) => void = () => {};
  let finish: (attachment: Attachment) => void = () => {};
  const uploadAttachment = vi.fn(
    (_roomId: string, _file: File, onProgress: (fraction: number) => void) =>
      new Promise<Attachment>((resolve) => {
        progress = onProgress;
        finish = resolve;
      }),
  );
  const actions = {
    uploadAttachment,
    listMyRooms: vi.fn(async () => ({ rooms: [], invites: [], blocked: [] })),
    listMembers: vi.fn(async () => []),
  } as unknown as RoomActions;
  return {
    actions,
    uploadAttachment,
    progress: (fraction: number) => progress(fraction),
    finish: (attachment: Attachment) => finish(attachment),
  };
}

async function renderRoom(actions: RoomActions) {
  const source = new InMemoryChatSource(alice);
  source.rooms = [room({ id: "r1", name: "Design" })];
  await renderWithSession(
    <Route
      path="/rooms/:roomId"
      element={
        <RoomActionsProvider actions={actions}>
          <ConversationPage />
        </RoomActionsProvider>
      }
    />,
    { path: "/rooms/r1", signedIn: true, chatSource: source },
  );
  await screen.findByRole("heading", { name: "Design" });
  return source;
}

const notes = () => new File(["agenda"], "agenda.txt", { type: "text/plain" });
const uploaded: Attachment = {
  id: "rooms/r1/abc.txt",
  kind: "file",
  url: "https://cdn.example/agenda.txt",
  name: "agenda.txt",
  sizeBytes: 6,
  mimeType: "text/plain",
};

describe("attachments in a conversation", () => {
  it("uploads a picked file with a progress bar, then posts it", async () => {
    const upload = uploadingActions();
    const source = await renderRoom(upload.actions);

    await userEvent.upload(screen.getByTestId("attachment-input"), notes());
    expect(upload.uploadAttachment).toHaveBeenCalledWith("r1", expect.any(File), expect.any(Function));
    act(() => upload.progress(0.4));
    expect(screen.getByRole("progressbar", { name: "Uploading agenda.txt" })).toHaveAttribute("aria-valuenow", "40");

    await act(async () => upload.finish(uploaded));
    await waitFor(() => expect(source.sendMessage).toHaveBeenCalledWith("r1", { text: "", attachments: [uploaded] }));
    await waitFor(() => expect(screen.queryByRole("progressbar")).not.toBeInTheDocument());
  });

  it("takes files dropped on the conversation", async () => {
    const upload = uploadingActions();
    await renderRoom(upload.actions);

    const conversation = screen.getByRole("region", { name: "Conversation: Design" });
    fireEvent.drop(conversation, { dataTransfer: { types: ["Files"], files: [notes()] } });

    expect(upload.uploadAttachment).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("progressbar", { name: "Uploading agenda.txt" })).toBeInTheDocument();
  });

  it("takes files pasted into the message box", async () => {
    const upload = uploadingActions();
    await renderRoom(upload.actions);

    fireEvent.paste(screen.getByLabelText("Message Design"), { clipboardData: { files: [notes()] } });

    expect(upload.uploadAttachment).toHaveBeenCalledWith(
      "r1",
      expect.objectContaining({ name: "agenda.txt" }),
      expect.any(Function),
    );
  });

  it("shows why an upload failed and lets it be dismissed", async () => {
    const actions = {
      uploadAttachment: vi.fn(async () =>
        Promise.reject(new Error("contentType: text/x-shellscript is not allowed here")),
      ),
      listMyRooms: vi.fn(async () => ({ rooms: [], invites: [], blocked: [] })),
      listMembers: vi.fn(async () => []),
    } as unknown as RoomActions;
    await renderRoom(actions);

    await userEvent.upload(
      screen.getByTestId("attachment-input"),
      new File(["#!"], "run.sh", { type: "text/x-shellscript" }),
      { applyAccept: false },
    );

    expect(await screen.findByRole("alert")).toHaveTextContent("This kind of file can't be shared.");
    await userEvent.click(screen.getByRole("button", { name: "Dismiss run.sh" }));
    expect(screen.queryByText("run.sh")).not.toBeInTheDocument();
  });
});
