import { PinIcon, PinOffIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import type { ChatDataSource } from "@/features/chat/data-source";
import type { PinnedMessage } from "@/features/chat/types";
import { messagePath } from "@/lib/links";

/** The room's pinned messages, live (empty while loading, or when the source has no pins). */
export function usePins(source: ChatDataSource, roomId: string): PinnedMessage[] {
  // Kept with the room they belong to, so another room never shows them while its own load.
  const [state, setState] = useState<{ roomId: string; pins: PinnedMessage[] }>({ roomId, pins: [] });
  useEffect(() => {
    if (!source.watchPins) return;
    return source.watchPins(roomId, {
      next: (pins) => setState({ roomId, pins }),
      error: () => setState({ roomId, pins: [] }),
    });
  }, [source, roomId]);
  return state.roomId === roomId ? state.pins : NO_PINS;
}

const NO_PINS: PinnedMessage[] = [];

interface PinnedPanelProps {
  roomId: string;
  pins: PinnedMessage[];
  /** Offered to those who may pin here. */
  onUnpin?: (messageId: string) => void;
}

/** A header button that opens the list of pinned messages; each one jumps to its message. */
export function PinnedPanel({ roomId, pins, onUnpin }: PinnedPanelProps) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button
          variant="ghost"
          size="sm"
          aria-label={`Pinned messages (${pins.length})`}
          className="gap-1 px-2 text-muted-foreground"
        >
          <PinIcon aria-hidden />
          {pins.length > 0 ? <span className="text-xs tabular-nums">{pins.length}</span> : null}
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-md">
        <DialogHeader>
          <DialogTitle>Pinned messages</DialogTitle>
          <DialogDescription>
            {pins.length === 0
              ? "Nothing is pinned in this conversation yet."
              : "Open one to see it in the conversation."}
          </DialogDescription>
        </DialogHeader>
        {pins.length > 0 ? (
          <ul className="-mx-2 grid max-h-[60vh] gap-1 overflow-y-auto" aria-label="Pinned messages">
            {pins.map((pin) => (
              <li key={pin.messageId} className="flex items-start gap-1 rounded-md hover:bg-accent/60">
                <DialogClose asChild>
                  <Link
                    to={messagePath(roomId, pin.messageId)}
                    className="grid min-w-0 flex-1 gap-0.5 rounded-md px-2 py-1.5 text-sm outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
                  >
                    <span className="truncate font-medium">{pin.senderName}</span>
                    <span dir="auto" className="line-clamp-2 text-muted-foreground">
                      {pin.text || "Message"}
                    </span>
                  </Link>
                </DialogClose>
                {onUnpin ? (
                  <Button
                    variant="ghost"
                    size="icon"
                    className="mt-1 size-7 shrink-0"
                    aria-label={`Unpin message from ${pin.senderName}`}
                    onClick={() => onUnpin(pin.messageId)}
                  >
                    <PinOffIcon aria-hidden />
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
