import { MessageSquareIcon, SearchIcon } from "lucide-react";
import { useEffect, useId, useState, type KeyboardEvent } from "react";
import { useNavigate } from "react-router";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { useSession } from "@/features/auth/session-context";
import { useRooms } from "@/features/chat/chat-data-context";
import { describeError, useRoomActions, type PersonResult } from "@/features/chat/rooms/room-actions";
import { useOpenRoom } from "@/features/chat/rooms/use-open-room";
import type { RoomSummary } from "@/features/chat/types";
import { UserAvatar } from "@/features/people/user-avatar";
import { cn } from "@/lib/utils";
import { recentItems, rememberRecent } from "./recent";
import { usePeopleSearch } from "./use-people-search";
import { roomPath } from "@/lib/links";

const MAX_ROOMS = 8;

type Choice =
  { kind: "room"; room: RoomSummary } | { kind: "person"; person: PersonResult } | { kind: "search"; query: string };

/** Rooms whose name contains `text`, those opened lately first, then the most active. */
export function rankRooms(
  rooms: readonly RoomSummary[],
  text: string,
  recentRoomIds: readonly string[],
): RoomSummary[] {
  const needle = text.trim().toLowerCase();
  const recency = new Map(recentRoomIds.map((id, index) => [id, index]));
  return rooms
    .filter((room) => !needle || room.name.toLowerCase().includes(needle))
    .sort((a, b) => {
      const ra = recency.get(a.id) ?? Infinity;
      const rb = recency.get(b.id) ?? Infinity;
      if (ra !== rb) return ra - rb;
      return b.updatedAt.getTime() - a.updatedAt.getTime();
    })
    .slice(0, MAX_ROOMS);
}

/** Ctrl+K (⌘K on a Mac) opens the switcher from anywhere in the app. */
export function useQuickSwitcherShortcut(open: () => void) {
  useEffect(() => {
    function onKeyDown(event: globalThis.KeyboardEvent) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        open();
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [open]);
}

/** Jump to a conversation or a person by typing part of a name; recent ones first. */
export function QuickSwitcher({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const id = useId();
  const listId = `${id}-choices`;
  const navigate = useNavigate();
  const { user } = useSession();
  const rooms = useRooms();
  const actions = useRoomActions();
  const [text, setText] = useState("");
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const people = usePeopleSearch(text);
  const { openRoom, waiting } = useOpenRoom(() => onOpenChange(false));

  // Each opening starts afresh.
  const [wasOpen, setWasOpen] = useState(open);
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) {
      setText("");
      setActive(0);
      setError(null);
    }
  }

  const userId = user?.id ?? "";
  const recentRoomIds = open ? recentItems(userId).flatMap((item) => (item.kind === "room" ? [item.id] : [])) : [];
  const roomChoices = rankRooms(rooms.status === "ready" ? rooms.rooms : [], text, recentRoomIds);
  const directPeers = new Set(roomChoices.map((room) => room.peerId));
  const choices: Choice[] = [
    ...roomChoices.map((room): Choice => ({ kind: "room", room })),
    ...people.people
      .filter((person) => !directPeers.has(person.id))
      .map((person): Choice => ({ kind: "person", person })),
    ...(text.trim() ? [{ kind: "search", query: text.trim() } as Choice] : []),
  ];
  const activeIndex = Math.min(active, choices.length - 1);

  async function choose(choice: Choice) {
    if (choice.kind === "room") {
      rememberRecent(userId, { kind: "room", id: choice.room.id });
      navigate(roomPath(choice.room.id));
      onOpenChange(false);
    } else if (choice.kind === "search") {
      navigate(`/search?q=${encodeURIComponent(choice.query)}`);
      onOpenChange(false);
    } else if (actions) {
      try {
        const roomId = await actions.startDirect(choice.person.username);
        rememberRecent(userId, { kind: "room", id: roomId });
        openRoom(roomId);
      } catch (caught) {
        setError(describeError(caught, "Couldn't start the conversation. Try again."));
      }
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (choices.length === 0) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((activeIndex + step + choices.length) % choices.length);
    } else if (event.key === "Enter" && choices[activeIndex]) {
      event.preventDefault();
      void choose(choices[activeIndex]);
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="top-[20%] translate-y-0 gap-3 p-4 sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Jump to</DialogTitle>
          <DialogDescription>A conversation or a person. ↑/↓ to choose, Enter to open.</DialogDescription>
        </DialogHeader>
        <Input
          role="combobox"
          aria-label="Conversation or person"
          aria-expanded={choices.length > 0}
          aria-controls={listId}
          aria-activedescendant={choices.length > 0 ? `${listId}-${activeIndex}` : undefined}
          autoComplete="off"
          placeholder="Type a name…"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          disabled={waiting !== null}
        />
        {error ? (
          <p role="alert" className="text-sm text-destructive">
            {error}
          </p>
        ) : null}
        <ul
          id={listId}
          role="listbox"
          aria-label="Conversations and people"
          className="grid max-h-80 gap-0.5 overflow-y-auto"
        >
          {choices.map((choice, index) => (
            <li
              key={choice.kind === "room" ? choice.room.id : choice.kind === "person" ? choice.person.id : "search"}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === activeIndex}
              className={cn(
                "flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm",
                index === activeIndex ? "bg-accent text-accent-foreground" : "hover:bg-accent/60",
              )}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => void choose(choice)}
            >
              <ChoiceLabel choice={choice} />
            </li>
          ))}
        </ul>
      </DialogContent>
    </Dialog>
  );
}

function ChoiceLabel({ choice }: { choice: Choice }) {
  if (choice.kind === "room") {
    const room = choice.room;
    return (
      <>
        <UserAvatar name={room.name} seed={room.peerId ?? room.id} avatarUrl={room.avatarUrl} className="size-6" />
        <span className="min-w-0 flex-1 truncate">{room.name}</span>
        <span className="text-xs text-muted-foreground">{room.kind === "direct" ? "Direct" : "Group"}</span>
      </>
    );
  }
  if (choice.kind === "person") {
    const person = choice.person;
    return (
      <>
        <UserAvatar name={person.displayName} seed={person.id} avatarUrl={person.avatarUrl} className="size-6" />
        <span className="min-w-0 flex-1 truncate">
          {person.displayName} <span className="text-muted-foreground">@{person.username}</span>
        </span>
        <MessageSquareIcon className="size-4 text-muted-foreground" aria-label="Start a conversation" />
      </>
    );
  }
  return (
    <>
      <SearchIcon className="size-4 text-muted-foreground" aria-hidden />
      <span className="min-w-0 flex-1 truncate">Search messages for “{choice.query}”</span>
    </>
  );
}
