import { SmileIcon } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { EmojiPicker } from "./emoji-picker";

/** The composer's emoji button: the picker opens above the box; Escape or a click outside closes it. */
export function ComposerEmojiButton({ onPick, disabled }: { onPick: (native: string) => void; disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    function onPointerDown(event: PointerEvent) {
      // The picker lives in a shadow root: composedPath() still lists our wrapper.
      if (!event.composedPath().includes(wrapper.current!)) setOpen(false);
    }
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    }
    document.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("keydown", onKeyDown);
    return () => {
      document.removeEventListener("pointerdown", onPointerDown);
      document.removeEventListener("keydown", onKeyDown);
    };
  }, [open]);

  return (
    <div ref={wrapper} className="contents">
      <Button
        ref={button}
        type="button"
        variant="ghost"
        size="icon"
        className="size-10 rounded-xl text-muted-foreground"
        aria-label="Add emoji"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen((value) => !value)}
      >
        <SmileIcon aria-hidden />
      </Button>
      {open ? (
        <div
          role="dialog"
          aria-label="Emoji"
          className="absolute right-3 bottom-full z-30 mb-1 max-w-[calc(100vw-1.5rem)] overflow-hidden rounded-lg border bg-popover shadow-md"
        >
          <EmojiPicker onPick={onPick} />
        </div>
      ) : null}
    </div>
  );
}
