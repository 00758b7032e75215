// The conversation with what the live backend adds around ConversationView: the peer's
// presence, room settings, "seen by", and attachments (pick, drop or paste).
import { CheckCheckIcon, SettingsIcon, UploadIcon } from "lucide-react";
import { useEffect, useMemo, useState, type ClipboardEvent, type DragEvent, type FormEvent } from "react";
import { toast } from "sonner";
import { messagePath } from "@/lib/links";
import { Button } from "@/components/ui/button";
import { AttachButton, AttachmentTray } from "./attachments/attachment-tray";
import { useAttachmentUploads } from "./attachments/use-attachment-uploads";
import { ConversationView } from "./components/conversation-view";
import { MessageExtrasProvider, type MessageExtras } from "./components/message-extras";
import { PinnedPanel, usePins } from "./components/pinned-panel";
import type { MentionCandidate } from "./components/mention-autocomplete";
import type { ChatDataSource } from "./data-source";
import { useConnected } from "@/features/shell/use-online";
import { seenBy } from "./firestore/documents";
import { RoomSettingsDialog } from "./rooms/room-settings-dialog";
import { describeError, useRoomActions, type RoomActions } from "./rooms/room-actions";
import type { Message, ReadReceipt, RoomSummary } from "./types";
import { usePresence } from "./use-presence";
import { describePresence, useNow } from "@/features/presence/presence-text";
import { useStateFor } from "@/lib/use-state-for";

const NO_RECEIPTS: ReadReceipt[] = [];

function useReadReceipts(source: ChatDataSource, roomId: string): ReadReceipt[] {
  // Another room (or source) shows none until its own receipts arrive.
  const [receipts, setReceipts] = useStateFor<ReadReceipt[]>([source, roomId]);
  useEffect(() => {
    return source.watchReadReceipts(roomId, {
      next: (watched) => setReceipts([source, roomId], watched),
      error: () => setReceipts([source, roomId], NO_RECEIPTS),
    });
  }, [source, roomId, setReceipts]);
  return receipts ?? NO_RECEIPTS;
}

