import { CornerUpLeftIcon, FileIcon, PinIcon } from "lucide-react";
import { memo, useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { Button } from "@/components/ui/button";
import { formatBytes } from "@/features/chat/attachments/format-bytes";
import { formatMessageTime } from "@/features/chat/group-messages";
import type { Attachment, Message } from "@/features/chat/types";
import { formatDate } from "@/lib/time-format";
import { cn } from "@/lib/utils";
import { ImageLightbox, ImageThumbnail } from "./image-lightbox";
import { LinkPreviewCard } from "./link-preview-card";
import { MessageActions, type MessageActionHandlers } from "./message-actions";
import { useMessageExtras } from "./message-extras";
import { MessageMarkdown } from "@/features/chat/rich-text/message-markdown";

type Position = "single" | "first" | "middle" | "last";

interface MessageBubbleProps extends MessageActionHandlers {
  message: Message;
  own: boolean;
  position: Position;
  currentUserId?: string;
  /** When set, the bubble shows an editor instead of its text. */
  editing?: boolean;
  /** The message a permalink points at. */
  highlighted?: boolean;
  onSaveEdit?: (message: Message, text: string) => void;
  onCancelEdit?: () => void;
}

// Bubbles in a group share a flat inner edge, so the group reads as one block.
const CORNERS: Record<"own" | "other", Record<Position, string>> = {
  own: {
    single: "rounded-2xl",
    first: "rounded-2xl rounded-br-md",
    middle: "rounded-2xl rounded-r-md",
    last: "rounded-2xl rounded-tr-md",
  },
  other: {
    single: "rounded-2xl",
    first: "rounded-2xl rounded-bl-md",
    middle: "rounded-2xl rounded-l-md",
    last: "rounded-2xl rounded-tl-md",
  },
};

/** Memoised: in a busy room only new and changed messages render again (the data source
 * keeps a message the same object until its document changes, and MessageList passes
 * handlers that keep their identity). */
export const MessageBubble = memo(function MessageBubble({
  message,
  own,
  position,
  currentUserId,
  editing = false,
  highlighted = false,
  onSaveEdit,
  onCancelEdit,
  ...actions
}: MessageBubbleProps) {
  const reactions = Object.entries(message.reactions).filter(([, users]) => users.length > 0);
  const status =
    message.delivery === "sending"
      ? "Sending…"
      : message.delivery === "failed"
        ? "Not sent"
        : message.editedAt && !message.deleted
          ? "Edited"
          : null;
  const actionable = !message.deleted && message.delivery === "sent" && !editing;
  const { pinnedIds, onRemovePreview } = useMessageExtras();
  const pinned = pinnedIds.has(message.id) && !message.deleted;

  return (
    <div
      data-testid="message"
      data-message-id={message.id}
      data-highlighted={highlighted || undefined}
      title={formatDate(message.createdAt, "dateTime")}
      className={cn("group flex min-w-0 flex-col gap-1", own ? "items-end" : "items-start")}
    >
      <div className={cn("flex max-w-full min-w-0 items-center gap-1", own && "flex-row-reverse")}>
        <div
          className={cn(
            "max-w-full min-w-0 px-3.5 py-2 text-sm break-words",
            CORNERS[own ? "own" : "other"][position],
            own ? "bg-bubble-own text-bubble-own-foreground" : "bg-bubble-other text-bubble-other-foreground",
            message.deleted && "bg-transparent text-muted-foreground italic ring-1 ring-border",
            message.delivery === "sending" && "opacity-70",
            editing && "w-[min(32rem,80vw)] bg-bubble-other text-bubble-other-foreground",
            highlighted && "ring-2 ring-primary ring-offset-2 ring-offset-background transition-shadow",
          )}
        >
          {message.replyTo && !message.deleted ? (
            <p
              className={cn(
                "mb-1 flex items-center gap-1 border-l-2 pl-2 text-xs opacity-80",
                own && !editing ? "border-bubble-own-foreground/60" : "border-primary",
              )}
            >
              <CornerUpLeftIcon className="size-3 shrink-0" aria-hidden />
              <span className="truncate">
                <span className="font-medium">{message.replyTo.senderName}</span>: {message.replyTo.text}
              </span>
            </p>
          ) : null}
          {message.deleted ? (
            <p>This message was deleted</p>
          ) : editing ? (
            <EditMessageForm
              initialText={message.text}
              onSave={(text) => onSaveEdit?.(message, text)}
              onCancel={() => onCancelEdit?.()}
            />
          ) : (
            <MessageMarkdown text={message.text} hasMentions={message.mentions.length > 0} />
          )}
          {!message.deleted && message.attachments.length > 0 ? (
            <MessageAttachments attachments={message.attachments} />
          ) : null}
          {status && !editing ? (
            <span className="mt-0.5 block text-right text-[11px] leading-none opacity-75">{status}</span>
          ) : null}
          <span className="sr-only">
            , sent <time dateTime={message.createdAt.toISOString()}>{formatMessageTime(message.createdAt)}</time>
          </span>
        </div>
        {actionable ? (
          <MessageActions
            message={message}
            own={own}
            {...actions}
            className="opacity-0 transition-opacity group-hover:opacity-100 focus-visible:opacity-100 data-[state=open]:opacity-100 pointer-coarse:opacity-100"
          />
        ) : null}
      </div>
      {message.preview && !message.deleted ? (
        <LinkPreviewCard
          preview={message.preview}
          onRemove={own && onRemovePreview ? () => onRemovePreview(message) : undefined}
        />
      ) : null}
      {pinned ? (
        <span data-testid="pinned-mark" className="flex items-center gap-1 text-[11px] text-muted-foreground">
          <PinIcon className="size-3" aria-hidden />
          Pinned
        </span>
      ) : null}
      {reactions.length > 0 ? (
        <ul className="flex flex-wrap gap-1" aria-label="Reactions">
          {reactions.map(([emoji, users]) => {
            const mine = currentUserId !== undefined && users.includes(currentUserId);
            const label = `${emoji} ${users.length}`;
            return (
              <li key={emoji}>
                {actions.onReact && !message.deleted ? (
                  <button
                    type="button"
                    aria-pressed={mine}
                    aria-label={`${label}, ${mine ? "remove your reaction" : "react too"}`}
                    onClick={() => actions.onReact?.(message, emoji)}
                    className={cn(
                      "rounded-full border bg-background px-1.5 text-xs outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50",
                      mine && "border-primary/60 bg-accent text-accent-foreground",
                    )}
                  >
                    {emoji} {users.length}
                  </button>
                ) : (
                  <span className="rounded-full border bg-background px-1.5 text-xs">
                    {emoji} {users.length}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
});

/** The message's files and pictures; a picture opens in a lightbox with the message's others. */
function MessageAttachments({ attachments }: { attachments: Attachment[] }) {
  const images = attachments.filter((attachment) => attachment.kind === "image" && attachment.url);
  const [viewing, setViewing] = useState({ open: false, index: 0 });
  const thumbnails = useRef<(HTMLButtonElement | null)[]>([]);

  return (
    <>
      <ul className="mt-2 grid gap-1.5">
        {attachments.map((attachment) => {
          const imageIndex = images.indexOf(attachment);
          return (
            <li key={attachment.id}>
              {!attachment.url ? (
                <span className="flex items-center gap-2 rounded-lg bg-background/20 px-2 py-1.5 text-sm opacity-80">
                  <FileIcon className="size-4 shrink-0" aria-hidden />
                  <span className="truncate">{attachment.name}</span>
                  <span className="shrink-0 text-xs">processing…</span>
                </span>
              ) : imageIndex >= 0 ? (
                <ImageThumbnail
                  image={attachment}
                  ref={(button) => {
                    thumbnails.current[imageIndex] = button;
                  }}
                  onOpen={() => setViewing({ open: true, index: imageIndex })}
                />
              ) : (
                <a
                  href={attachment.url}
                  className="flex items-center gap-2 rounded-lg bg-background/20 px-2 py-1.5 underline-offset-2 hover:underline"
                >
                  <FileIcon className="size-4 shrink-0" aria-hidden />
                  <span className="truncate">{attachment.name}</span>
                  <span className="shrink-0 text-xs opacity-75">{formatBytes(attachment.sizeBytes)}</span>
                </a>
              )}
            </li>
          );
        })}
      </ul>
      {images.length > 0 ? (
        <ImageLightbox
          images={images}
          index={viewing.index}
          open={viewing.open}
          onOpenChange={(open) => setViewing((state) => ({ ...state, open }))}
          onIndexChange={(index) => setViewing({ open: true, index })}
          returnFocusTo={(index) => thumbnails.current[index]}
        />
      ) : null}
    </>
  );
}

function EditMessageForm({
  initialText,
  onSave,
  onCancel,
}: {
  initialText: string;
  onSave: (text: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(initialText);
  const editorRef = useRef<HTMLTextAreaElement>(null);
  // Focus again after the message menu has closed (it returns focus to its button).
  useEffect(() => {
    const timer = setTimeout(() => editorRef.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, []);
  const id = useId();
  const trimmed = text.trim();

  function save() {
    if (!trimmed) return;
    if (trimmed === initialText) onCancel();
    else onSave(trimmed);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    } else if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      save();
    }
  }

  return (
    <form
      className="grid gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <label className="sr-only" htmlFor={id}>
        Edit message
      </label>
      <textarea
        id={id}
        ref={editorRef}
        autoFocus
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        className="field-sizing-content min-h-10 w-full resize-none rounded-md border border-input bg-background px-2 py-1.5 text-sm text-foreground outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
      />
      <div className="flex justify-end gap-2">
        <Button type="button" size="sm" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" size="sm" disabled={!trimmed}>
          Save
        </Button>
      </div>
    </form>
  );
}
