// The conversation with what the live backend adds around ConversationView: the peer's
// presence, room settings, "seen by", and attachments (pick, drop or paste).
import { CheckCheckIcon, SettingsIcon, UploadIcon } from "lucide-react";
import { useEffect, useState, type ClipboardEvent, type DragEvent, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { AttachButton, AttachmentTray } from "./attachments/attachment-tray";
import { useAttachmentUploads } from "./attachments/use-attachment-uploads";
import { ConversationView } from "./components/conversation-view";
import type { MentionCandidate } from "./components/mention-autocomplete";
import type { ChatDataSource } from "./data-source";
import { seenBy } from "./firestore/documents";
import { RoomSettingsDialog } from "./rooms/room-settings-dialog";
import { useRoomActions, type RoomActions } from "./rooms/room-actions";
import type { ReadReceipt, RoomSummary } from "./types";
import { usePresence } from "./use-presence";
import { describePresence, useNow } from "@/features/presence/presence-text";

function useReadReceipts(source: ChatDataSource, roomId: string): ReadReceipt[] {
  const [receipts, setReceipts] = useState<ReadReceipt[]>([]);
  useEffect(() => {
    setReceipts([]);
    return source.watchReadReceipts(roomId, { next: setReceipts, error: () => setReceipts([]) });
  }, [source, roomId]);
  return receipts;
}

/** The other members of a group, for "@" suggestions (asked again when the member count changes). */
function useMentionCandidates(room: RoomSummary, currentUserId: string, actions: RoomActions | null): MentionCandidate[] {
  const [candidates, setCandidates] = useState<MentionCandidate[]>([]);
  useEffect(() => {
    setCandidates([]);
    if (!actions || room.kind !== "group") return;
    let cancelled = false;
    actions
      .listMembers(room.id)
      .then((members) => {
        if (!cancelled) setCandidates(members.filter((member) => member.userId !== currentUserId));
      })
      .catch(() => {
        // Without suggestions, @username typed in full still mentions.
      });
    return () => {
      cancelled = true;
    };
  }, [actions, room.id, room.kind, room.memberCount, currentUserId]);
  return candidates;
}

function hasFiles(event: DragEvent) {
  return [...event.dataTransfer.types].includes("Files");
}

interface LiveConversationProps {
  source: ChatDataSource;
  room: RoomSummary;
  currentUserId: string;
}

export function LiveConversation({ source, room, currentUserId }: LiveConversationProps) {
  const actions = useRoomActions();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [dragging, setDragging] = useState(false);
  const presence = usePresence([room.peerId]);
  const peerPresence = room.peerId ? presence.get(room.peerId) : undefined;
  const receipts = useReadReceipts(source, room.id);
  const { uploads, addFiles, dismiss } = useAttachmentUploads(room.id, source, actions);
  const mentionCandidates = useMentionCandidates(room, currentUserId, actions);

  const last = room.lastMessage;
  const seen = last && last.senderId === currentUserId ? seenBy({ senderId: last.senderId, createdAt: last.sentAt }, receipts, currentUserId) : [];
  const now = useNow();
  const presenceText = describePresence(peerPresence, now);

  function onDrop(event: DragEvent<HTMLDivElement>) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    setDragging(false);
    addFiles([...event.dataTransfer.files]);
  }

  // Each keystroke in the composer keeps "typing…" alive; it lapses a few seconds after the last.
  function onInput(event: FormEvent<HTMLDivElement>) {
    const target = event.target;
    if (!(target instanceof HTMLTextAreaElement) || !target.value || target.closest('[aria-label="Messages"]')) return;
    source.setTyping(room.id, true).catch(() => {
      // Typing is best effort.
    });
  }

  function onPaste(event: ClipboardEvent<HTMLDivElement>) {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    addFiles(files);
  }

  return (
    <div
      className="relative h-full"
      onDragOver={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
      onPaste={onPaste}
      onInput={onInput}
    >
      <ConversationView
        source={source}
        room={room}
        currentUserId={currentUserId}
        headerActions={
          <>
            {presenceText ? (
              <span data-testid="peer-presence" className="hidden items-center gap-1.5 text-xs text-muted-foreground sm:inline-flex">
                <span
                  aria-hidden
                  className={
                    peerPresence?.state === "online" ? "size-2 rounded-full bg-online" : peerPresence?.state === "away" ? "size-2 rounded-full bg-away" : "size-2 rounded-full bg-muted-foreground/50"
                  }
                />
                {presenceText}
              </span>
            ) : null}
            {room.kind === "group" && room.memberCount ? (
              <span className="hidden text-xs text-muted-foreground sm:inline">
                {room.memberCount === 1 ? "1 member" : `${room.memberCount} members`}
              </span>
            ) : null}
            <Button variant="ghost" size="icon" aria-label="Conversation settings" disabled={!actions} onClick={() => setSettingsOpen(true)}>
              <SettingsIcon aria-hidden />
            </Button>
          </>
        }
        afterMessages={
          seen.length > 0 ? (
            <p data-testid="seen-by" className="flex items-center justify-end gap-1 px-4 pb-2 text-xs text-muted-foreground sm:px-6">
              <CheckCheckIcon className="size-3.5 text-primary" aria-hidden />
              {room.kind === "direct" ? "Seen" : `Seen by ${seen.length}`}
            </p>
          ) : null
        }
        aboveComposer={
          <>
            {room.canPost === false ? (
              <p role="status" className="border-t bg-muted px-4 py-2 text-center text-sm text-muted-foreground">
                {room.kind === "direct"
                  ? "You can't send messages in this conversation while one of you has blocked the other."
                  : "This room is archived. You can read it, but not post."}
              </p>
            ) : null}
            <AttachmentTray uploads={uploads} onDismiss={dismiss} />
          </>
        }
        composerDisabled={room.canPost === false}
        composerAccessory={<AttachButton onFiles={addFiles} disabled={!actions || room.canPost === false} />}
        mentionCandidates={mentionCandidates}
      />
      {dragging ? (
        <div className="pointer-events-none absolute inset-2 z-10 grid place-content-center rounded-xl border-2 border-dashed border-primary bg-background/85 text-center">
          <UploadIcon className="mx-auto size-8 text-primary" aria-hidden />
          <p className="mt-2 text-sm font-medium">Drop files to share them in {room.name}</p>
        </div>
      ) : null}
      <RoomSettingsDialog room={room} currentUserId={currentUserId} open={settingsOpen} onOpenChange={setSettingsOpen} />
    </div>
  );
}
