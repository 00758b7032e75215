import { CornerUpLeftIcon, FileIcon } from "lucide-react";
import { formatMessageTime } from "@/features/chat/group-messages";
import type { Message } from "@/features/chat/types";
import { cn } from "@/lib/utils";

type Position = "single" | "first" | "middle" | "last";

interface MessageBubbleProps {
  message: Message;
  own: boolean;
  position: Position;
}

// Bubbles in a group share a flat inner edge, so the group reads as one block.
const CORNERS: Record<"own" | "other", Record<Position, string>> = {
  own: { single: "rounded-2xl", first: "rounded-2xl rounded-br-md", middle: "rounded-2xl rounded-r-md", last: "rounded-2xl rounded-tr-md" },
  other: { single: "rounded-2xl", first: "rounded-2xl rounded-bl-md", middle: "rounded-2xl rounded-l-md", last: "rounded-2xl rounded-tl-md" },
};

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function MessageBubble({ message, own, position }: MessageBubbleProps) {
  const reactions = Object.entries(message.reactions).filter(([, users]) => users.length > 0);
  const status =
    message.delivery === "sending"
      ? "Sending…"
      : message.delivery === "failed"
        ? "Not sent"
        : message.editedAt && !message.deleted
          ? "Edited"
          : null;
  return (
    <div
      data-testid="message"
      data-message-id={message.id}
      title={message.createdAt.toLocaleString()}
      className={cn("group flex min-w-0 flex-col gap-1", own ? "items-end" : "items-start")}
    >
      <div
        className={cn(
          "max-w-full px-3.5 py-2 text-sm break-words",
          CORNERS[own ? "own" : "other"][position],
          own ? "bg-bubble-own text-bubble-own-foreground" : "bg-bubble-other text-bubble-other-foreground",
          message.deleted && "bg-transparent text-muted-foreground italic ring-1 ring-border",
          message.delivery === "sending" && "opacity-70",
        )}
      >
        {message.replyTo && !message.deleted ? (
          <p className={cn("mb-1 flex items-center gap-1 border-l-2 pl-2 text-xs opacity-80", own ? "border-bubble-own-foreground/60" : "border-primary")}>
            <CornerUpLeftIcon className="size-3 shrink-0" aria-hidden />
            <span className="truncate">
              <span className="font-medium">{message.replyTo.senderName}</span>: {message.replyTo.text}
            </span>
          </p>
        ) : null}
        {message.deleted ? (
          <p>This message was deleted</p>
        ) : (
          <p className="whitespace-pre-wrap">{message.text}</p>
        )}
        {!message.deleted && message.attachments.length > 0 ? (
          <ul className="mt-2 grid gap-1.5">
            {message.attachments.map((attachment) => (
              <li key={attachment.id}>
                {attachment.kind === "image" ? (
                  <img
                    src={attachment.url}
                    alt={attachment.name}
                    width={attachment.width}
                    height={attachment.height}
                    loading="lazy"
                    className="max-h-64 rounded-lg object-cover"
                  />
                ) : (
                  <a href={attachment.url} className="flex items-center gap-2 rounded-lg bg-background/20 px-2 py-1.5 underline-offset-2 hover:underline">
                    <FileIcon className="size-4 shrink-0" aria-hidden />
                    <span className="truncate">{attachment.name}</span>
                    <span className="shrink-0 text-xs opacity-75">{formatBytes(attachment.sizeBytes)}</span>
                  </a>
                )}
              </li>
            ))}
          </ul>
        ) : null}
        {status ? <span className="mt-0.5 block text-right text-[11px] leading-none opacity-75">{status}</span> : null}
        <span className="sr-only">
          , sent <time dateTime={message.createdAt.toISOString()}>{formatMessageTime(message.createdAt)}</time>
        </span>
      </div>
      {reactions.length > 0 ? (
        <ul className="flex flex-wrap gap-1" aria-label="Reactions">
          {reactions.map(([emoji, users]) => (
            <li key={emoji} className="rounded-full border bg-background px-1.5 text-xs" aria-label={`${emoji} ${users.length}`}>
              {emoji} {users.length}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
