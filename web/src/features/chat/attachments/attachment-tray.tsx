import { FileIcon, PaperclipIcon, XIcon } from "lucide-react";
import { useRef } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import type { Upload } from "./use-attachment-uploads";

/** What signUpload accepts (functions/media/uploads.py). */
export const ACCEPTED_FILES =
  "image/jpeg,image/png,image/gif,image/webp,application/pdf,text/plain,text/csv,application/json,application/zip,.docx,.xlsx,.pptx,.md,.log";

export function AttachButton({ onFiles, disabled }: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <Button
        type="button"
        variant="ghost"
        size="icon"
        className="size-10 rounded-xl text-muted-foreground"
        aria-label="Attach files"
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        <PaperclipIcon aria-hidden />
      </Button>
      <input
        ref={input}
        type="file"
        multiple
        accept={ACCEPTED_FILES}
        className="hidden"
        data-testid="attachment-input"
        onChange={(event) => {
          onFiles([...(event.target.files ?? [])]);
          event.target.value = "";
        }}
      />
    </>
  );
}

export function AttachmentTray({
  uploads,
  onDismiss,
}: {
  uploads: readonly Upload[];
  onDismiss: (id: string) => void;
}) {
  if (uploads.length === 0) return null;
  return (
    <ul className="flex gap-2 overflow-x-auto border-t px-3 pt-2 sm:px-6" aria-label="Uploads">
      {uploads.map((upload) => (
        <li key={upload.id} className="flex w-64 shrink-0 items-center gap-2 rounded-lg border bg-muted/40 p-2">
          {upload.localPreviewUrl ? (
            <img src={upload.localPreviewUrl} alt="" className="size-10 shrink-0 rounded-md object-cover" />
          ) : (
            <span className="flex size-10 shrink-0 items-center justify-center rounded-md bg-background">
              <FileIcon className="size-4 text-muted-foreground" aria-hidden />
            </span>
          )}
          <span className="grid min-w-0 flex-1 gap-1">
            <span className="truncate text-xs font-medium">{upload.name}</span>
            {upload.status === "failed" ? (
              <span role="alert" className="line-clamp-3 text-xs text-destructive">
                {upload.error}
              </span>
            ) : (
              <span
                role="progressbar"
                aria-label={`Uploading ${upload.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(upload.progress * 100)}
                className="h-1.5 overflow-hidden rounded-full bg-border"
              >
                <span
                  className={cn(
                    "block h-full rounded-full bg-primary transition-[width]",
                    upload.status === "sending" && "animate-pulse",
                  )}
                  style={{ width: `${Math.max(4, Math.round(upload.progress * 100))}%` }}
                />
              </span>
            )}
          </span>
          {upload.status === "failed" ? (
            <Button
              type="button"
              variant="ghost"
              size="icon"
              className="size-7"
              aria-label={`Dismiss ${upload.name}`}
              onClick={() => onDismiss(upload.id)}
            >
              <XIcon aria-hidden />
            </Button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
