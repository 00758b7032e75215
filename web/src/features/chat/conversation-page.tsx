import { Loader2Icon } from "lucide-react";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { LoadProblem } from "@/components/load-problem";
import { rememberRecent } from "@/features/search/recent";
import { useSession } from "@/features/auth/session-context";
import { useStateFor } from "@/lib/use-state-for";
import { SLOW_LOAD_MS, useTimedOut } from "@/lib/use-timed-out";
import { useChatData, useRetryRooms, useRooms } from "./chat-data-context";
import { LiveConversation } from "./live-conversation";
import { MESSAGE_PAGE_SIZE } from "./use-conversation";
import { markLoad } from "@/lib/load-marks";
import { describeError, useRoomActions, type RoomActions } from "./rooms/room-actions";

/**
 * How long a room may be missing from a loaded room list before the functions are asked
 * about it: a room just created or joined reaches the list a moment after the callable.
 */
const LIST_GRACE_MS = 1_500;

/** How long a room's prefetched messages stay listened to after the room list has named the
 * room, for the conversation's own listener to take over (the Firestore SDK shares the query). */
const PREFETCH_LINGER_MS = 5_000;

type MissingRoom =
  | { state: "waiting" }
  | { state: "checking" }
  | { state: "restored" }
  | { state: "not-found" }
  | { state: "failed"; reason: string };

const WAITING: MissingRoom = { state: "waiting" };

/**
 * A room the list does not show may still be the person's: Firestore's copy of it can be
 * missing (a wiped emulator, a restored backup). PostgreSQL knows; `restoreRoom` asks it and
 * repairs the copy, after which the room reaches the list.
 */
function useMissingRoom(
  roomId: string,
  missing: boolean,
  actions: RoomActions | null,
  graceMs: number,
  attempt: number,
): MissingRoom {
  // When any input changes, the check is waiting again.
  const [check, setCheck] = useStateFor<MissingRoom>([roomId, missing, actions, graceMs, attempt]);
  useEffect(() => {
    if (!missing || !actions) return;
    const inputs = [roomId, missing, actions, graceMs, attempt];
    let cancelled = false;
    const timer = setTimeout(() => {
      setCheck(inputs, { state: "checking" });
      actions.restoreRoom(roomId).then(
        (outcome) => {
          if (!cancelled) setCheck(inputs, { state: outcome });
        },
        (error: unknown) => {
          // A bare code ("deadline-exceeded", "internal") says less than the connection's state.
          const reason = describeError(error, "");
          if (!cancelled) setCheck(inputs, { state: "failed", reason: reason.includes(" ") ? reason : "" });
        },
      );
    }, graceMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [roomId, missing, actions, graceMs, attempt, setCheck]);
  return check ?? WAITING;
}

interface ConversationPageProps {
  /** How long the page may wait for the room before saying so and offering a retry. */
  slowAfterMs?: number;
  graceMs?: number;
}

/**
 * /rooms/:roomId. Opens one of the person's rooms; "not found" only once the functions have
 * said it is not theirs (or does not exist); a room that does not load in a few seconds says
 * why and offers a retry. Also /r/:roomId/m/:messageId, a message's permalink (`messagePath`;
 * the older `?message=<id>` still works): the conversation opens at that message.
 */
export function ConversationPage({ slowAfterMs = SLOW_LOAD_MS, graceMs = LIST_GRACE_MS }: ConversationPageProps) {
  const { roomId = "", messageId } = useParams();
  markLoad("room-render");
  const [params] = useSearchParams();
  const source = useChatData();
  const rooms = useRooms();
  const retryRooms = useRetryRooms();
  const actions = useRoomActions();
  const { user } = useSession();
  const [attempt, setAttempt] = useState(0);

  const room = rooms.status === "ready" ? rooms.rooms.find((candidate) => candidate.id === roomId) : undefined;
  const found = room !== undefined;
  // Opened by its address before the room list has answered (a cold load): the room's messages
  // are fetched meanwhile, not only once the list has named the room (one server round trip
  // after the other). The conversation's own listener takes over the same fetch.
  const listLoading = rooms.status === "loading";
  const foundNow = useRef(found);
  useLayoutEffect(() => {
    foundNow.current = found;
  });
  useEffect(() => {
    if (!source || !listLoading) return;
    const stop = source.prefetchMessages?.(roomId, MESSAGE_PAGE_SIZE);
    if (!stop) return;
    // A room the list has named: its conversation's listener starts after this, in the same
    // commit, and takes over the fetch. A room the list lacks may not be the person's (yet):
    // its fetch stops at once, so none of it (a refusal) reaches a later listener.
    return () => {
      if (foundNow.current) setTimeout(stop, PREFETCH_LINGER_MS);
      else stop();
    };
  }, [source, roomId, listLoading]);
  useEffect(() => {
    if (found && user) rememberRecent(user.id, { kind: "room", id: roomId }); // the quick switcher lists it first
  }, [found, roomId, user]);
  const missing = source !== null && rooms.status === "ready" && !room;
  const check = useMissingRoom(roomId, missing, actions, graceMs, attempt);
  const waiting =
    source !== null &&
    (rooms.status === "loading" ||
      (missing && (check.state === "waiting" || check.state === "checking" || check.state === "restored")));
  const slow = useTimedOut(waiting, slowAfterMs, `${roomId}:${attempt}`);

  function retry() {
    setAttempt((count) => count + 1);
    retryRooms();
  }

  if (!source || !user) return <ConversationNotFound />;
  if (room) {
    return (
      <LiveConversation
        key={room.id}
        source={source}
        room={room}
        currentUserId={user.id}
        slowAfterMs={slowAfterMs}
        focusMessageId={messageId ?? params.get("message")}
      />
    );
  }
  if (check.state === "not-found") return <ConversationNotFound />;
  if (rooms.status === "error" || check.state === "failed" || slow) {
    const reason = rooms.status === "error" ? rooms.error.message : check.state === "failed" ? check.reason : undefined;
    return (
      <LoadProblem
        className="h-full content-center"
        title="Couldn't load this conversation"
        reason={reason}
        onRetry={retry}
      />
    );
  }
  return (
    <div className="grid h-full place-content-center" role="status" aria-label="Loading conversation">
      <Loader2Icon className="size-6 animate-spin text-muted-foreground" aria-hidden />
    </div>
  );
}

function ConversationNotFound() {
  return (
    <div className="grid h-full place-content-center gap-2 p-8 text-center">
      <h1 className="text-lg font-semibold">Conversation not found</h1>
      <p className="text-sm text-muted-foreground">It may have been deleted, or you are no longer a member.</p>
      <Link to="/" className="text-sm text-primary underline-offset-4 hover:underline">
        Back to your conversations
      </Link>
    </div>
  );
}