/** The other members of a group, for "@" suggestions (asked again when the member count changes). */
function useMentionCandidates(
  room: RoomSummary,
  currentUserId: string,
  actions: RoomActions | null,
): MentionCandidate[] {
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

/** Who may pin follows the functions' rule: both people of a direct room, owners and admins of
 * a group; nobody where posting is closed. */
export function mayPin(room: RoomSummary): boolean {
  if (room.canPost === false) return false;
  return room.kind === "direct" || room.role === "owner" || room.role === "admin";
}

/** Puts a message's permalink on the clipboard and says so. */
export async function copyMessageLink(roomId: string, messageId: string): Promise<void> {
  const url = `${window.location.origin}${messagePath(roomId, messageId)}`;
  try {
    await navigator.clipboard.writeText(url);
    toast.success("Link copied");
  } catch {
    toast.error("Couldn't copy the link", { description: url });
  }
}

function hasFiles(event: DragEvent) {
  return [...event.dataTransfer.types].includes("Files");
}

interface LiveConversationProps {
  source: ChatDataSource;
  room: RoomSummary;
  currentUserId: string;
  /** How long messages may take to arrive before the view says so (ConversationView). */
  slowAfterMs?: number;
  /** A permalink's message, brought into view. */
  focusMessageId?: string | null;
}

export function LiveConversation({ source, room, currentUserId, slowAfterMs, focusMessageId }: LiveConversationProps) {
  const actions = useRoomActions();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [dragging, setDragging] = useState(false);
  const presence = usePresence([room.peerId]);
  const peerPresence = room.peerId ? presence.get(room.peerId) : undefined;
  const receipts = useReadReceipts(source, room.id);
  const { uploads, addFiles, dismiss } = useAttachmentUploads(room.id, source, actions);
  const mentionCandidates = useMentionCandidates(room, currentUserId, actions);
  const pins = usePins(source, room.id);
  const canPin = mayPin(room) && Boolean(actions?.pinMessage);

  const extras = useMemo<MessageExtras>(() => {
    function togglePin(message: Message, pinned: boolean) {
      const change = pinned ? actions?.unpinMessage?.(room.id, message.id) : actions?.pinMessage?.(room.id, message.id);
      change
        ?.then(() => toast.success(pinned ? "Message unpinned" : "Message pinned"))
        .catch((error: unknown) =>
          toast.error(describeError(error, pinned ? "Couldn't unpin the message." : "Couldn't pin the message.")),
        );
    }
    return {
      pinnedIds: new Set(pins.map((pin) => pin.messageId)),
      onTogglePin: canPin ? togglePin : undefined,
      onCopyLink: (message) => void copyMessageLink(room.id, message.id),
      onRemovePreview: source.removeLinkPreview
        ? (message) => {
            source.removeLinkPreview?.(room.id, message.id).catch(() => toast.error("Couldn't remove the preview."));
          }
        : undefined,
    };
  }, [actions, canPin, pins, room.id, source]);

  const last = room.lastMessage;
  const seen =
    last && last.senderId === currentUserId
      ? seenBy({ senderId: last.senderId, createdAt: last.sentAt }, receipts, currentUserId)
      : [];
  const now = useNow();
  // Offline or cut off from the backend, we cannot know whether the other person is there:
  // claim nothing.
  const connected = useConnected();
  const presenceText = connected && !room.peerDeleted ? describePresence(peerPresence, now) : null;

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
      <MessageExtrasProvider value={extras}>
        <ConversationView
          source={source}
          room={room}
          currentUserId={currentUserId}
          slowAfterMs={slowAfterMs}
          focusMessageId={focusMessageId}
          headerActions={
            <>
              {presenceText ? (
                <span
                  data-testid="peer-presence"
                  className="hidden items-center gap-1.5 text-xs text-muted-foreground sm:inline-flex"
                >
                  <span
                    aria-hidden
                    className={
                      peerPresence?.state === "online"
                        ? "size-2 rounded-full bg-online"
                        : peerPresence?.state === "away"
                          ? "size-2 rounded-full bg-away"
                          : "size-2 rounded-full bg-muted-foreground/50"
                    }
                  />
                  {presenceText}
                </span>
              ) : null}
              <PinnedPanel
                roomId={room.id}
                pins={pins}
                onUnpin={
                  canPin
                    ? (messageId) => {
                        actions
                          ?.unpinMessage?.(room.id, messageId)
                          .catch((error: unknown) => toast.error(describeError(error, "Couldn't unpin the message.")));
                      }
                    : undefined
                }
              />
              {room.kind === "group" && room.memberCount ? (
                <span className="hidden text-xs text-muted-foreground sm:inline">
                  {room.memberCount === 1 ? "1 member" : `${room.memberCount} members`}
                </span>
              ) : null}
              <Button
                variant="ghost"
                size="icon"
                aria-label="Conversation settings"
                disabled={!actions}
                onClick={() => setSettingsOpen(true)}
              >
                <SettingsIcon aria-hidden />
              </Button>
            </>
          }
          afterMessages={
            seen.length > 0 ? (
              <p
                data-testid="seen-by"
                className="flex items-center justify-end gap-1 px-4 pb-2 text-xs text-muted-foreground sm:px-6"
              >
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
                    ? room.peerDeleted
                      ? "This person deleted their account. You can read this conversation, but not reply."
                      : "You can't send messages in this conversation while one of you has blocked the other."
                    : "This room is archived. You can read it, but not post."}
                </p>
              ) : null}
              <AttachmentTray uploads={uploads} onDismiss={dismiss} />
            </>
          }
          composerDisabled={room.canPost === false}
          composerHidden={room.peerDeleted === true}
          composerAccessory={<AttachButton onFiles={addFiles} disabled={!actions || room.canPost === false} />}
          mentionCandidates={mentionCandidates}
        />
      </MessageExtrasProvider>
      {dragging ? (
        <div className="pointer-events-none absolute inset-2 z-10 grid place-content-center rounded-xl border-2 border-dashed border-primary bg-background/85 text-center">
          <UploadIcon className="mx-auto size-8 text-primary" aria-hidden />
          <p className="mt-2 text-sm font-medium">Drop files to share them in {room.name}</p>
        </div>
      ) : null}
      <RoomSettingsDialog
        room={room}
        currentUserId={currentUserId}
        open={settingsOpen}
        onOpenChange={setSettingsOpen}
      />
    </div>
  );
}
