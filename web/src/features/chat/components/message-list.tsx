import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from "react";
import { formatDayLabel, formatMessageTime, timelineBuilder, type TimelineItem } from "@/features/chat/group-messages";
import { dropLastFrame } from "@/features/chat/last-frame";
import { describeSystemLine } from "@/features/chat/system-line";
import type { Message } from "@/features/chat/types";
import { UserAvatar } from "@/features/people/user-avatar";
import { APP_MESSAGES_PAINT_MARK, FIRST_MESSAGES_PAINT_MARK, markLoad } from "@/lib/load-marks";
import { cn } from "@/lib/utils";
import type { MessageActionHandlers } from "./message-actions";
import { MessageBubble } from "./message-bubble";

interface MessageListProps extends MessageActionHandlers {
  messages: readonly Message[];
  currentUserId: string;
  now?: Date;
  editingMessageId?: string | null;
  /** A permalink's message, shown highlighted. */
  highlightedMessageId?: string | null;
  onSaveEdit?: (message: Message, text: string) => void;
  onCancelEdit?: () => void;
  /** The element that scrolls the list: only the rows in and near its view are rendered.
   * Without one, or where nothing has a size (tests), every row is. */
  scroller?: RefObject<HTMLElement | null>;
}

/** A row's height before it is measured; the space between rows (`gap-3`) and at the ends. */
const ROW_ESTIMATE_PX = 64;
const ROW_GAP_PX = 12;
const LIST_PADDING_PX = 16;

/** Where the list sits in its scroller, once the scroller has a size. */
interface Layout {
  element: HTMLElement;
  top: number;
}

/** The timeline row holding a message (a sender group holds several). */
function rowOf(timeline: readonly TimelineItem[], messageId: string): number {
  return timeline.findIndex((item) =>
    item.kind === "group"
      ? item.messages.some((message) => message.id === messageId)
      : item.kind === "system" && item.message.id === messageId,
  );
}

/** Set once per page load, in the frame that first paints messages (read by scripts/first-paint.mjs). */
export { FIRST_MESSAGES_PAINT_MARK };

function markFirstMessagesPaint() {
  if (typeof performance === "undefined" || typeof requestAnimationFrame === "undefined") return;
  if (performance.getEntriesByName(APP_MESSAGES_PAINT_MARK, "mark").length > 0) return;
  markLoad("messages-commit");
  // Layout effects run before the browser paints; the next animation frame is the one that
  // paints these messages, and the last frame painted before the app ran goes in it.
  requestAnimationFrame(() => {
    dropLastFrame();
    markLoad("app-messages-paint");
    if (performance.getEntriesByName(FIRST_MESSAGES_PAINT_MARK, "mark").length === 0)
      performance.mark(FIRST_MESSAGES_PAINT_MARK);
  });
}

type BubbleHandlers = Omit<
  MessageListProps,
  "messages" | "currentUserId" | "now" | "editingMessageId" | "highlightedMessageId" | "scroller"
>;

/** The handlers with an identity that lasts while the same ones are given (each calls the
 * latest), so memoised bubbles do not render again because the parent did. */
function useLastingHandlers(handlers: BubbleHandlers): BubbleHandlers {
  const latest = useRef(handlers);
  useLayoutEffect(() => {
    latest.current = handlers;
  });
  const { onReact, onReply, onStartEdit, onDelete, onSaveEdit, onCancelEdit } = handlers;
  const given = [onReact, onReply, onStartEdit, onDelete, onSaveEdit, onCancelEdit].map(Boolean).join();
  return useMemo(() => {
    const lasting: BubbleHandlers = {};
    if (onReact) lasting.onReact = (message, emoji) => latest.current.onReact?.(message, emoji);
    if (onReply) lasting.onReply = (message) => latest.current.onReply?.(message);
    if (onStartEdit) lasting.onStartEdit = (message) => latest.current.onStartEdit?.(message);
    if (onDelete) lasting.onDelete = (message) => latest.current.onDelete?.(message);
    if (onSaveEdit) lasting.onSaveEdit = (message, text) => latest.current.onSaveEdit?.(message, text);
    if (onCancelEdit) lasting.onCancelEdit = () => latest.current.onCancelEdit?.();
    return lasting;
    // Rebuilt only when a handler comes or goes, never for a new function of the same kind.
  }, [given]);
}

