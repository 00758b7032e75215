// How someone's presence reads: "Online", "Away", "Last seen 5 min ago".
import { useEffect, useState } from "react";
import type { Presence } from "@/features/chat/types";

export function describePresence(presence: Presence | undefined, now: Date = new Date()): string | null {
  if (!presence) return null;
  if (presence.state === "online") return "Online";
  if (presence.state === "away") return "Away";
  return describeLastSeen(presence.lastChanged, now);
}

/** "Last seen just now", "… 5 min ago", "… 3 h ago", "… yesterday", "… Nov 3". */
export function describeLastSeen(lastChanged: Date | null, now: Date = new Date()): string {
  if (!lastChanged) return "Offline";
  const minutes = Math.floor((now.getTime() - lastChanged.getTime()) / 60_000);
  if (minutes < 1) return "Last seen just now";
  if (minutes < 60) return `Last seen ${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `Last seen ${hours} h ago`;
  if (hours < 48) return "Last seen yesterday";
  return `Last seen ${lastChanged.toLocaleDateString(undefined, { month: "short", day: "numeric" })}`;
}

/** The current time, renewed every `intervalMs` (relative times stay true while on screen). */
export function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
