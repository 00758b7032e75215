import { ArrowDownIcon, ArrowLeftIcon, Loader2Icon } from "lucide-react";
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { Link } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { isPermissionDenied, type ChatDataSource } from "@/features/chat/data-source";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { useRoomDraft } from "@/features/chat/drafts";
import type { Message, RoomSummary } from "@/features/chat/types";
import { useConversation } from "@/features/chat/use-conversation";
import { UserAvatar } from "@/features/people/user-avatar";
import { Composer } from "./composer";
import type { MentionCandidate } from "./mention-autocomplete";
import { MessageList } from "./message-list";
import { TypingIndicator } from "./typing-indicator";

/** The newest message the person may edit: their own, sent, not deleted, with text. */
export function lastEditable(messages: readonly Message[], currentUserId: string): Message | undefined {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.senderId === currentUserId && !message.deleted && message.delivery === "sent" && message.text) return message;
  }
  return undefined;
}

/** Within this many pixels of an edge counts as "at" it. */
const EDGE_PX = 80;

/** How many messages from others came after `seenId` (0 when it is not in the list). */
export function countNewer(messages: readonly Message[], seenId: string | null, currentUserId: string): number {
  const index = messages.findIndex((message) => message.id === seenId);
  if (index < 0) return 0;
  return messages.slice(index + 1).filter((message) => message.senderId !== currentUserId).length;
}

interface ConversationViewProps {
  source: ChatDataSource;
  room: RoomSummary;
  currentUserId: string;
  /** Extra controls at the end of the header (presence, room settings). */
  headerActions?: ReactNode;
  /** Shown under the last message, inside the scrolling area ("Seen by"). */
  afterMessages?: ReactNode;
  /** Shown between the typing indicator and the composer (uploads in progress). */
  aboveComposer?: ReactNode;
  /** Passed to the composer, shown before the text box (attach button). */
  composerAccessory?: ReactNode;
  /** People the composer suggests after "@". */
  mentionCandidates?: readonly MentionCandidate[];
  /** The person may not post here (say why in aboveComposer). */
  composerDisabled?: boolean;
}

