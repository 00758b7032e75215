import { ArrowDownIcon, Loader2Icon } from "lucide-react";
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { toast } from "sonner";
import { LoadProblem } from "@/components/load-problem";
import { Button } from "@/components/ui/button";
import { BackToConversations } from "@/features/shell/back-to-conversations";
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
import { useLatestCallback } from "@/lib/use-latest-callback";
import { useTimedOut } from "@/lib/use-timed-out";
import { Composer } from "./composer";
import type { MentionCandidate } from "./mention-autocomplete";
import { MessageList } from "./message-list";
import { TypingIndicator } from "./typing-indicator";
import { useMessageFocus } from "./use-message-focus";

/** The newest message the person may edit: their own, sent, not deleted, with text. */
export function lastEditable(messages: readonly Message[], currentUserId: string): Message | undefined {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.senderId === currentUserId && !message.deleted && message.delivery === "sent" && message.text)
      return message;
  }
  return undefined;
}

/** The read position is written at most this often (a busy room brings many messages a second). */
const READ_MARK_INTERVAL_MS = 1_000;

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
  /** Nobody is left to write to (the other person deleted their account): no composer at all. */
  composerHidden?: boolean;
  /** How long messages may take to arrive before the view says so and offers a retry. */
  slowAfterMs?: number;
  /** A permalink's message: loaded, scrolled to and highlighted. */
  focusMessageId?: string | null;
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
  composerHidden = false,
  slowAfterMs,
  focusMessageId = null,
}: ConversationViewProps) {
  const conversation = useConversation(source, room.id, currentUserId, { lastKnown: !focusMessageId });
  const slow = useTimedOut(conversation.status === "loading", slowAfterMs, conversation.attempt);
  const { messages, hasOlder, loadingOlder, loadOlder, detached, hasNewer, loadingNewer, loadNewer, backToLatest } =
    conversation;
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

  const leaveBottom = useCallback(() => {
    atBottom.current = false;
    setPinned(false);
  }, []);
  // A permalink's message shown at the bottom of the live conversation (a recent one, or a
  // conversation that fits on screen): the person is at the newest messages again.
  const backAtBottomIfThere = useCallback(() => {
    const element = scroller.current;
    if (!element || detached) return;
    if (element.scrollHeight - element.scrollTop - element.clientHeight < EDGE_PX) {
      atBottom.current = true;
      setPinned(true);
    }
  }, [scroller, detached]);
  const focus = useMessageFocus({
    messageId: focusMessageId,
    messages,
    ready: conversation.status === "ready",
    hasOlder,
    loadingOlder,
    loadOlder,
    ...(source.loadAround ? { openAround: conversation.openAround } : {}),
    scroller,
    onLeaveBottom: leaveBottom,
    onShown: backAtBottomIfThere,
  });

  const newest = messages[messages.length - 1];
  const [initialDraft, saveDraft] = useRoomDraft(currentUserId, room.id);
  // Away in history, what arrives is not below: the button just says "Jump to latest".
  const unseen = pinned || detached ? 0 : countNewer(messages, seenId, currentUserId);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    if (anchorFromBottom.current !== null) {
      element.scrollTop = element.scrollHeight - anchorFromBottom.current;
      anchorFromBottom.current = null;
    } else if (atBottom.current && !detached) {
      element.scrollTop = element.scrollHeight;
    }
  }, [messages, detached]);

  // The list measures its rows as they render, so the content grows after the layout effect
  // above: while the person is at the bottom, stay there.
  const content = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = scroller.current;
    const inner = content.current;
    if (!element || !inner || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current && anchorFromBottom.current === null) element.scrollTop = element.scrollHeight;
    });
    observer.observe(inner);
    return () => observer.disconnect();
  }, []);

  // Read up to the newest message while it is on screen and the page is visible (again when
  // the person scrolls back down to messages that arrived while they read older ones). In a
  // busy room, at most once a second: each read is a write, and the newest then wins.
  const lastMarkAt = useRef(0);
  const [markDue, setMarkDue] = useState(0);
  useEffect(() => {
    // Away in history (a permalink's window), the newest message shown is not the room's.
    if (!newest || newest.id === lastMarkedRead.current || !pinned || detached || focus.pending) return;
    if (typeof document !== "undefined" && document.visibilityState === "hidden") return;
    const wait = lastMarkAt.current + READ_MARK_INTERVAL_MS - Date.now();
    if (wait > 0) {
      const timer = setTimeout(() => setMarkDue((count) => count + 1), wait);
      return () => clearTimeout(timer);
    }
    lastMarkAt.current = Date.now();
    lastMarkedRead.current = newest.id;
    source.markRead(room.id, newest.id).catch((error: unknown) => console.warn("markRead failed", error));
  }, [newest, pinned, detached, focus.pending, room.id, source, markDue]);

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
    const nearBottom = element.scrollHeight - element.scrollTop - element.clientHeight < EDGE_PX;
    // Away in history, the bottom of what is loaded is not the newest message: page down.
    if (detached && nearBottom && hasNewer && !loadingNewer) requestNewer();
    const nowAtBottom = nearBottom && !detached;
    // Leaving the bottom: everything up to the newest message has been on screen.
    if (atBottom.current && !nowAtBottom) setSeenId(newest?.id ?? null);
    atBottom.current = nowAtBottom;
    setPinned(nowAtBottom);
    if (element.scrollTop < EDGE_PX && hasOlder && !loadingOlder) requestOlder();
  }

  function requestNewer() {
    loadNewer().catch(() => toast.error("Couldn't load later messages."));
  }

  function focusComposer() {
    sectionRef.current?.querySelector<HTMLTextAreaElement>("[data-composer-input]")?.focus();
  }

  function jumpToLatest() {
    const element = scroller.current;
    if (!element) return;
    if (detached) {
      // Leave the permalink's window: the live messages replace it, shown from the bottom.
      atBottom.current = true;
      setPinned(true);
      backToLatest();
      focusComposer();
      return;
    }
    const reduceMotion = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
    element.scrollTo({ top: element.scrollHeight, behavior: reduceMotion ? "auto" : "smooth" });
    // Rows measured on the way down can make the list longer than when the scroll began.
    setTimeout(
      () => {
        if (element.scrollHeight - element.scrollTop - element.clientHeight >= EDGE_PX)
          element.scrollTop = element.scrollHeight;
      },
      reduceMotion ? 50 : 600,
    );
    focusComposer();
  }

  /** Rejects when the message did not go out; the composer then gives the text back. */
  const send = useLatestCallback(async (text: string) => {
    atBottom.current = true;
    setPinned(true);
    backToLatest();
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
  });

  function react(message: Message, emoji: string) {
    source.toggleReaction(room.id, message.id, emoji).catch(() => toast.error("Couldn't add your reaction."));
  }

  /** Back to the composer once an edit ends (it may have started there with the Up arrow). */
  function endEdit() {
    setEditingId(null);
    requestAnimationFrame(focusComposer);
  }

  /** Up arrow in the empty composer: edit the newest message of yours that can still be edited. */
  const editLast = useLatestCallback((): boolean => {
    const mine = lastEditable(messages, currentUserId);
    if (!mine) return false;
    setEditingId(mine.id);
    return true;
  });
  const cancelReply = useCallback(() => setReplyingTo(null), []);
  const typingChanged = useLatestCallback((typing: boolean) => {
    source.setTyping(room.id, typing).catch(() => {
      // Typing is best effort.
    });
  });

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
        <BackToConversations />
        <UserAvatar name={room.name} seed={room.peerId ?? room.id} avatarUrl={room.avatarUrl} className="size-8" />
        <div className="min-w-0">
          <h1 className="truncate font-semibold">{room.name}</h1>
          {room.topic ? (
            <p data-testid="room-topic" className="truncate text-xs text-muted-foreground" title={room.topic}>
              {room.topic}
            </p>
          ) : null}
        </div>
        {headerActions ? <div className="ml-auto flex shrink-0 items-center gap-2">{headerActions}</div> : null}
      </header>
      <div className="relative flex min-h-0 flex-1 flex-col">
        <div
          ref={scroller}
          onScroll={onScroll}
          // Busy while a permalink's history loads: what is shown is not yet where it leads.
          aria-busy={focus.pending}
          className="min-h-0 flex-1 overflow-y-auto"
        >
          {/* Short conversations sit at the bottom, next to the composer, as in any chat app. */}
          <div ref={content} className="flex min-h-full flex-col justify-end">
            {hasOlder ? (
              <div className="flex justify-center pt-3">
                <Button busy={loadingOlder} variant="ghost" size="sm" onClick={requestOlder}>
                  Load earlier messages
                </Button>
              </div>
            ) : null}
            {conversation.status === "loading" && !slow ? (
              <div className="flex justify-center p-8" role="status" aria-label="Loading messages">
                <Loader2Icon className="size-5 animate-spin text-muted-foreground" aria-hidden />
              </div>
            ) : null}
            {slow || conversation.status === "error" ? (
              <LoadProblem
                title="Couldn't load messages"
                reason={conversation.status === "error" ? conversation.error?.message : undefined}
                onRetry={conversation.retry}
              />
            ) : null}
            {conversation.status === "ready" && messages.length === 0 ? (
              <p className="p-8 text-center text-sm text-muted-foreground">No messages yet. Say hello!</p>
            ) : null}
            {focus.missing ? (
              <p role="status" className="px-6 pt-3 text-center text-sm text-muted-foreground">
                That message is no longer in this conversation.
              </p>
            ) : null}
            <MessageList
              scroller={scroller}
              messages={messages}
              currentUserId={currentUserId}
              highlightedMessageId={focus.highlightedId}
              editingMessageId={editingId}
              onReact={react}
              onReply={setReplyingTo}
              onStartEdit={(message) => setEditingId(message.id)}
              onSaveEdit={saveEdit}
              onCancelEdit={endEdit}
              onDelete={setConfirmDelete}
            />
            {hasNewer ? (
              <div className="flex justify-center pb-3">
                <Button busy={loadingNewer} variant="ghost" size="sm" onClick={requestNewer}>
                  Load later messages
                </Button>
              </div>
            ) : null}
            {/* "Seen" belongs under a sent message, never under one still sending or not sent. */}
            {detached || (newest && newest.delivery !== "sent") ? null : afterMessages}
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
            {unseen > 0
              ? `${unseen > 99 ? "99+" : unseen} new ${unseen === 1 ? "message" : "messages"}`
              : "Jump to latest"}
          </Button>
        )}
      </div>
      <p className="sr-only" aria-live="polite">
        {lastIncoming
          ? `${lastIncoming.senderName}: ${lastIncoming.deleted ? "message deleted" : lastIncoming.text}`
          : ""}
      </p>
      <TypingIndicator users={conversation.typing} />
      {aboveComposer}
      {composerHidden ? null : (
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
          onCancelReply={cancelReply}
          onEditLast={composerDisabled ? undefined : editLast}
          onTypingChange={typingChanged}
        />
      )}
      <Dialog open={confirmDelete !== null} onOpenChange={(open) => !open && setConfirmDelete(null)}>
        <DialogContent className="sm:max-w-sm">
          <DialogHeader>
            <DialogTitle>Delete this message?</DialogTitle>
            <DialogDescription>Everyone in {room.name} will see that a message was deleted.</DialogDescription>
          </DialogHeader>
          {confirmDelete ? (
            <p className="line-clamp-3 rounded-md bg-muted px-3 py-2 text-sm whitespace-pre-wrap">
              {confirmDelete.text}
            </p>
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
