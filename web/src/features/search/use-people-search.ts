import { useEffect, useState } from "react";
import { useRoomActions, type PersonResult } from "@/features/chat/rooms/room-actions";

export const MIN_SEARCH_CHARS = 2;
const DEBOUNCE_MS = 150;

export type PeopleSearch =
  | { status: "idle"; people: PersonResult[] }
  | { status: "searching"; people: PersonResult[] }
  | { status: "done"; people: PersonResult[] }
  | { status: "error"; people: PersonResult[] };

/** People matching `query` as it is typed: asks after a short pause, from two characters on;
 * an answer to an older query never replaces a newer one. */
export function usePeopleSearch(query: string): PeopleSearch {
  const actions = useRoomActions();
  const [result, setResult] = useState<PeopleSearch>({ status: "idle", people: [] });
  const text = query.trim().replace(/^@/, "");

  useEffect(() => {
    if (!actions || text.length < MIN_SEARCH_CHARS) {
      setResult({ status: "idle", people: [] });
      return;
    }
    let current = true;
    setResult((previous) => ({ status: "searching", people: previous.people }));
    const timer = setTimeout(() => {
      actions.searchPeople(text).then(
        (people) => current && setResult({ status: "done", people }),
        () => current && setResult({ status: "error", people: [] }),
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [actions, text]);

  return result;
}
