import { Avatar, AvatarFallback, AvatarImage } from "@/components/ui/avatar";
import type { PresenceState } from "@/features/chat/types";
import { cn } from "@/lib/utils";

const FALLBACK_COLOURS = [
  "bg-rose-500/15 text-rose-800 dark:text-rose-300",
  "bg-amber-500/15 text-amber-800 dark:text-amber-300",
  "bg-emerald-500/15 text-emerald-800 dark:text-emerald-300",
  "bg-sky-500/15 text-sky-800 dark:text-sky-300",
  "bg-violet-500/15 text-violet-800 dark:text-violet-300",
  "bg-fuchsia-500/15 text-fuchsia-800 dark:text-fuchsia-300",
];

// Made on first use: building a Segmenter loads ICU's break rules, 10-20 ms of a page load's
// main thread here, and ASCII names (most) never need one.
let graphemes: Intl.Segmenter | undefined;

function leadingGraphemes(word: string, count: number): string {
  // Printable ASCII followed by more of it (or by nothing): each character is a grapheme of
  // its own, so most names need no segmenter (its first use took about 100 ms in a busy
  // room's profile, scripts/busy-room-bench.mjs).
  if (/^[\x21-\x7e]*$/.test(word.slice(0, count + 1))) return word.slice(0, count);
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return Array.from(graphemes.segment(word), (part) => part.segment)
    .slice(0, count)
    .join("");
}

/**
 * Up to two initials, each a whole grapheme (an emoji or an accented letter never splits):
 * the first and last words that start with a letter or digit, or the first two graphemes of
 * the only such word; a name with none shows its first grapheme.
 */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const lettered = words.filter((word) => /^[\p{L}\p{N}]/u.test(word));
  const letters =
    lettered.length > 1
      ? leadingGraphemes(lettered[0]!, 1) + leadingGraphemes(lettered[lettered.length - 1]!, 1)
      : lettered.length === 1
        ? leadingGraphemes(lettered[0]!, 2)
        : leadingGraphemes(words[0] ?? "", 1);
  return letters.toUpperCase() || "?";
}

/** The same person always gets the same colour. */
function colourFor(seed: string): string {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return FALLBACK_COLOURS[Math.abs(hash) % FALLBACK_COLOURS.length]!;
}

const PRESENCE_LABEL: Record<PresenceState, string> = { online: "Online", away: "Away", offline: "Offline" };

interface UserAvatarProps {
  name: string;
  seed: string;
  avatarUrl?: string | null;
  presence?: PresenceState;
  className?: string;
}

export function UserAvatar({ name, seed, avatarUrl, presence, className }: UserAvatarProps) {
  return (
    <span className="relative inline-flex shrink-0">
      <Avatar className={className}>
        {avatarUrl ? <AvatarImage src={avatarUrl} alt="" /> : null}
        <AvatarFallback className={colourFor(seed)} aria-hidden>
          {initials(name)}
        </AvatarFallback>
      </Avatar>
      {presence ? (
        <span
          role="img"
          aria-label={PRESENCE_LABEL[presence]}
          className={cn(
            "absolute right-0 bottom-0 size-2.5 rounded-full ring-2 ring-sidebar",
            presence === "online" && "bg-online",
            presence === "away" && "bg-away",
            presence === "offline" && "bg-muted-foreground/50",
          )}
        />
      ) : null}
    </span>
  );
}
