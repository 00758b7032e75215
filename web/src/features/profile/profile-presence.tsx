// Someone's presence on their profile page: "Online", "Away", "Last seen 5 min ago".
import { usePresence } from "@/features/chat/use-presence";
import { describePresence, useNow } from "@/features/presence/presence-text";
import { cn } from "@/lib/utils";

export function ProfilePresence({ userId }: { userId: string }) {
  const presence = usePresence([userId]).get(userId);
  const now = useNow();
  const text = describePresence(presence, now);
  if (!presence || !text) return null;
  return (
    <p data-testid="profile-presence" className="flex items-center gap-1.5 text-xs text-muted-foreground">
      <span
        aria-hidden
        className={cn(
          "size-2 rounded-full",
          presence.state === "online" ? "bg-online" : presence.state === "away" ? "bg-away" : "bg-muted-foreground/50",
        )}
      />
      {text}
    </p>
  );
}
