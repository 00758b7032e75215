// "@" in the composer suggests the room's members; Enter or Tab (or a click) inserts
// "@username ", Escape closes the list.
import { useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type RefObject } from "react";
import { UserAvatar } from "@/features/people/user-avatar";
import { cn } from "@/lib/utils";

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
export function matchMentionCandidates(candidates: readonly MentionCandidate[], query: string, limit = 5): MentionCandidate[] {
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
  const [caret, setCaret] = useState(0);
  const [highlighted, setHighlighted] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const listId = useId();
  // Where the caret goes once the inserted name is in the text box: set in the same task as
  // the new value, so no keystroke can land in between.
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const position = pendingCaret.current;
    if (position === null || !textarea.current) return;
    pendingCaret.current = null;
    textarea.current.focus();
    textarea.current.setSelectionRange(position, position);
  });

  const query = candidates.length > 0 ? mentionQueryAt(text, Math.min(caret, text.length)) : null;
  const matches = query ? matchMentionCandidates(candidates, query.query) : [];
  const open = query !== null && matches.length > 0 && dismissedAt !== query.start;
  const active = Math.min(highlighted, Math.max(matches.length - 1, 0));

  function syncCaret(position: number | null | undefined) {
    setCaret(position ?? text.length);
    setHighlighted(0);
  }

  function pick(candidate: MentionCandidate) {
    if (!query) return;
    const end = Math.min(caret, text.length);
    const inserted = `@${candidate.username} `;
    setText(text.slice(0, query.start) + inserted + text.slice(end));
    const position = query.start + inserted.length;
    setCaret(position);
    pendingCaret.current = position;
  }

  /** true when the key was for the suggestions (the composer then ignores it). */
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
    if (!open || event.nativeEvent.isComposing) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const step = event.key === "ArrowDown" ? 1 : -1;
      setHighlighted((active + step + matches.length) % matches.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      pick(matches[active]!);
    } else if (event.key === "Escape") {
      setDismissedAt(query!.start);
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  const inputProps = open
    ? { "aria-controls": listId, "aria-activedescendant": `${listId}-${active}`, "aria-autocomplete": "list" as const }
    : {};

  const popup = open ? (
    <ul
      id={listId}
      role="listbox"
      aria-label="Mention someone"
      className="absolute bottom-full left-3 z-20 mb-1 grid w-72 gap-0.5 rounded-lg border bg-popover p-1 text-popover-foreground shadow-md"
    >
      {matches.map((candidate, index) => (
        <li
          key={candidate.userId}
          id={`${listId}-${index}`}
          role="option"
          aria-selected={index === active}
          // Keep the focus in the text box.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => pick(candidate)}
          className={cn("flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm", index === active && "bg-accent text-accent-foreground")}
        >
          <UserAvatar name={candidate.displayName} seed={candidate.userId} avatarUrl={candidate.avatarUrl} className="size-6 text-[10px]" />
          <span className="truncate font-medium">{candidate.displayName}</span>
          <span className="truncate text-xs text-muted-foreground">@{candidate.username}</span>
        </li>
      ))}
    </ul>
  ) : null;

  return { onKeyDown, syncCaret, popup, inputProps };
}