/** A conversation's messages: day separators, and bubbles grouped by sender. Virtualised
 * (@tanstack/react-virtual, in the conversation's scroll): however many pages are loaded,
 * only the rows in and near view are in the page; rows are measured as they render. */
export function MessageList({
  messages,
  currentUserId,
  now,
  editingMessageId,
  highlightedMessageId,
  scroller,
  ...handlers
}: MessageListProps) {
  const bubbleProps = useLastingHandlers(handlers);
  // Rows keep their keys from one timeline to the next (a busy room's group does not remount
  // as its first message leaves the live window).
  const [timelineOf] = useState(timelineBuilder);
  const timeline = timelineOf(messages);
  const hasMessages = messages.length > 0;
  useLayoutEffect(() => {
    if (hasMessages) markFirstMessagesPaint();
  }, [hasMessages]);

  const listRef = useRef<HTMLOListElement>(null);
  const [layout, setLayout] = useState<Layout | null>(null);
  // Where the list starts in the scroller moves with what is above it (the "Load earlier"
  // button, a short conversation pushed to the bottom): looked at after every render.
  useLayoutEffect(() => {
    const element = scroller?.current ?? null;
    const list = listRef.current;
    // No layout (tests: nothing has a size): every row is rendered.
    if (!element || !list || element.clientHeight === 0 || list.offsetHeight === 0) {
      setLayout(null);
      return;
    }
    const top = list.getBoundingClientRect().top - element.getBoundingClientRect().top + element.scrollTop;
    setLayout((current) =>
      current?.element === element && Math.abs(current.top - top) < 1 ? current : { element, top },
    );
  });
  const virtualizer = useVirtualizer({
    count: timeline.length,
    getScrollElement: () => layout?.element ?? null,
    estimateSize: () => ROW_ESTIMATE_PX,
    gap: ROW_GAP_PX,
    paddingStart: LIST_PADDING_PX,
    paddingEnd: LIST_PADDING_PX,
    scrollMargin: layout?.top ?? 0,
    overscan: 6,
    getItemKey: (index) => timeline[index]?.key ?? index,
    enabled: layout !== null,
  });

  // A message to show (a permalink's, or one being edited) may be in a row not rendered:
  // bring its row into view; the row then renders and the caller can place the bubble.
  const target = highlightedMessageId ?? editingMessageId ?? null;
  // While highlighted, a permalink's row is followed when pages join around it (its history
  // meeting the live messages moves it); an edited message only when editing starts.
  const highlightedRow = highlightedMessageId ? rowOf(timeline, highlightedMessageId) : -1;
  useEffect(() => {
    if (!target || !layout) return;
    const row = rowOf(timeline, target);
    if (row >= 0) virtualizer.scrollToIndex(row, { align: "center" });
    // Not on every new message.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [target, layout !== null, highlightedRow]);

  const items = layout ? virtualizer.getVirtualItems() : [];
  const shown = layout ? items.map((item) => item.index) : timeline.map((_, index) => index);
  const first = items[0];
  const last = items.at(-1);
  const spaceAbove = first && layout ? first.start - layout.top : LIST_PADDING_PX;
  const spaceBelow = last && layout ? virtualizer.getTotalSize() - (last.end - layout.top) : LIST_PADDING_PX;
  // Day rows say "Today" or "Yesterday": they render again when the day changes.
  const today = (now ?? new Date()).toDateString();
  return (
    <ol
      ref={listRef}
      className="flex flex-col gap-3 px-3 sm:px-6"
      style={{ paddingTop: spaceAbove, paddingBottom: spaceBelow }}
      aria-label="Messages"
    >
      {shown.map((index) => {
        const item = timeline[index]!;
        const inItem = (messageId: string | null | undefined) =>
          messageId && item.kind === "group" && item.messages.some((message) => message.id === messageId)
            ? messageId
            : null;
        return (
          <TimelineRow
            key={item.key}
            item={item}
            index={index}
            measure={layout ? virtualizer.measureElement : undefined}
            currentUserId={currentUserId}
            now={now}
            today={today}
            editingMessageId={inItem(editingMessageId)}
            highlightedMessageId={inItem(highlightedMessageId)}
            bubbleProps={bubbleProps}
          />
        );
      })}
    </ol>
  );
}

interface TimelineRowProps {
  item: TimelineItem;
  index: number;
  /** The virtualiser's ref, which measures the row. */
  measure: ((element: Element | null) => void) | undefined;
  currentUserId: string;
  now: Date | undefined;
  /** The viewer's day: when it changes, rows render again (day rows say "Today"). */
  today: string;
  /** The message being edited or highlighted, when in this row. */
  editingMessageId: string | null;
  highlightedMessageId: string | null;
  bubbleProps: BubbleHandlers;
}

/** One row of the timeline: a day separator, a system line or a sender's group. Memoised:
 * as messages arrive, only the rows whose messages changed render again (buildTimeline keeps
 * the others as the same objects). */
const TimelineRow = memo(function TimelineRow({
  item,
  index,
  measure,
  currentUserId,
  now,
  editingMessageId,
  highlightedMessageId,
  bubbleProps,
}: TimelineRowProps) {
  const rowProps = { "data-index": index, ref: measure };
  if (item.kind === "day") {
    return (
      <li {...rowProps} className="flex items-center gap-3 py-2 text-xs font-medium text-muted-foreground">
        <span className="h-px flex-1 bg-border" aria-hidden />
        <time
          dateTime={item.date.toISOString().slice(0, 10)}
          role="separator"
          aria-label={formatDayLabel(item.date, now)}
        >
          {formatDayLabel(item.date, now)}
        </time>
        <span className="h-px flex-1 bg-border" aria-hidden />
      </li>
    );
  }
  if (item.kind === "system") {
    return (
      <li
        {...rowProps}
        data-testid="system-line"
        data-message-id={item.message.id}
        className="px-2 text-center text-xs text-muted-foreground"
      >
        {describeSystemLine(item.message, currentUserId)}
      </li>
    );
  }
  const own = item.senderId === currentUserId;
  const first = item.messages[0]!;
  return (
    <li {...rowProps} className={cn("flex items-end gap-2", own && "flex-row-reverse")}>
      {own ? null : (
        <UserAvatar name={item.senderName} seed={item.senderId} avatarUrl={item.senderAvatarUrl} className="size-8" />
      )}
      <div className={cn("flex max-w-[min(36rem,85%)] min-w-0 flex-col gap-0.5", own ? "items-end" : "items-start")}>
        <p className={cn("flex items-baseline gap-2 px-1 text-xs text-muted-foreground", own && "sr-only")}>
          <span className="font-medium text-foreground">{own ? "You" : item.senderName}</span>
          <time dateTime={first.createdAt.toISOString()}>{formatMessageTime(first.createdAt)}</time>
        </p>
        {item.messages.map((message, position) => (
          <MessageBubble
            key={message.id}
            {...bubbleProps}
            message={message}
            own={own}
            currentUserId={currentUserId}
            editing={message.id === editingMessageId}
            highlighted={message.id === highlightedMessageId}
            position={
              item.messages.length === 1
                ? "single"
                : position === 0
                  ? "first"
                  : position === item.messages.length - 1
                    ? "last"
                    : "middle"
            }
          />
        ))}
      </div>
    </li>
  );
});
