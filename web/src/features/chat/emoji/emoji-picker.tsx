import { useEffect, useRef, useState } from "react";

interface EmojiPickerProps {
  onPick: (native: string) => void;
  /** Where the search box takes the focus as the picker opens. */
  autoFocus?: boolean;
}

/**
 * emoji-mart's picker (search, categories, skin tones, recently used), loaded on first open
 * with its data bundled: it never fetches from a CDN.
 */
export function EmojiPicker({ onPick, autoFocus = true }: EmojiPickerProps) {
  const host = useRef<HTMLDivElement>(null);
  const pick = useRef(onPick);
  useEffect(() => {
    pick.current = onPick;
  });
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let live = true;
    let picker: HTMLElement | null = null;
    Promise.all([import("emoji-mart"), import("./emoji-data").then(({ loadEmojiData }) => loadEmojiData())])
      .then(([{ Picker }, data]) => {
        if (!live || !host.current) return;
        picker = new Picker({
          data,
          set: "native",
          theme: document.documentElement.classList.contains("dark") ? "dark" : "light",
          autoFocus,
          previewPosition: "none",
          skinTonePosition: "search",
          maxFrequentRows: 2,
          onEmojiSelect: (emoji: { native?: string }) => {
            if (emoji.native) pick.current(emoji.native);
          },
        }) as unknown as HTMLElement;
        host.current.replaceChildren(picker);
      })
      .catch(() => {
        if (live) setFailed(true);
      });
    return () => {
      live = false;
      picker?.remove();
    };
  }, [autoFocus]);

  if (failed) return <p className="p-4 text-sm text-muted-foreground">Couldn't load the emoji.</p>;
  return (
    <div ref={host} data-testid="emoji-picker" className="min-h-[435px] min-w-[352px]">
      <p className="p-4 text-sm text-muted-foreground">Loading emoji…</p>
    </div>
  );
}
