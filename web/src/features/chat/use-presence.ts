import { useEffect, useMemo, useState } from "react";
import { useConnected } from "@/features/shell/use-online";
import { useChatData } from "./chat-data-context";
import type { Presence } from "./types";

const NOBODY = new Map<string, Presence>();

/** Live presence of these people (from their public profiles); empty without a data source,
 * and while we are offline or cannot reach the backend: what we last heard may be stale, and
 * "Online" must never be claimed for someone we cannot see. */
export function usePresence(userIds: readonly (string | null | undefined)[]): Map<string, Presence> {
  const connected = useConnected();
  const presence = useLivePresence(userIds);
  return connected ? presence : NOBODY;
}

function useLivePresence(userIds: readonly (string | null | undefined)[]): Map<string, Presence> {
  const source = useChatData();
  const key = useMemo(
    () => [...new Set(userIds.filter((id): id is string => Boolean(id)))].sort().join(","),
    [userIds],
  );
  const [presence, setPresence] = useState<Map<string, Presence>>(NOBODY);
  const watching = Boolean(source && key);
  // Nobody to watch: forget what the last watch saw.
  if (!watching && presence !== NOBODY) setPresence(NOBODY);
  useEffect(() => {
    if (!source || !key) return;
    return source.watchPresence(key.split(","), { next: setPresence });
  }, [source, key]);
  return presence;
}
