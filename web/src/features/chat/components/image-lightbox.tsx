// A message's pictures at full size: the original upload fitted to the screen on a dark
// backdrop, with its name, dimensions and size and a link to the original; ← / → (or the
// buttons on screen) move between the pictures of the same message.
import { ChevronLeftIcon, ChevronRightIcon, ExternalLinkIcon, Loader2Icon, XIcon } from "lucide-react";
import { useState, type KeyboardEvent, type ReactNode, type Ref } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { formatBytes } from "@/features/chat/attachments/format-bytes";
import type { Attachment } from "@/features/chat/types";
import { cn } from "@/lib/utils";

/** The picture in the bubble (its preview), as a button that opens the lightbox. */
export function ImageThumbnail({
  image,
  onOpen,
  ref,
}: {
  image: Attachment;
  onOpen: () => void;
  ref?: Ref<HTMLButtonElement>;
}) {
  return (
    <button
      ref={ref}
      type="button"
      aria-label={`Open image ${image.name}`}
      onClick={onOpen}
      className="block w-fit max-w-full cursor-zoom-in rounded-lg outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
    >
      <img
        src={image.url}
        alt={image.name}
        width={image.width}
        height={image.height}
        loading="lazy"
        className="block max-h-64 rounded-lg object-cover"
      />
    </button>
  );
}

interface ImageLightboxProps {
  /** The message's pictures, in order. */
  images: readonly Attachment[];
  /** The picture shown; kept while closed, so the closing animation still has it. */
  index: number;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onIndexChange: (index: number) => void;
  /** Where focus goes once the lightbox has closed on picture `index` (its thumbnail). */
  returnFocusTo?: (index: number) => HTMLElement | null | undefined;
}

const ON_DARK = "text-white hover:bg-white/15 hover:text-white focus-visible:ring-white/70";

export function ImageLightbox({ images, index, open, onOpenChange, onIndexChange, returnFocusTo }: ImageLightboxProps) {
  const current = Math.min(Math.max(index, 0), images.length - 1);
  const image = images[current];
  if (!image) return null;
  const several = images.length > 1;
  const src = image.fullUrl || image.url;
  const details = [
    image.width && image.height ? `${image.width} × ${image.height}` : null,
    formatBytes(image.sizeBytes),
  ];

  function go(step: number) {
    onIndexChange((current + step + images.length) % images.length);
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (!several || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      event.preventDefault();
      go(event.key === "ArrowLeft" ? -1 : 1);
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent
        showCloseButton={false}
        overlayClassName="bg-black/95"
        onKeyDown={onKeyDown}
        onCloseAutoFocus={(event) => {
          const target = returnFocusTo?.(current);
          if (!target) return;
          event.preventDefault();
          target.focus();
        }}
        className="inset-0 top-0 left-0 flex h-dvh max-h-none w-full max-w-none translate-x-0 translate-y-0 flex-col gap-3 overflow-hidden rounded-none border-none bg-transparent p-3 text-white shadow-none sm:max-w-none sm:p-4"
      >
        <div className="flex items-center justify-between gap-2">
          <p className="pl-1 text-sm text-white/80 tabular-nums" aria-live="polite">
            {several ? `${current + 1} of ${images.length}` : null}
          </p>
          <div className="flex items-center gap-1">
            <Button asChild variant="ghost" size="sm" className={ON_DARK}>
              <a href={src} target="_blank" rel="noopener noreferrer">
                <ExternalLinkIcon aria-hidden />
                Open original
              </a>
            </Button>
            <DialogClose asChild>
              <Button variant="ghost" size="icon" className={ON_DARK}>
                <XIcon aria-hidden />
                <span className="sr-only">Close</span>
              </Button>
            </DialogClose>
          </div>
        </div>
        <div
          className="relative flex min-h-0 flex-1 items-center justify-center"
          onClick={(event) => {
            // A click on the backdrop around the picture closes, as outside a dialog.
            if (event.target === event.currentTarget) onOpenChange(false);
          }}
        >
          <FullImage key={src} image={image} src={src} />
          {several ? (
            <>
              <StepButton label="Previous image" className="left-0" onClick={() => go(-1)}>
                <ChevronLeftIcon aria-hidden />
              </StepButton>
              <StepButton label="Next image" className="right-0" onClick={() => go(1)}>
                <ChevronRightIcon aria-hidden />
              </StepButton>
            </>
          ) : null}
        </div>
        <div className="min-w-0 text-center">
          <DialogTitle className="truncate text-sm font-medium text-white">{image.name}</DialogTitle>
          <DialogDescription className="text-xs text-white/70 tabular-nums">
            {details.filter(Boolean).join(" · ")}
          </DialogDescription>
        </div>
      </DialogContent>
    </Dialog>
  );
}

function StepButton({
  label,
  className,
  onClick,
  children,
}: {
  label: string;
  className: string;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <Button
      variant="ghost"
      size="icon"
      aria-label={label}
      onClick={onClick}
      className={cn(
        "absolute top-1/2 size-10 -translate-y-1/2 rounded-full bg-black/50 [&_svg:not([class*='size-'])]:size-6",
        ON_DARK,
        className,
      )}
    >
      {children}
    </Button>
  );
}

/** The full-size picture, with a spinner until it has loaded and a message if it cannot. */
function FullImage({ image, src }: { image: Attachment; src: string }) {
  const [state, setState] = useState<"loading" | "loaded" | "failed">("loading");
  if (state === "failed") {
    return (
      <p role="alert" className="max-w-xs text-center text-sm text-white/80">
        The picture could not be loaded. Try “Open original”.
      </p>
    );
  }
  return (
    <div className="relative grid min-h-24 min-w-24 place-items-center">
      <img
        src={src}
        alt={image.name}
        width={image.width}
        height={image.height}
        onLoad={() => setState("loaded")}
        onError={() => setState("failed")}
        className={cn(
          "h-auto max-h-[min(90vh,calc(100dvh-8rem))] w-auto max-w-[90vw] object-contain transition-opacity",
          state === "loading" && "opacity-0",
        )}
      />
      {state === "loading" ? (
        <div role="status" className="absolute inset-0 grid place-items-center">
          <Loader2Icon className="size-8 animate-spin text-white/80" aria-hidden />
          <span className="sr-only">Loading the full-size picture…</span>
        </div>
      ) : null}
    </div>
  );
}
