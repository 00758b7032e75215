import { useCallback, useEffect, useState } from "react";
import { useRoomActions, type RoomInvite } from "./room-actions";

/** Invites come from a callable (PostgreSQL), not a listener: asked again this often. */
const REFRESH_MS = 30_000;

/** The signed-in person's pending invites, refreshed periodically and when the tab regains focus. */
export function useInvites() {
  const actions = useRoomActions();
  const [invites, setInvites] = useState<RoomInvite[]>([]);

  const refresh = useCallback(async () => {
    if (!actions) return;
    try {
      setInvites((await actions.listMyRooms()).invites);
    } catch {
      // Offline or signed out meanwhile: keep what is shown; the next refresh tries again.
    }
  }, [actions]);

  useEffect(() => {
    if (!actions) {
      setInvites([]);
      return;
    }
    void refresh();
    // A hidden tab does not ask; it asks again when it gets the focus back.
    const timer = setInterval(() => {
      if (document.visibilityState !== "hidden") void refresh();
    }, REFRESH_MS);
    const onFocus = () => void refresh();
    window.addEventListener("focus", onFocus);
    return () => {
      clearInterval(timer);
      window.removeEventListener("focus", onFocus);
    };
  }, [actions, refresh]);

  const remove = useCallback(
    (inviteId: string) => setInvites((current) => current.filter((invite) => invite.id !== inviteId)),
    [],
  );
  return { invites, refresh, remove };
}
