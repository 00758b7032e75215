// A list of suggestions under a text box for what is being typed before the caret ("@ana",
// ":tada"): arrows move, Enter or Tab (or a click) inserts, Escape closes the list.
import { useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from "react";
import { cn } from "@/lib/utils";

export interface InlineSuggestionOptions<T> {
  text: string;
  setText: (text: string) => void;
  textarea: RefObject<HTMLTextAreaElement | null>;
  /** The query being typed right before the caret (start is where its trigger character is), or null. */
  queryAt: (text: string, caret: number) => { start: number; query: string } | null;
  find: (query: string) => T[];
  /** What replaces the trigger and query. */
  insertion: (item: T) => string;
  itemKey: (item: T) => string;
  renderItem: (item: T) => ReactNode;
  label: string;
}

export function useInlineSuggestions<T>({
  text,
  setText,
  textarea,
  queryAt,
  find,
  insertion,
  itemKey,
  renderItem,
  label,
}: InlineSuggestionOptions<T>) {
  const [caret, setCaret] = useState(0);
  const [highlighted, setHighlighted] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const listId = useId();
  // Where the caret goes once the insertion is in the text box: set in the same task as
  // the new value, so no keystroke can land in between.
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const position = pendingCaret.current;
    if (position === null || !textarea.current) return;
    pendingCaret.current = null;
    textarea.current.focus();
    textarea.current.setSelectionRange(position, position);
  });

  const query = queryAt(text, Math.min(caret, text.length));
  const matches = query ? find(query.query) : [];
  const open = query !== null && matches.length > 0 && dismissedAt !== query.start;
  const active = Math.min(highlighted, Math.max(matches.length - 1, 0));

  function syncCaret(position: number | null | undefined) {
    setCaret(position ?? text.length);
    setHighlighted(0);
  }

  function pick(item: T) {
    if (!query) return;
    const end = Math.min(caret, text.length);
    const inserted = insertion(item);
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
      aria-label={label}
      className="absolute bottom-full left-3 z-20 mb-1 grid w-72 gap-0.5 rounded-lg border bg-popover p-1 text-popover-foreground shadow-md"
    >
      {matches.map((item, index) => (
        <li
          key={itemKey(item)}
          id={`${listId}-${index}`}
          role="option"
          aria-selected={index === active}
          // Keep the focus in the text box.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => pick(item)}
          className={cn(
            "flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm",
            index === active && "bg-accent text-accent-foreground",
          )}
        >
          {renderItem(item)}
        </li>
      ))}
    </ul>
  ) : null;

  return { onKeyDown, syncCaret, popup, inputProps, open };
}
