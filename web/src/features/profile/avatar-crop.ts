// The geometry of the avatar crop preview: the picture covers a square viewport of `view`
// pixels, scaled by `zoom` (1 = the short side fills the square) and moved by dragging; the
// square it shows is what gets uploaded.

export const AVATAR_MAX_OUTPUT = 1024;
export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
export const AVATAR_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;
export const MIN_ZOOM = 1;
export const MAX_ZOOM = 4;

export interface Size {
  width: number;
  height: number;
}

/** Where the picture's top-left corner sits relative to the viewport's (≤ 0 on both axes). */
export interface Offset {
  x: number;
  y: number;
}

export interface CropState {
  zoom: number;
  offset: Offset;
}

/** Pixels on screen per pixel of the picture at this zoom. */
export function scaleFor(image: Size, view: number, zoom: number): number {
  return (view / Math.min(image.width, image.height)) * clampZoom(zoom);
}

export function clampZoom(zoom: number): number {
  if (!Number.isFinite(zoom)) return MIN_ZOOM;
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

/** Keeps the viewport covered: the picture never leaves a gap at any edge. */
export function clampOffset(offset: Offset, image: Size, view: number, zoom: number): Offset {
  const scale = scaleFor(image, view, zoom);
  const minX = view - image.width * scale;
  const minY = view - image.height * scale;
  return { x: clamp(offset.x, minX, 0), y: clamp(offset.y, minY, 0) };
}

/** The picture centred at zoom 1. */
export function initialCrop(image: Size, view: number): CropState {
  const scale = scaleFor(image, view, MIN_ZOOM);
  return { zoom: MIN_ZOOM, offset: { x: (view - image.width * scale) / 2, y: (view - image.height * scale) / 2 } };
}

/** Moves the picture by a drag of (dx, dy) screen pixels. */
export function pan(state: CropState, dx: number, dy: number, image: Size, view: number): CropState {
  return {
    zoom: state.zoom,
    offset: clampOffset({ x: state.offset.x + dx, y: state.offset.y + dy }, image, view, state.zoom),
  };
}

/** Changes the zoom, keeping the point under the viewport's centre where it is. */
export function zoomTo(state: CropState, zoom: number, image: Size, view: number): CropState {
  const next = clampZoom(zoom);
  const before = scaleFor(image, view, state.zoom);
  const after = scaleFor(image, view, next);
  const centreX = (view / 2 - state.offset.x) / before;
  const centreY = (view / 2 - state.offset.y) / before;
  const offset = { x: view / 2 - centreX * after, y: view / 2 - centreY * after };
  return { zoom: next, offset: clampOffset(offset, image, view, next) };
}

export interface CropRect {
  /** The square of the picture to keep, in the picture's own pixels. */
  sx: number;
  sy: number;
  side: number;
  /** The side of the uploaded square: the kept pixels, at most AVATAR_MAX_OUTPUT. */
  output: number;
}

export function cropRect(state: CropState, image: Size, view: number): CropRect {
  const scale = scaleFor(image, view, state.zoom);
  const side = Math.min(view / scale, image.width, image.height);
  const sx = clamp(-state.offset.x / scale, 0, image.width - side);
  const sy = clamp(-state.offset.y / scale, 0, image.height - side);
  return { sx, sy, side, output: Math.max(1, Math.min(AVATAR_MAX_OUTPUT, Math.round(side))) };
}

/** PNG keeps transparency (PNG, GIF, WebP pictures); photos stay JPEG. */
export function outputType(sourceType: string): "image/png" | "image/jpeg" {
  return sourceType === "image/jpeg" ? "image/jpeg" : "image/png";
}

/** The uploaded file's name: the original's stem with the output's extension. */
export function outputName(sourceName: string, type: "image/png" | "image/jpeg"): string {
  const stem =
    sourceName
      .replace(/\.[^./\\]*$/, "")
      .replace(/[^A-Za-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "avatar";
  return `${stem}.${type === "image/png" ? "png" : "jpg"}`;
}

/** Why a picked file cannot be an avatar, or null. */
export function avatarFileProblem(file: { type: string; size: number }): string | null {
  if (!(AVATAR_TYPES as readonly string[]).includes(file.type)) return "Choose a JPEG, PNG, GIF or WebP image.";
  if (file.size > AVATAR_MAX_BYTES)
    return `This image is ${formatMegabytes(file.size)}; a profile picture can be at most 5 MB.`;
  return null;
}

export function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
