import { useId, useState, type KeyboardEvent } from "react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { PersonResult } from "@/features/chat/rooms/room-actions";
import { UserAvatar } from "@/features/people/user-avatar";
import { cn } from "@/lib/utils";
import { MIN_SEARCH_CHARS, usePeopleSearch } from "./use-people-search";

interface PersonPickerProps {
  label: string;
  /** The label is for screen readers only. */
  hideLabel?: boolean;
  value: string;
  onValueChange: (value: string) => void;
  /** A person chosen from the suggestions (click, or ↑/↓ then Enter). */
  onPick: (person: PersonResult) => void;
  placeholder?: string;
  autoFocus?: boolean;
  disabled?: boolean;
}

/**
 * A text box that suggests people by name as it is typed (two characters on), with their
 * avatars; ↑/↓ move through the suggestions, Enter picks one, Esc closes them. With no
 * suggestion chosen, Enter submits the surrounding form with the typed text.
 */
export function PersonPicker({
  label,
  hideLabel,
  value,
  onValueChange,
  onPick,
  placeholder,
  autoFocus,
  disabled,
}: PersonPickerProps) {
  const id = useId();
  const listId = `${id}-people`;
  const search = usePeopleSearch(value);
  const [active, setActive] = useState(-1);
  const [closed, setClosed] = useState(false);
  const people = search.people;
  const typed = value.trim().replace(/^@/, "").length >= MIN_SEARCH_CHARS;
  const open = typed && !closed && (people.length > 0 || search.status === "done");

  function pick(person: PersonResult) {
    setClosed(true);
    setActive(-1);
    onPick(person);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (!open) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (people.length === 0) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((index) =>
        index === -1 ? (step === 1 ? 0 : people.length - 1) : (index + step + people.length) % people.length,
      );
    } else if (event.key === "Enter" && active >= 0 && people[active]) {
      event.preventDefault();
      pick(people[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // close the suggestions, not the dialog around them
      setClosed(true);
    }
  }

  return (
    <div className="grid gap-2">
      <Label htmlFor={id} className={cn(hideLabel && "sr-only")}>
        {label}
      </Label>
      <Input
        id={id}
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && active >= 0 ? `${listId}-${active}` : undefined}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        placeholder={placeholder}
        autoFocus={autoFocus}
        disabled={disabled}
        value={value}
        onChange={(event) => {
          onValueChange(event.target.value);
          setClosed(false);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="People found"
        hidden={!open}
        className="max-h-56 overflow-y-auto rounded-md border bg-popover p-1 text-popover-foreground shadow-sm"
      >
        {people.map((person, index) => (
          <li
            key={person.id}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            className={cn(
              "flex cursor-pointer items-center gap-2 rounded-sm px-2 py-1.5 text-sm",
              index === active ? "bg-accent text-accent-foreground" : "hover:bg-accent/60",
            )}
            onMouseDown={(event) => event.preventDefault()} // keep focus in the text box
            onClick={() => pick(person)}
          >
            <UserAvatar name={person.displayName} seed={person.id} avatarUrl={person.avatarUrl} className="size-7" />
            <span className="min-w-0 truncate">
              <span className="font-medium">{person.displayName}</span>{" "}
              <span className="text-muted-foreground">@{person.username}</span>
            </span>
          </li>
        ))}
        {people.length === 0 && search.status === "done" ? (
          <li role="presentation" className="px-2 py-1.5 text-sm text-muted-foreground">
            No one found
          </li>
        ) : null}
      </ul>
    </div>
  );
}
