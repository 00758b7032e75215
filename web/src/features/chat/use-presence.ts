import { useEffect, useMemo, useState } from "react";
import { useChatData } from "./chat-data-context";
import type { Presence } from "./types";

const NOBODY = new Map<string, Presence>();

/** Live presence of these people (from their public profiles); empty without a data source. */
export function usePresence(userIds: readonly (string | null | undefined)[]): Map<string, Presence> {
  const source = useChatData();
  const key = useMemo(() => [...new Set(userIds.filter((id): id is string => Boolean(id)))].sort().join(","), [userIds]);
  const [presence, setPresence] = useState<Map<string, Presence>>(NOBODY);
  useEffect(() => {
    if (!source || !key) {
      setPresence(NOBODY);
      return;
    }
    return source.watchPresence(key.split(","), { next: setPresence });
  }, [source, key]);
  return presence;
}
