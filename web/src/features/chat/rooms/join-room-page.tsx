import { Loader2Icon } from "lucide-react";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { describeError, useRoomActions } from "./room-actions";
import { useOpenRoom } from "./use-open-room";

/** /join/:roomId — the link to a public group: joins it, then opens it. */
export function JoinRoomPage() {
  const { roomId = "" } = useParams();
  const actions = useRoomActions();
  const { openRoom } = useOpenRoom();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!actions || !roomId) return;
    let cancelled = false;
    actions
      .joinRoom(roomId)
      .then(() => {
        if (!cancelled) openRoom(roomId);
      })
      .catch((caught: unknown) => {
        if (!cancelled) setError(describeError(caught, "Couldn't join this room."));
      });
    return () => {
      cancelled = true;
    };
  }, [actions, roomId, openRoom]);

  if (error) {
    return (
      <div className="grid h-full place-content-center gap-2 p-8 text-center">
        <h1 className="text-lg font-semibold">Can't join this room</h1>
        <p className="text-sm text-muted-foreground">{error}</p>
        <Link to="/" className="text-sm text-primary underline-offset-4 hover:underline">
          Back to your conversations
        </Link>
      </div>
    );
  }
  return (
    <div className="grid h-full place-content-center gap-3 p-8 text-center" role="status">
      <Loader2Icon className="mx-auto size-6 animate-spin text-muted-foreground" aria-hidden />
      <p className="text-sm text-muted-foreground">Joining the room…</p>
    </div>
  );
}
