import { AtSignIcon, MessagesSquareIcon } from "lucide-react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useLayoutEffect, useRef, useState } from "react";
import { NavLink, useMatch } from "react-router";
import { Skeleton } from "@/components/ui/skeleton";
import type { Presence, PresenceState, RoomSummary } from "@/features/chat/types";
import { UserAvatar } from "@/features/people/user-avatar";
import { formatDate } from "@/lib/time-format";
import { cn } from "@/lib/utils";
import { roomPath } from "@/lib/links";

interface RoomListProps {
  rooms: RoomSummary[];
  presence?: Map<string, Presence>;
  currentUserId: string;
  now?: Date;
  /** The unsent text of a room ("" for none), shown instead of its last message. */
  draftOf?: (roomId: string) => string;
  /** Told which people the direct rooms on screen are with (at most MAX_PRESENCE_ROWS),
   * so that presence is followed for those only, however many rooms the person has. */
  onVisiblePeersChange?: (peerIds: string[]) => void;
}

/** Presence dots are live for at most this many direct rooms on screen: each is a listener. */
export const MAX_PRESENCE_ROWS = 10;

export function formatRoomTime(date: Date, now: Date): string {
  const sameDay = date.toDateString() === now.toDateString();
  if (sameDay) return formatDate(date, "time");
  const ageDays = (now.getTime() - date.getTime()) / 86_400_000;
  if (ageDays < 7) return formatDate(date, "weekdayShort");
  return formatDate(date, "monthDay");
}

function unreadLabel(count: number): string {
  return count > 99 ? "99+" : String(count);
}

const NO_DRAFTS = () => "";

/** A row's height before it is measured, and the space between rows (`gap-0.5`). */
const ROW_ESTIMATE_PX = 60;
const ROW_GAP_PX = 2;
const LIST_PADDING_PX = 8;
/** Rows rendered before the list has found its scroll container (before the first paint). */
const FIRST_ROWS = 20;

/** The nearest ancestor that scrolls (the sidebar); null where nothing does (no layout, as
 * in tests), and then every row is rendered. */
function scrollParentOf(element: HTMLElement | null): HTMLElement | null {
  for (let node = element?.parentElement; node; node = node.parentElement) {
    const { overflowY } = getComputedStyle(node);
    if (overflowY === "auto" || overflowY === "scroll") return node;
  }
  return null;
}

/** Only the rows in and near view are rendered (@tanstack/react-virtual), in the sidebar's
 * own scroll, below whatever the sidebar shows above the list. */
export function RoomList({
  rooms,
  presence,
  currentUserId,
  now = new Date(),
  draftOf = NO_DRAFTS,
  onVisiblePeersChange,
}: RoomListProps) {
  // The open room's draft is in its composer, in plain sight.
  const openRoomId = useMatch("/rooms/:roomId")?.params.roomId;
  const listRef = useRef<HTMLUListElement>(null);
  // undefined until looked for (after the first render, before the first paint).
  const [scroller, setScroller] = useState<HTMLElement | null | undefined>(undefined);
  const [listTop, setListTop] = useState(0);
  const empty = rooms.length === 0;
  useLayoutEffect(() => {
    const parent = scrollParentOf(listRef.current);
    setScroller(parent);
    if (parent && listRef.current) {
      const top = listRef.current.getBoundingClientRect().top - parent.getBoundingClientRect().top + parent.scrollTop;
      setListTop((current) => (Math.abs(current - top) < 1 ? current : top));
    }
  });
  const virtualizer = useVirtualizer({
    count: rooms.length,
    getScrollElement: () => scroller ?? null,
    estimateSize: () => ROW_ESTIMATE_PX,
    gap: ROW_GAP_PX,
    paddingStart: LIST_PADDING_PX,
    paddingEnd: LIST_PADDING_PX,
    scrollMargin: listTop,
    overscan: 8,
    getItemKey: (index) => rooms[index]?.id ?? index,
    enabled: Boolean(scroller),
  });
  const items = scroller ? virtualizer.getVirtualItems() : [];
  const shown = scroller
    ? items.map((item) => item.index)
    : rooms.slice(0, scroller === undefined ? FIRST_ROWS : rooms.length).map((_, index) => index);
  // The rows in view (not those rendered above and below it), first ones first.
  const range = scroller ? virtualizer.range : null;
  const inView = range ? shown.filter((index) => index >= range.startIndex && index <= range.endIndex) : shown;
  const visiblePeers = [
    ...new Set(inView.map((index) => rooms[index]?.peerId).filter((id): id is string => Boolean(id))),
  ]
    .slice(0, MAX_PRESENCE_ROWS)
    .join(",");
  useEffect(() => {
    onVisiblePeersChange?.(visiblePeers ? visiblePeers.split(",") : []);
  }, [visiblePeers, onVisiblePeersChange]);
  if (empty) return <RoomListEmpty />;

  const first = items[0];
  const last = items.at(-1);
  const spaceAbove = first ? first.start - listTop : LIST_PADDING_PX;
  const spaceBelow = last ? virtualizer.getTotalSize() - (last.end - listTop) : LIST_PADDING_PX;
  return (
    <ul
      ref={listRef}
      className="grid grid-cols-1 gap-0.5 px-2"
      style={{ paddingTop: spaceAbove, paddingBottom: spaceBelow }}
    >
      {shown.map((index) => {
        const room = rooms[index]!;
        return (
          <RoomRow
            key={room.id}
            index={index}
            total={rooms.length}
            measure={virtualizer.measureElement}
            room={room}
            peerPresence={room.peerId ? presence?.get(room.peerId)?.state : undefined}
            draft={room.id === openRoomId ? "" : draftOf(room.id).trim()}
            currentUserId={currentUserId}
            now={now}
          />
        );
      })}
    </ul>
  );
}

