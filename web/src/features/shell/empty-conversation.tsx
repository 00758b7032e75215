import { MessageCircleIcon } from "lucide-react";

export function EmptyConversation() {
  return (
    <div className="flex h-full flex-col items-center justify-center gap-4 p-8 text-center">
      <span className="flex size-16 items-center justify-center rounded-2xl bg-accent text-accent-foreground">
        <MessageCircleIcon className="size-8" aria-hidden />
      </span>
      <div className="grid gap-1">
        <h2 className="text-lg font-semibold">Pick a room or start a conversation</h2>
        <p className="max-w-sm text-sm text-muted-foreground">
          Your conversations are listed on the left. Choose one to catch up on what you missed.
        </p>
      </div>
    </div>
  );
}
