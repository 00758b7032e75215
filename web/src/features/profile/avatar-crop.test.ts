import { describe, expect, it } from "vitest";
import {
  AVATAR_MAX_OUTPUT,
  avatarFileProblem,
  clampOffset,
  cropRect,
  initialCrop,
  outputName,
  outputType,
  pan,
  scaleFor,
  zoomTo,
} from "./avatar-crop";

const VIEW = 256;
const landscape = { width: 2000, height: 1000 };

describe("avatar crop math", () => {
  it("starts centred with the short side filling the square", () => {
    const state = initialCrop(landscape, VIEW);
    expect(scaleFor(landscape, VIEW, 1)).toBeCloseTo(0.256);
    expect(state.offset.y).toBe(0);
    expect(state.offset.x).toBeCloseTo((VIEW - 512) / 2);
    const rect = cropRect(state, landscape, VIEW);
    expect(rect.side).toBeCloseTo(1000);
    expect(rect.sx).toBeCloseTo(500);
    expect(rect.sy).toBeCloseTo(0);
    expect(rect.output).toBe(1000);
  });

  it("never lets the picture leave a gap when dragged", () => {
    const start = initialCrop(landscape, VIEW);
    const farRight = pan(start, 10_000, 10_000, landscape, VIEW);
    expect(farRight.offset).toEqual({ x: 0, y: 0 });
    expect(cropRect(farRight, landscape, VIEW).sx).toBe(0);
    const farLeft = pan(start, -10_000, -10_000, landscape, VIEW);
    expect(farLeft.offset.x).toBeCloseTo(VIEW - 512);
    expect(farLeft.offset.y).toBeCloseTo(0);
    const rect = cropRect(farLeft, landscape, VIEW);
    expect(rect.sx + rect.side).toBeCloseTo(landscape.width);
  });

  it("zooms around the centre and keeps the viewport covered", () => {
    const start = initialCrop(landscape, VIEW);
    const zoomed = zoomTo(start, 2, landscape, VIEW);
    const rect = cropRect(zoomed, landscape, VIEW);
    expect(rect.side).toBeCloseTo(500);
    // The centre of the picture stays in the middle.
    expect(rect.sx + rect.side / 2).toBeCloseTo(1000);
    expect(rect.sy + rect.side / 2).toBeCloseTo(500);
    // Zooming back out from a corner re-clamps instead of showing a gap.
    const corner = pan(zoomed, 10_000, 10_000, landscape, VIEW);
    const out = zoomTo(corner, 1, landscape, VIEW);
    expect(clampOffset(out.offset, landscape, VIEW, 1)).toEqual(out.offset);
    expect(cropRect(out, landscape, VIEW).sy).toBe(0);
  });

  it("clamps the zoom to 1..4", () => {
    const start = initialCrop(landscape, VIEW);
    expect(zoomTo(start, 0.2, landscape, VIEW).zoom).toBe(1);
    expect(zoomTo(start, 9, landscape, VIEW).zoom).toBe(4);
    expect(zoomTo(start, Number.NaN, landscape, VIEW).zoom).toBe(1);
  });

  it("uploads at most 1024×1024, and small pictures at their own size", () => {
    const huge = { width: 4000, height: 3000 };
    expect(cropRect(initialCrop(huge, VIEW), huge, VIEW).output).toBe(AVATAR_MAX_OUTPUT);
    const small = { width: 300, height: 200 };
    expect(cropRect(initialCrop(small, VIEW), small, VIEW).output).toBe(200);
    const zoomedSmall = zoomTo(initialCrop(small, VIEW), 4, small, VIEW);
    expect(cropRect(zoomedSmall, small, VIEW).output).toBe(50);
  });

  it("keeps a portrait picture's crop inside it", () => {
    const portrait = { width: 600, height: 900 };
    const rect = cropRect(pan(initialCrop(portrait, VIEW), 0, -10_000, portrait, VIEW), portrait, VIEW);
    expect(rect.side).toBeCloseTo(600);
    expect(rect.sy + rect.side).toBeCloseTo(900);
  });

  it("picks the output type and name", () => {
    expect(outputType("image/jpeg")).toBe("image/jpeg");
    expect(outputType("image/webp")).toBe("image/png");
    expect(outputName("Holiday photo.JPEG", "image/jpeg")).toBe("Holiday-photo.jpg");
    expect(outputName(".png", "image/png")).toBe("avatar.png");
  });

  it("explains files that cannot be avatars", () => {
    expect(avatarFileProblem({ type: "image/png", size: 1024 })).toBeNull();
    expect(avatarFileProblem({ type: "application/pdf", size: 1024 })).toMatch(/JPEG, PNG, GIF or WebP/);
    expect(avatarFileProblem({ type: "image/svg+xml", size: 1024 })).toMatch(/JPEG, PNG, GIF or WebP/);
    expect(avatarFileProblem({ type: "image/jpeg", size: 6 * 1024 * 1024 })).toBe(
      "This image is 6.0 MB; a profile picture can be at most 5 MB.",
    );
  });
});
