// Pick or drop a picture, position it in a square (drag, arrow keys, zoom), crop it on a
// canvas and upload the square; the profile picture changes once Cloudinary has notified
// the functions, which we learn by asking `me` until avatarUrl changes.
import { ImageIcon, Loader2Icon, UploadIcon } from "lucide-react";
import { useEffect, useId, useRef, useState, type DragEvent, type KeyboardEvent, type PointerEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { FormAlert } from "@/features/auth/form-alert";
import { useSessionStore } from "@/features/auth/session-context";
import type { SessionStore } from "@/features/auth/session-store";
import { cn } from "@/lib/utils";
import {
  AVATAR_MAX_BYTES,
  AVATAR_TYPES,
  MAX_ZOOM,
  MIN_ZOOM,
  avatarFileProblem,
  cropRect,
  initialCrop,
  outputName,
  outputType,
  pan,
  zoomTo,
  type CropState,
  type Size,
} from "./avatar-crop";

/** The preview square, in CSS pixels. */
export const CROP_VIEW = 256;
const KEY_STEP = 10;
const POLL_EVERY_MS = 1_000;
const POLL_FOR_MS = 45_000;

interface Picture {
  url: string;
  image: HTMLImageElement;
  size: Size;
  type: string;
  name: string;
}

type Phase = { name: "pick" } | { name: "crop" } | { name: "uploading"; progress: number } | { name: "processing" };

interface AvatarCropDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

export function AvatarCropDialog({ open, onOpenChange }: AvatarCropDialogProps) {
  const store = useSessionStore();
  const [picture, setPicture] = useState<Picture | null>(null);
  const [crop, setCrop] = useState<CropState | null>(null);
  const [phase, setPhase] = useState<Phase>({ name: "pick" });
  const [error, setError] = useState<string | null>(null);
  const [dragOver, setDragOver] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const drag = useRef<{ x: number; y: number; pointerId: number } | null>(null);
  const zoomId = useId();
  const busy = phase.name === "uploading" || phase.name === "processing";

  // Each opening starts afresh; the object URL goes with the picture.
  const [wasOpen, setWasOpen] = useState(open);
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) {
      setPicture(null);
      setCrop(null);
      setPhase({ name: "pick" });
      setError(null);
    }
  }
  useEffect(
    () => () => {
      if (picture) URL.revokeObjectURL(picture.url);
    },
    [picture],
  );

  async function choose(file: File | undefined) {
    if (!file || busy) return;
    const problem = avatarFileProblem(file);
    if (problem) {
      setError(problem);
      return;
    }
    setError(null);
    const url = URL.createObjectURL(file);
    try {
      const image = await loadImage(url);
      const size = { width: image.naturalWidth, height: image.naturalHeight };
      if (!size.width || !size.height) throw new Error("empty image");
      setPicture({ url, image, size, type: file.type, name: file.name });
      setCrop(initialCrop(size, CROP_VIEW));
      setPhase({ name: "crop" });
    } catch {
      URL.revokeObjectURL(url);
      setError("This image couldn't be read. Try another file.");
    }
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragOver(false);
    void choose(event.dataTransfer.files[0]);
  }

  function onPointerDown(event: PointerEvent<HTMLDivElement>) {
    if (busy) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { x: event.clientX, y: event.clientY, pointerId: event.pointerId };
  }

  function onPointerMove(event: PointerEvent<HTMLDivElement>) {
    const start = drag.current;
    if (!start || start.pointerId !== event.pointerId || !picture || !crop) return;
    drag.current = { ...start, x: event.clientX, y: event.clientY };
    setCrop(pan(crop, event.clientX - start.x, event.clientY - start.y, picture.size, CROP_VIEW));
  }

  function onCropKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (!picture || !crop || busy) return;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [KEY_STEP, 0],
      ArrowRight: [-KEY_STEP, 0],
      ArrowUp: [0, KEY_STEP],
      ArrowDown: [0, -KEY_STEP],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      setCrop(pan(crop, move[0], move[1], picture.size, CROP_VIEW));
    } else if (event.key === "+" || event.key === "=" || event.key === "-") {
      event.preventDefault();
      setCrop(zoomTo(crop, crop.zoom + (event.key === "-" ? -0.1 : 0.1), picture.size, CROP_VIEW));
    }
  }

  async function save() {
    if (!picture || !crop || busy) return;
    setError(null);
    const previous = store.getState().user?.avatarUrl ?? null;
    let file: File;
    try {
      file = await cropToFile(picture, crop);
    } catch {
      setError("Couldn't crop this image in the browser. Try another file.");
      return;
    }
    if (file.size > AVATAR_MAX_BYTES) {
      setError("The cropped picture is larger than 5 MB. Zoom in or choose a smaller image.");
      return;
    }
    setPhase({ name: "uploading", progress: 0 });
    try {
      const { uploadAvatar } = await import("./avatar-upload");
      await uploadAvatar(file, (progress) => setPhase({ name: "uploading", progress }));
    } catch (uploadError) {
      setPhase({ name: "crop" });
      const message = uploadError instanceof Error ? uploadError.message : "Upload failed.";
      setError(message);
      toast.error(`Your picture wasn't uploaded. ${message}`);
      return;
    }
    setPhase({ name: "processing" });
    const changed = await waitForNewAvatar(store, previous);
    if (changed) {
      toast.success("Profile picture updated");
      onOpenChange(false);
    } else {
      setPhase({ name: "crop" });
      setError("The picture was uploaded but isn't ready yet. It will appear once processed, or try again.");
    }
  }

  const rect = picture && crop ? cropRect(crop, picture.size, CROP_VIEW) : null;
  const scale = picture && crop ? CROP_VIEW / (rect?.side ?? 1) : 1;

  return (
    <Dialog open={open} onOpenChange={(next) => onOpenChange(next)}>
      <DialogContent className="sm:max-w-md">
        <DialogHeader>
          <DialogTitle>Profile picture</DialogTitle>
          <DialogDescription>
            {picture
              ? "Drag the picture to position it and zoom to frame it."
              : "Choose or drop a JPEG, PNG, GIF or WebP image of up to 5 MB."}
          </DialogDescription>
        </DialogHeader>
        <div
          className="grid justify-items-center gap-4"
          onDragOver={(event) => {
            if (![...event.dataTransfer.types].includes("Files")) return;
            event.preventDefault();
            setDragOver(true);
          }}
          onDragLeave={(event) => {
            if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragOver(false);
          }}
          onDrop={onDrop}
        >
          <input
            ref={inputRef}
            type="file"
            accept={AVATAR_TYPES.join(",")}
            className="sr-only"
            tabIndex={-1}
            aria-label="Image file"
            data-testid="avatar-file-input"
            onChange={(event) => {
              void choose(event.target.files?.[0]);
              event.target.value = "";
            }}
          />
          {picture && crop && rect ? (
            <div
              role="group"
              aria-label="Crop area: drag or use the arrow keys to move the picture, + and - to zoom"
              tabIndex={0}
              data-testid="avatar-crop-area"
              className={cn(
                "relative touch-none overflow-hidden rounded-lg bg-muted outline-none select-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                busy ? "cursor-default" : "cursor-grab active:cursor-grabbing",
              )}
              style={{ width: CROP_VIEW, height: CROP_VIEW }}
              onPointerDown={onPointerDown}
              onPointerMove={onPointerMove}
              onPointerUp={() => (drag.current = null)}
              onPointerCancel={() => (drag.current = null)}
              onKeyDown={onCropKeyDown}
            >
              <img
                src={picture.url}
                alt="Preview of your new profile picture"
                draggable={false}
                className="pointer-events-none absolute max-w-none"
                style={{
                  left: -rect.sx * scale,
                  top: -rect.sy * scale,
                  width: picture.size.width * scale,
                  height: picture.size.height * scale,
                }}
              />
              {/* The round avatar inside the square that is uploaded. */}
              <div
                aria-hidden
                className="pointer-events-none absolute inset-0 rounded-full shadow-[0_0_0_999px_rgb(0_0_0/0.35)] ring-2 ring-white/80"
              />
            </div>
          ) : (
            <button
              type="button"
              onClick={() => inputRef.current?.click()}
              className={cn(
                "grid place-content-center justify-items-center gap-2 rounded-lg border-2 border-dashed p-6 text-sm text-muted-foreground outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                dragOver ? "border-primary bg-primary/5" : "border-input",
              )}
              style={{ width: CROP_VIEW, height: CROP_VIEW }}
            >
              <ImageIcon className="size-8" aria-hidden />
              <span className="font-medium text-foreground">Choose an image</span>
              <span>or drop it here</span>
            </button>
          )}
          {picture && crop ? (
            <div className="grid w-full gap-1.5" style={{ maxWidth: CROP_VIEW }}>
              <label htmlFor={zoomId} className="text-sm font-medium">
                Zoom
              </label>
              <input
                id={zoomId}
                type="range"
                min={MIN_ZOOM}
                max={MAX_ZOOM}
                step={0.01}
                value={crop.zoom}
                disabled={busy}
                aria-valuetext={`${Math.round(crop.zoom * 100)}%`}
                onChange={(event) => setCrop(zoomTo(crop, Number(event.target.value), picture.size, CROP_VIEW))}
                className="w-full accent-primary"
              />
            </div>
          ) : null}
          {phase.name === "uploading" ? (
            <div className="grid w-full gap-1" style={{ maxWidth: CROP_VIEW }}>
              <div
                role="progressbar"
                aria-label="Uploading profile picture"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(phase.progress * 100)}
                className="h-1.5 overflow-hidden rounded-full bg-muted"
              >
                <div
                  className="h-full bg-primary transition-[width]"
                  style={{ width: `${Math.max(4, Math.round(phase.progress * 100))}%` }}
                />
              </div>
              <p className="text-center text-xs text-muted-foreground">
                Uploading… {Math.round(phase.progress * 100)}%
              </p>
            </div>
          ) : null}
          {phase.name === "processing" ? (
            <p role="status" className="flex items-center gap-2 text-xs text-muted-foreground">
              <Loader2Icon className="size-3.5 animate-spin" aria-hidden /> Processing your picture…
            </p>
          ) : null}
          <div className="w-full">
            <FormAlert message={error} />
          </div>
        </div>
        <DialogFooter>
          {picture ? (
            <Button type="button" variant="ghost" disabled={busy} onClick={() => inputRef.current?.click()}>
              <UploadIcon aria-hidden /> Choose another
            </Button>
          ) : null}
          <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
            {busy ? "Close" : "Cancel"}
          </Button>
          <Button busy={busy} type="button" disabled={!picture} onClick={() => void save()}>
            Save picture
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error("unreadable image"));
    image.src = url;
  });
}