interface RoomRowProps {
  /** Where the row is in the whole list, and how long that is (for assistive technology,
   * since only some rows are in the page). */
  index: number;
  total: number;
  measure: (element: HTMLLIElement | null) => void;
  room: RoomSummary;
  peerPresence: PresenceState | undefined;
  draft: string;
  currentUserId: string;
  now: Date;
}

/** One row; the data source keeps a room's summary the same object until the room changes,
 * so a new snapshot re-renders only the rows that changed (and all of them at midnight). */
const RoomRow = memo(
  function RoomRow({ index, total, measure, room, peerPresence, draft, currentUserId, now }: RoomRowProps) {
    const unread = room.unreadCount > 0;
    const preview = room.lastMessage
      ? `${room.lastMessage.senderId === currentUserId ? "You" : room.lastMessage.senderName}: ${room.lastMessage.text}`
      : "No messages yet";
    return (
      <li ref={measure} data-index={index} aria-posinset={index + 1} aria-setsize={total}>
        {/* The link's name comes from its text; the sr-only parts say what the visuals show. */}
        <NavLink
          to={roomPath(room.id)}
          className={({ isActive }) =>
            cn(
              "flex items-center gap-3 rounded-lg px-2.5 py-2 outline-none hover:bg-accent/70 focus-visible:ring-[3px] focus-visible:ring-ring/50",
              isActive && "bg-accent text-accent-foreground",
            )
          }
        >
          <span aria-hidden className="flex">
            <UserAvatar
              name={room.name}
              seed={room.peerId ?? room.id}
              avatarUrl={room.avatarUrl}
              presence={peerPresence}
              className="size-10"
            />
          </span>
          <span className="flex min-w-0 flex-1 flex-col gap-0.5">
            <span className="flex min-w-0 items-baseline gap-2">
              <span className={cn("min-w-0 truncate text-sm", unread ? "font-semibold" : "font-medium")}>
                {room.name}
              </span>
              <span className="sr-only">
                {unread ? `, ${room.unreadCount} unread` : ""}
                {room.mentioned ? ", mentions you" : ""}
                {peerPresence ? `, ${peerPresence}` : ""}
                {", "}
              </span>
              {room.lastMessage ? (
                <time
                  dateTime={room.lastMessage.sentAt.toISOString()}
                  className={cn("ml-auto shrink-0 text-xs", unread ? "text-primary" : "text-muted-foreground")}
                >
                  {formatRoomTime(room.lastMessage.sentAt, now)}
                </time>
              ) : null}
            </span>
            <span className="flex min-w-0 items-center gap-2">
              {draft ? (
                <span className="min-w-0 truncate text-xs text-muted-foreground">
                  <span className="font-medium text-primary">Draft:</span> {draft}
                </span>
              ) : (
                <span className={cn("min-w-0 truncate text-xs", unread ? "text-foreground" : "text-muted-foreground")}>
                  {preview}
                </span>
              )}
              {room.mentioned ? <AtSignIcon className="ml-auto size-3.5 shrink-0 text-primary" aria-hidden /> : null}
              {unread ? (
                <span
                  aria-hidden
                  data-testid="unread-badge"
                  className={cn(
                    "min-w-5 shrink-0 rounded-full bg-primary px-1.5 text-center text-[11px] leading-5 font-semibold text-primary-foreground",
                    !room.mentioned && "ml-auto",
                  )}
                >
                  {unreadLabel(room.unreadCount)}
                </span>
              ) : null}
            </span>
          </span>
        </NavLink>
      </li>
    );
  },
  (before, after) =>
    before.index === after.index &&
    before.total === after.total &&
    before.measure === after.measure &&
    before.room === after.room &&
    before.peerPresence === after.peerPresence &&
    before.draft === after.draft &&
    before.currentUserId === after.currentUserId &&
    before.now.toDateString() === after.now.toDateString(),
);

export function RoomListEmpty() {
  return (
    <div className="flex flex-col items-center gap-3 px-6 py-12 text-center">
      <span className="flex size-12 items-center justify-center rounded-full bg-accent text-accent-foreground">
        <MessagesSquareIcon className="size-6" aria-hidden />
      </span>
      <p className="text-sm font-medium">No conversations yet</p>
      <p className="text-xs text-muted-foreground">
        When someone adds you to a room or sends you a message, it shows up here.
      </p>
    </div>
  );
}

export function RoomListLoading() {
  return (
    <div className="grid gap-3 p-4" aria-busy="true" aria-label="Loading conversations">
      {[0, 1, 2, 3].map((row) => (
        <div key={row} className="flex items-center gap-3">
          <Skeleton className="size-10 rounded-full" />
          <div className="grid flex-1 gap-2">
            <Skeleton className="h-3 w-2/3" />
            <Skeleton className="h-3 w-full" />
          </div>
        </div>
      ))}
    </div>
  );
}
