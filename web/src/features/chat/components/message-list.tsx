import { useLayoutEffect } from "react";
import { buildTimeline, formatDayLabel, formatMessageTime } from "@/features/chat/group-messages";
import type { Message } from "@/features/chat/types";
import { UserAvatar } from "@/features/people/user-avatar";
import { cn } from "@/lib/utils";
import type { MessageActionHandlers } from "./message-actions";
import { MessageBubble } from "./message-bubble";

interface MessageListProps extends MessageActionHandlers {
  messages: readonly Message[];
  currentUserId: string;
  now?: Date;
  editingMessageId?: string | null;
  onSaveEdit?: (message: Message, text: string) => void;
  onCancelEdit?: () => void;
}

/** Set once per page load, in the frame that first paints messages (read by scripts/first-paint.mjs). */
export const FIRST_MESSAGES_PAINT_MARK = "flowchat:first-messages-paint";

function markFirstMessagesPaint() {
  if (typeof performance === "undefined" || typeof requestAnimationFrame === "undefined") return;
  if (performance.getEntriesByName(FIRST_MESSAGES_PAINT_MARK, "mark").length > 0) return;
  // Layout effects run before the browser paints; the next animation frame is the one that
  // paints these messages.
  requestAnimationFrame(() => {
    if (performance.getEntriesByName(FIRST_MESSAGES_PAINT_MARK, "mark").length === 0) performance.mark(FIRST_MESSAGES_PAINT_MARK);
  });
}

/** A conversation's messages: day separators, and bubbles grouped by sender. */
export function MessageList({ messages, currentUserId, now, editingMessageId, ...bubbleProps }: MessageListProps) {
  const timeline = buildTimeline(messages);
  const hasMessages = messages.length > 0;
  useLayoutEffect(() => {
    if (hasMessages) markFirstMessagesPaint();
  }, [hasMessages]);
  return (
    <ol className="flex flex-col gap-3 px-3 py-4 sm:px-6" aria-label="Messages">
      {timeline.map((item) => {
        if (item.kind === "day") {
          return (
            <li key={item.key} className="flex items-center gap-3 py-2 text-xs font-medium text-muted-foreground">
              <span className="h-px flex-1 bg-border" aria-hidden />
              <time dateTime={item.date.toISOString().slice(0, 10)} role="separator" aria-label={formatDayLabel(item.date, now)}>
                {formatDayLabel(item.date, now)}
              </time>
              <span className="h-px flex-1 bg-border" aria-hidden />
            </li>
          );
        }
        const own = item.senderId === currentUserId;
        const first = item.messages[0]!;
        return (
          <li key={item.key} className={cn("flex items-end gap-2", own && "flex-row-reverse")}>
            {own ? null : (
              <UserAvatar name={item.senderName} seed={item.senderId} avatarUrl={item.senderAvatarUrl} className="size-8" />
            )}
            <div className={cn("flex max-w-[min(36rem,85%)] min-w-0 flex-col gap-0.5", own ? "items-end" : "items-start")}>
              <p className={cn("flex items-baseline gap-2 px-1 text-xs text-muted-foreground", own && "sr-only")}>
                <span className="font-medium text-foreground">{own ? "You" : item.senderName}</span>
                <time dateTime={first.createdAt.toISOString()}>{formatMessageTime(first.createdAt)}</time>
              </p>
              {item.messages.map((message, index) => (
                <MessageBubble
                  key={message.id}
                  {...bubbleProps}
                  message={message}
                  own={own}
                  currentUserId={currentUserId}
                  editing={message.id === editingMessageId}
                  position={item.messages.length === 1 ? "single" : index === 0 ? "first" : index === item.messages.length - 1 ? "last" : "middle"}
                />
              ))}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
