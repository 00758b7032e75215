import { Loader2Icon, SearchIcon, XIcon } from "lucide-react";
import { useId, useState, type KeyboardEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { Button } from "@/components/ui/button";
import { BackToConversations } from "@/features/shell/back-to-conversations";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useSession } from "@/features/auth/session-context";
import { useRooms } from "@/features/chat/chat-data-context";
import { formatDayLabel, formatMessageTime } from "@/features/chat/group-messages";
import type { HasFilter, MessageHit, PersonResult } from "@/features/chat/rooms/room-actions";
import type { RoomSummary } from "@/features/chat/types";
import { UserAvatar } from "@/features/people/user-avatar";
import { messagePath } from "@/lib/links";
import { PersonPicker } from "./person-picker";
import { Snippet } from "./snippet";
import { groupByRoom, MIN_QUERY_CHARS, useMessageSearch } from "./use-message-search";

const SELECT_CLASS =
  "h-9 w-full rounded-md border border-input bg-transparent px-2 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 dark:bg-input/30";

/** A date input's value as the start of that day, local time. */
function dayStart(value: string): Date | undefined {
  if (!value) return undefined;
  const [year, month, day] = value.split("-").map(Number);
  return new Date(year!, month! - 1, day!);
}

function nextDay(date: Date | undefined): Date | undefined {
  return date ? new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1) : undefined;
}

export function permalink(hit: Pick<MessageHit, "roomId" | "messageId">): string {
  return messagePath(hit.roomId, hit.messageId);
}

/** /search?q= — messages of the person's rooms, filtered, grouped by room; a result opens the
 * conversation at that message. */
export function SearchPage() {
  const id = useId();
  const navigate = useNavigate();
  const { user } = useSession();
  const rooms = useRooms();
  const [params, setParams] = useSearchParams();
  const query = params.get("q") ?? "";
  const [roomId, setRoomId] = useState("");
  const [senderText, setSenderText] = useState("");
  const [sender, setSender] = useState<PersonResult | null>(null);
  const [has, setHas] = useState<HasFilter | "">("");
  const [fromDate, setFromDate] = useState("");
  const [toDate, setToDate] = useState("");
  const search = useMessageSearch({
    query,
    roomId: roomId || undefined,
    senderId: sender?.id,
    has: has || undefined,
    after: dayStart(fromDate),
    before: nextDay(dayStart(toDate)),
  });
  const roomList = rooms.status === "ready" ? rooms.rooms : [];
  const roomsById = new Map(roomList.map((room) => [room.id, room]));
  const groups = groupByRoom(search.hits);

  function onQueryKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    const first = search.hits[0];
    if (event.key === "Enter" && first) {
      event.preventDefault();
      navigate(permalink(first));
    } else if (event.key === "ArrowDown" && first) {
      event.preventDefault();
      document.querySelector<HTMLElement>("[data-search-hit]")?.focus();
    }
  }

  return (
    <section className="mx-auto flex max-w-3xl flex-col gap-4 p-4 sm:p-6" aria-labelledby={`${id}-title`}>
      <div className="flex items-center gap-2">
        <BackToConversations />
        <h1 id={`${id}-title`} className="text-lg font-semibold">
          Search messages
        </h1>
      </div>
      <div className="relative">
        <SearchIcon
          className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-muted-foreground"
          aria-hidden
        />
        <Input
          type="search"
          aria-label="Search messages"
          placeholder='Words, "exact phrase", -leave out'
          className="pl-8"
          autoFocus
          value={query}
          onChange={(event) => setParams(event.target.value ? { q: event.target.value } : {}, { replace: true })}
          onKeyDown={onQueryKeyDown}
        />
      </div>
      <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        <legend className="sr-only">Filters</legend>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-room`}>In</Label>
          <select
            id={`${id}-room`}
            className={SELECT_CLASS}
            value={roomId}
            onChange={(event) => setRoomId(event.target.value)}
          >
            <option value="">All conversations</option>
            {roomList.map((room) => (
              <option key={room.id} value={room.id}>
                {room.name}
              </option>
            ))}
          </select>
        </div>
        <div className="grid gap-1.5">
          {sender ? (
            <>
              <span className="text-sm leading-none font-medium">From</span>
              <span className="flex h-9 items-center gap-2 rounded-md border px-2 text-sm">
                <UserAvatar
                  name={sender.displayName}
                  seed={sender.id}
                  avatarUrl={sender.avatarUrl}
                  className="size-5"
                />
                <span className="min-w-0 flex-1 truncate">{sender.displayName}</span>
                <Button
                  variant="ghost"
                  size="icon"
                  className="size-6"
                  aria-label={`Remove filter: from ${sender.displayName}`}
                  onClick={() => {
                    setSender(null);
                    setSenderText("");
                  }}
                >
                  <XIcon aria-hidden />
                </Button>
              </span>
            </>
          ) : (
            <PersonPicker
              label="From"
              placeholder="Anyone"
              value={senderText}
              onValueChange={setSenderText}
              onPick={setSender}
            />
          )}
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-has`}>Has</Label>
          <select
            id={`${id}-has`}
            className={SELECT_CLASS}
            value={has}
            onChange={(event) => setHas(event.target.value as HasFilter | "")}
          >
            <option value="">Anything</option>
            <option value="link">A link</option>
            <option value="image">A picture</option>
            <option value="file">A file</option>
          </select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-from-date`}>From date</Label>
          <Input
            id={`${id}-from-date`}
            type="date"
            value={fromDate}
            onChange={(event) => setFromDate(event.target.value)}
          />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-to-date`}>To date</Label>
          <Input id={`${id}-to-date`} type="date" value={toDate} onChange={(event) => setToDate(event.target.value)} />
        </div>
      </fieldset>
      <div aria-live="polite" className="text-sm text-muted-foreground">
        {query.trim().length < MIN_QUERY_CHARS ? <p>Type at least two characters.</p> : null}
        {search.status === "searching" && search.hits.length === 0 ? (
          <p className="flex items-center gap-2">
            <Loader2Icon className="size-4 animate-spin" aria-hidden /> Searching…
          </p>
        ) : null}
        {search.status === "done" && search.hits.length === 0 ? <p>No messages found.</p> : null}
        {search.status === "error" ? <p className="text-destructive">Search failed. Try again.</p> : null}
      </div>
      {groups.map((group) => (
        <RoomResults
          key={group.roomId}
          room={roomsById.get(group.roomId)}
          hits={group.hits}
          currentUserId={user?.id ?? ""}
        />
      ))}
      {search.nextCursor ? (
        <Button
          busy={search.loadingMore}
          variant="outline"
          className="self-center"
          onClick={() => void search.loadMore()}
        >
          More results
        </Button>
      ) : null}
    </section>
  );
}

