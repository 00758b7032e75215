import type { TypingUser } from "@/features/chat/types";

export function describeTyping(users: readonly TypingUser[]): string {
  const names = users.map((user) => user.displayName);
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

export function TypingIndicator({ users }: { users: readonly TypingUser[] }) {
  const text = describeTyping(users);
  return (
    <p aria-live="polite" className="h-5 px-4 text-xs text-muted-foreground sm:px-6">
      {text ? (
        <span className="inline-flex items-center gap-1.5">
          <span aria-hidden className="inline-flex gap-0.5">
            <span className="size-1 animate-bounce rounded-full bg-current [animation-delay:-0.3s]" />
            <span className="size-1 animate-bounce rounded-full bg-current [animation-delay:-0.15s]" />
            <span className="size-1 animate-bounce rounded-full bg-current" />
          </span>
          {text}
        </span>
      ) : null}
    </p>
  );
}
