import { useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { useRooms } from "../chat-data-context";
import { roomPath } from "@/lib/links";

/** Give up waiting for the room list and open the room anyway after this long. */
const WAIT_MS = 8_000;

/**
 * Opens a room the functions have just created or joined. The room list is written by a
 * function, so it can lag the callable's answer by a moment; the conversation page only
 * shows listed rooms, so this waits for the listing first. `waiting` is the id while it waits.
 */
export function useOpenRoom(onOpened?: () => void) {
  const rooms = useRooms();
  const navigate = useNavigate();
  const [waiting, setWaiting] = useState<string | null>(null);

  useEffect(() => {
    if (!waiting) return;
    const listed = rooms.status === "ready" && rooms.rooms.some((room) => room.id === waiting);
    const open = () => {
      setWaiting(null);
      navigate(roomPath(waiting));
      onOpened?.();
    };
    if (listed) {
      open();
      return;
    }
    const timer = setTimeout(open, WAIT_MS);
    return () => clearTimeout(timer);
  }, [waiting, rooms, navigate, onOpened]);

  return { openRoom: setWaiting, waiting };
}
