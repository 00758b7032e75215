import { AtSignIcon, MessagesSquareIcon } from "lucide-react";
import { NavLink, useMatch } from "react-router";
import { Skeleton } from "@/components/ui/skeleton";
import type { Presence, RoomSummary } from "@/features/chat/types";
import { UserAvatar } from "@/features/people/user-avatar";
import { cn } from "@/lib/utils";

interface RoomListProps {
  rooms: RoomSummary[];
  presence?: Map<string, Presence>;
  currentUserId: string;
  now?: Date;
  /** The unsent text of a room ("" for none), shown instead of its last message. */
  draftOf?: (roomId: string) => string;
}

export function formatRoomTime(date: Date, now: Date): string {
  const sameDay = date.toDateString() === now.toDateString();
  if (sameDay) return date.toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
  const ageDays = (now.getTime() - date.getTime()) / 86_400_000;
  if (ageDays < 7) return date.toLocaleDateString(undefined, { weekday: "short" });
  return date.toLocaleDateString(undefined, { month: "short", day: "numeric" });
}

function unreadLabel(count: number): string {
  return count > 99 ? "99+" : String(count);
}

const NO_DRAFTS = () => "";

export function RoomList({ rooms, presence, currentUserId, now = new Date(), draftOf = NO_DRAFTS }: RoomListProps) {
  // The open room's draft is in its composer, in plain sight.
  const openRoomId = useMatch("/rooms/:roomId")?.params.roomId;
  if (rooms.length === 0) return <RoomListEmpty />;
  return (
    <ul className="grid grid-cols-1 gap-0.5 p-2">
      {rooms.map((room) => {
        const peerPresence = room.peerId ? presence?.get(room.peerId)?.state : undefined;
        const unread = room.unreadCount > 0;
        const draft = room.id === openRoomId ? "" : draftOf(room.id).trim();
        const preview = room.lastMessage
          ? `${room.lastMessage.senderId === currentUserId ? "You" : room.lastMessage.senderName}: ${room.lastMessage.text}`
          : "No messages yet";
        return (
          <li key={room.id}>
            {/* The link's name comes from its text; the sr-only parts say what the visuals show. */}
            <NavLink
              to={`/rooms/${room.id}`}
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
                  <span className={cn("min-w-0 truncate text-sm", unread ? "font-semibold" : "font-medium")}>{room.name}</span>
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
                    <span className={cn("min-w-0 truncate text-xs", unread ? "text-foreground" : "text-muted-foreground")}>{preview}</span>
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
      })}
    </ul>
  );
}

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