function RoomResults({
  room,
  hits,
  currentUserId,
}: {
  room: RoomSummary | undefined;
  hits: MessageHit[];
  currentUserId: string;
}) {
  const name = room?.name ?? "Conversation";
  return (
    <section aria-label={`Results in ${name}`} className="grid gap-1">
      <h2 className="flex items-center gap-2 text-sm font-semibold">
        <UserAvatar name={name} seed={room?.peerId ?? hits[0]!.roomId} avatarUrl={room?.avatarUrl} className="size-6" />
        {name}
      </h2>
      <ul className="grid gap-1">
        {hits.map((hit) => (
          <li key={hit.messageId}>
            <Link
              to={permalink(hit)}
              data-search-hit
              className="block rounded-md border px-3 py-2 text-sm outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
              onKeyDown={(event) => moveBetweenHits(event)}
            >
              <span className="mb-0.5 flex gap-2 text-xs text-muted-foreground">
                <span className="font-medium text-foreground">
                  {hit.senderId === currentUserId ? "You" : hit.senderName || "Someone"}
                </span>
                <time dateTime={hit.createdAt.toISOString()}>
                  {formatDayLabel(hit.createdAt)} {formatMessageTime(hit.createdAt)}
                </time>
              </span>
              <span className="block break-words">
                <Snippet html={hit.snippet} />
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** ↑/↓ between results, as in a list. */
function moveBetweenHits(event: KeyboardEvent<HTMLAnchorElement>) {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  event.preventDefault();
  const all = Array.from(document.querySelectorAll<HTMLElement>("[data-search-hit]"));
  const index = all.indexOf(event.currentTarget);
  all[index + (event.key === "ArrowDown" ? 1 : -1)]?.focus();
}