export function ConversationView({
  source,
  room,
  currentUserId,
  headerActions,
  afterMessages,
  aboveComposer,
  composerAccessory,
  mentionCandidates,
  composerDisabled,
}: ConversationViewProps) {
  const conversation = useConversation(source, room.id, currentUserId);
  const { messages, hasOlder, loadingOlder, loadOlder } = conversation;
  const scroller = useRef<HTMLDivElement>(null);
  // A ref for the layout effect (it must see the latest value before React re-renders), and
  // state for what depends on it on screen: the jump button and marking messages read.
  const atBottom = useRef(true);
  const [pinned, setPinned] = useState(true);
  // The newest message on screen when the person last left the bottom.
  const [seenId, setSeenId] = useState<string | null>(null);
  // Distance from the bottom before older messages are prepended, to keep the view still.
  const anchorFromBottom = useRef<number | null>(null);
  const lastMarkedRead = useRef<string | null>(null);
  const [replyingTo, setReplyingTo] = useState<Message | null>(null);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<Message | null>(null);
  const sectionRef = useRef<HTMLElement>(null);

  const newest = messages[messages.length - 1];
  const [initialDraft, saveDraft] = useRoomDraft(currentUserId, room.id);
  const unseen = pinned ? 0 : countNewer(messages, seenId, currentUserId);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    if (anchorFromBottom.current !== null) {
      element.scrollTop = element.scrollHeight - anchorFromBottom.current;
      anchorFromBottom.current = null;
    } else if (atBottom.current) {
      element.scrollTop = element.scrollHeight;
    }
  }, [messages]);

  // Read up to the newest message while it is on screen and the page is visible (again when
  // the person scrolls back down to messages that arrived while they read older ones).
  useEffect(() => {
    if (!newest || newest.id === lastMarkedRead.current || !pinned) return;
    if (typeof document !== "undefined" && document.visibilityState === "hidden") return;
    lastMarkedRead.current = newest.id;
    source.markRead(room.id, newest.id).catch((error: unknown) => console.warn("markRead failed", error));
  }, [newest, pinned, room.id, source]);

  function requestOlder() {
    const element = scroller.current;
    if (element) anchorFromBottom.current = element.scrollHeight - element.scrollTop;
    loadOlder().catch(() => {
      anchorFromBottom.current = null;
      toast.error("Couldn't load earlier messages.");
    });
  }

  function onScroll() {
    const element = scroller.current;
    if (!element) return;
    const nowAtBottom = element.scrollHeight - element.scrollTop - element.clientHeight < EDGE_PX;
    // Leaving the bottom: everything up to the newest message has been on screen.
    if (atBottom.current && !nowAtBottom) setSeenId(newest?.id ?? null);
    atBottom.current = nowAtBottom;
    setPinned(nowAtBottom);
    if (element.scrollTop < EDGE_PX && hasOlder && !loadingOlder) requestOlder();
  }

  function focusComposer() {
    sectionRef.current?.querySelector<HTMLTextAreaElement>("[data-composer-input]")?.focus();
  }

  function jumpToLatest() {
    const element = scroller.current;
    if (!element) return;
    const reduceMotion = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
    element.scrollTo({ top: element.scrollHeight, behavior: reduceMotion ? "auto" : "smooth" });
    focusComposer();
  }

  /** Rejects when the message did not go out; the composer then gives the text back. */
  async function send(text: string) {
    atBottom.current = true;
    setPinned(true);
    const reply = replyingTo;
    setReplyingTo(null);
    try {
      await source.sendMessage(room.id, reply ? { text, replyToId: reply.id } : { text });
    } catch (error) {
      setReplyingTo((current) => current ?? reply);
      toast.error(
        isPermissionDenied(error)
          ? "Message not sent: you can no longer post in this conversation."
          : "Message not sent. Check your connection and try again.",
      );
      throw error;
    }
  }

  function react(message: Message, emoji: string) {
    source.toggleReaction(room.id, message.id, emoji).catch(() => toast.error("Couldn't add your reaction."));
  }

  /** Back to the composer once an edit ends (it may have started there with the Up arrow). */
  function endEdit() {
    setEditingId(null);
    requestAnimationFrame(focusComposer);
  }

  /** Up arrow in the empty composer: edit the newest message of yours that can still be edited. */
  function editLast(): boolean {
    const mine = lastEditable(messages, currentUserId);
    if (!mine) return false;
    setEditingId(mine.id);
    return true;
  }

  function saveEdit(message: Message, text: string) {
    endEdit();
    source.editMessage(room.id, message.id, text).catch(() => toast.error("Couldn't save your edit."));
  }

  function deleteConfirmed() {
    const message = confirmDelete;
    setConfirmDelete(null);
    if (message) source.deleteMessage(room.id, message.id).catch(() => toast.error("Couldn't delete the message."));
  }

  const lastIncoming = [...messages].reverse().find((message) => message.senderId !== currentUserId);

  return (
    <section ref={sectionRef} className="flex h-full min-h-0 flex-col" aria-label={`Conversation: ${room.name}`}>
      <header className="flex h-14 shrink-0 items-center gap-3 border-b px-3 sm:px-6">
        <Button asChild variant="ghost" size="icon" className="md:hidden">
          <Link to="/" aria-label="Back to conversations">
            <ArrowLeftIcon aria-hidden />
          </Link>
        </Button>
        <UserAvatar name={room.name} seed={room.peerId ?? room.id} avatarUrl={room.avatarUrl} className="size-8" />
        <h1 className="truncate font-semibold">{room.name}</h1>
        {headerActions ? <div className="ml-auto flex shrink-0 items-center gap-2">{headerActions}</div> : null}
      </header>
      <div className="relative flex min-h-0 flex-1 flex-col">
      <div ref={scroller} onScroll={onScroll} className="min-h-0 flex-1 overflow-y-auto">
        {/* Short conversations sit at the bottom, next to the composer, as in any chat app. */}
        <div className="flex min-h-full flex-col justify-end">
        {hasOlder ? (
          <div className="flex justify-center pt-3">
            <Button variant="ghost" size="sm" onClick={requestOlder} disabled={loadingOlder}>
              {loadingOlder ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Load earlier messages
            </Button>
          </div>
        ) : null}
        {conversation.status === "loading" ? (
          <div className="flex justify-center p-8" role="status" aria-label="Loading messages">
            <Loader2Icon className="size-5 animate-spin text-muted-foreground" aria-hidden />
          </div>
        ) : null}
        {conversation.status === "error" ? (
          <p role="alert" className="p-6 text-center text-sm text-destructive">
            Couldn't load messages. {conversation.error?.message}
          </p>
        ) : null}
        {conversation.status === "ready" && messages.length === 0 ? (
          <p className="p-8 text-center text-sm text-muted-foreground">No messages yet. Say hello!</p>
        ) : null}
        <MessageList
          messages={messages}
          currentUserId={currentUserId}
          editingMessageId={editingId}
          onReact={react}
          onReply={setReplyingTo}
          onStartEdit={(message) => setEditingId(message.id)}
          onSaveEdit={saveEdit}
          onCancelEdit={endEdit}
          onDelete={setConfirmDelete}
        />
        {afterMessages}
        </div>
      </div>
      {pinned ? null : (
        <Button
          variant="secondary"
          size="sm"
          onClick={jumpToLatest}
          className="absolute right-4 bottom-3 rounded-full shadow-md ring-1 ring-border"
        >
          <ArrowDownIcon aria-hidden />
          {unseen > 0 ? `${unseen > 99 ? "99+" : unseen} new ${unseen === 1 ? "message" : "messages"}` : "Jump to latest"}
        </Button>
      )}
      </div>
      <p className="sr-only" aria-live="polite">
        {lastIncoming ? `${lastIncoming.senderName}: ${lastIncoming.deleted ? "message deleted" : lastIncoming.text}` : ""}
      </p>
      <TypingIndicator users={conversation.typing} />
      {aboveComposer}
      <Composer
        key={room.id}
        roomName={room.name}
        initialText={initialDraft}
        onTextChange={saveDraft}
        accessory={composerAccessory}
        mentionCandidates={mentionCandidates}
        disabled={composerDisabled}
        onSend={send}
        replyingTo={replyingTo}
        onCancelReply={() => setReplyingTo(null)}
        onEditLast={composerDisabled ? undefined : editLast}
        onTypingChange={(typing) => {
          source.setTyping(room.id, typing).catch(() => {
            // Typing is best effort.
          });
        }}
      />
      <Dialog open={confirmDelete !== null} onOpenChange={(open) => !open && setConfirmDelete(null)}>
        <DialogContent className="sm:max-w-sm">
          <DialogHeader>
            <DialogTitle>Delete this message?</DialogTitle>
            <DialogDescription>Everyone in {room.name} will see that a message was deleted.</DialogDescription>
          </DialogHeader>
          {confirmDelete ? (
            <p className="line-clamp-3 rounded-md bg-muted px-3 py-2 text-sm whitespace-pre-wrap">{confirmDelete.text}</p>
          ) : null}
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button variant="destructive" onClick={deleteConfirmed}>
              Delete
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </section>
  );
}
