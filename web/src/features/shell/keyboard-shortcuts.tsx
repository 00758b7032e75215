import { useEffect } from "react";
import { useMatch, useNavigate } from "react-router";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import type { RoomSummary } from "@/features/chat/types";
import { roomPath } from "@/lib/links";

export const SHORTCUTS: { keys: string[]; action: string }[] = [
  { keys: ["Ctrl/⌘", "K"], action: "Jump to a conversation or person" },
  { keys: ["Alt", "↓"], action: "Next conversation" },
  { keys: ["Alt", "↑"], action: "Previous conversation" },
  { keys: ["Enter"], action: "Send message" },
  { keys: ["Shift", "Enter"], action: "New line in a message" },
  { keys: ["↑"], action: "Edit your last message (empty message box)" },
  { keys: ["Esc"], action: "Close a dialog, cancel an edit or a reply" },
  { keys: ["?"], action: "Show keyboard shortcuts" },
];

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** App-wide keys: Alt+↑/↓ moves between conversations, "?" opens the shortcut list. */
export function useGlobalShortcuts(rooms: readonly RoomSummary[], openHelp: () => void) {
  const navigate = useNavigate();
  const currentRoomId = useMatch("/rooms/:roomId")?.params.roomId;

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented) return;
      if (event.altKey && !event.ctrlKey && !event.metaKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        if (rooms.length === 0) return;
        event.preventDefault();
        const index = rooms.findIndex((room) => room.id === currentRoomId);
        const step = event.key === "ArrowDown" ? 1 : -1;
        const next = index === -1 ? (step === 1 ? 0 : rooms.length - 1) : (index + step + rooms.length) % rooms.length;
        navigate(roomPath(rooms[next]!.id));
        return;
      }
      if (event.key === "?" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target)) {
        event.preventDefault();
        openHelp();
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [rooms, currentRoomId, navigate, openHelp]);
}

export function ShortcutsDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-md">
        <DialogHeader>
          <DialogTitle>Keyboard shortcuts</DialogTitle>
          <DialogDescription>Work through your conversations without the mouse.</DialogDescription>
        </DialogHeader>
        <dl className="grid gap-2 text-sm">
          {SHORTCUTS.map((shortcut) => (
            <div key={shortcut.action} className="flex items-center justify-between gap-4">
              <dt>{shortcut.action}</dt>
              <dd className="flex gap-1">
                {shortcut.keys.map((key) => (
                  <kbd
                    key={key}
                    className="min-w-7 rounded border bg-muted px-1.5 py-0.5 text-center font-mono text-xs"
                  >
                    {key}
                  </kbd>
                ))}
              </dd>
            </div>
          ))}
        </dl>
      </DialogContent>
    </Dialog>
  );
}