/** The square under the viewport, drawn on a canvas of at most 1024×1024 and encoded. */
async function cropToFile(picture: Picture, crop: CropState): Promise<File> {
  const rect = cropRect(crop, picture.size, CROP_VIEW);
  const canvas = document.createElement("canvas");
  canvas.width = rect.output;
  canvas.height = rect.output;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("no canvas");
  const type = outputType(picture.type);
  if (type === "image/jpeg") {
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, rect.output, rect.output);
  }
  context.imageSmoothingQuality = "high";
  context.drawImage(picture.image, rect.sx, rect.sy, rect.side, rect.side, 0, 0, rect.output, rect.output);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, 0.9));
  if (!blob) throw new Error("could not encode");
  return new File([blob], outputName(picture.name, type), { type });
}

/** Asks `me` until avatarUrl differs from `previous`; true once the session has the new one. */
async function waitForNewAvatar(store: SessionStore, previous: string | null): Promise<boolean> {
  const deadline = Date.now() + POLL_FOR_MS;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
    try {
      const user = await store.authorized((token) => store.api.me(token));
      if (user.avatarUrl && user.avatarUrl !== previous) {
        store.setUser(user);
        return true;
      }
    } catch {
      // A failed poll is retried until the deadline.
    }
  }
  return false;
}
