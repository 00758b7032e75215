import { XIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import type { LinkPreview } from "@/features/chat/types";
import { cn } from "@/lib/utils";

interface LinkPreviewCardProps {
  preview: LinkPreview;
  /** Shown to the sender: takes the card away for everyone. */
  onRemove?: () => void;
  className?: string;
}

/** The card of a message's first link. Its image comes from Cloudinary's fetch delivery (the
 * functions wrote that URL), so opening the conversation never contacts the linked site. */
export function LinkPreviewCard({ preview, onRemove, className }: LinkPreviewCardProps) {
  const label = preview.title || preview.siteName || preview.url;
  return (
    <article
      data-testid="link-preview"
      aria-label={`Link preview: ${label}`}
      className={cn(
        "relative flex w-[min(22rem,80vw)] overflow-hidden rounded-xl border bg-card text-card-foreground shadow-xs",
        className,
      )}
    >
      <a
        href={preview.url}
        target="_blank"
        rel="noopener noreferrer"
        className="flex min-w-0 flex-1 flex-col outline-none hover:bg-accent/40 focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        {preview.imageUrl ? (
          <img
            src={preview.imageUrl}
            alt=""
            loading="lazy"
            referrerPolicy="no-referrer"
            className="aspect-[1.91/1] w-full bg-muted object-cover"
          />
        ) : null}
        <span className="grid gap-0.5 px-3 py-2 pe-9 text-sm">
          {preview.siteName ? <span className="truncate text-xs text-muted-foreground">{preview.siteName}</span> : null}
          <span dir="auto" className="line-clamp-2 font-medium">
            {label}
          </span>
          {preview.description ? (
            <span dir="auto" className="line-clamp-3 text-xs text-muted-foreground">
              {preview.description}
            </span>
          ) : null}
        </span>
      </a>
      {onRemove ? (
        <Button
          type="button"
          variant="secondary"
          size="icon"
          className="absolute end-1.5 top-1.5 size-7 rounded-full opacity-90"
          aria-label="Remove preview"
          title="Remove preview"
          onClick={onRemove}
        >
          <XIcon aria-hidden />
        </Button>
      ) : null}
    </article>
  );
}
