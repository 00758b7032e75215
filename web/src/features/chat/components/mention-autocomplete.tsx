// "@" in the composer suggests the room's members; Enter or Tab (or a click) inserts
// "@username ", Escape closes the list.
import type { RefObject } from "react";
import { UserAvatar } from "@/features/people/user-avatar";
import { useInlineSuggestions } from "./inline-suggestions";

export interface MentionCandidate {
  userId: string;
  username: string;
  displayName: string;
  avatarUrl?: string | null;
}

/** The "@query" being typed right before the caret, or null. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(?:^|[^\w.])@([A-Za-z0-9_.]{0,30})$/.exec(text.slice(0, caret));
  if (!match) return null;
  const query = match[1]!;
  return { start: caret - query.length - 1, query };
}

/** Members whose username or any word of their name starts with the query. */
export function matchMentionCandidates(
  candidates: readonly MentionCandidate[],
  query: string,
  limit = 5,
): MentionCandidate[] {
  const wanted = query.toLowerCase();
  return candidates
    .filter(
      (candidate) =>
        candidate.username.toLowerCase().startsWith(wanted) ||
        candidate.displayName
          .toLowerCase()
          .split(/\s+/)
          .some((word) => word.startsWith(wanted)),
    )
    .slice(0, limit);
}

interface MentionAutocompleteOptions {
  text: string;
  setText: (text: string) => void;
  textarea: RefObject<HTMLTextAreaElement | null>;
  candidates: readonly MentionCandidate[];
}

export function useMentionAutocomplete({ text, setText, textarea, candidates }: MentionAutocompleteOptions) {
  return useInlineSuggestions<MentionCandidate>({
    text,
    setText,
    textarea,
    queryAt: (value, caret) => (candidates.length > 0 ? mentionQueryAt(value, caret) : null),
    find: (query) => matchMentionCandidates(candidates, query),
    insertion: (candidate) => `@${candidate.username} `,
    itemKey: (candidate) => candidate.userId,
    label: "Mention someone",
    renderItem: (candidate) => (
      <>
        <UserAvatar
          name={candidate.displayName}
          seed={candidate.userId}
          avatarUrl={candidate.avatarUrl}
          className="size-6 text-[10px]"
        />
        <span className="truncate font-medium">{candidate.displayName}</span>
        <span className="truncate text-xs text-muted-foreground">@{candidate.username}</span>
      </>
    ),
  });
}
