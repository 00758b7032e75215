import { useCallback, useEffect, useRef, useState } from "react";
import type { ChatDataSource } from "../data-source";
import { describeError, type RoomActions } from "../rooms/room-actions";

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** signUpload's field errors in words for people; anything else as the server said it. */
export function describeUploadError(error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  if (/^(contentType|filename):/.test(message))
    return "This kind of file can't be shared. Try an image, PDF, text, CSV, JSON, ZIP or Office file.";
  if (/^size:/.test(message)) return "Files can be at most 10 MB.";
  return describeError(error, "Upload failed. Try again.");
}

export interface Upload {
  id: string;
  name: string;
  kind: "image" | "file";
  /** A local object URL for images, shown while uploading. */
  localPreviewUrl: string | null;
  /** 0..1 */
  progress: number;
  status: "uploading" | "sending" | "failed";
  error: string | null;
}

/** Uploads each file (signUpload → Cloudinary) and then posts it to the room as its own message. */
export function useAttachmentUploads(roomId: string, source: ChatDataSource, actions: RoomActions | null) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const previews = useRef(new Set<string>());

  useEffect(() => {
    const urls = previews.current;
    return () => {
      for (const url of urls) URL.revokeObjectURL(url);
      urls.clear();
    };
  }, []);

  const change = useCallback((id: string, patch: Partial<Upload>) => {
    setUploads((current) => current.map((upload) => (upload.id === id ? { ...upload, ...patch } : upload)));
  }, []);

  const dismiss = useCallback((id: string) => {
    setUploads((current) => {
      const gone = current.find((upload) => upload.id === id);
      if (gone?.localPreviewUrl) {
        URL.revokeObjectURL(gone.localPreviewUrl);
        previews.current.delete(gone.localPreviewUrl);
      }
      return current.filter((upload) => upload.id !== id);
    });
  }, []);

  const upload = useCallback(
    async (file: File) => {
      const id = crypto.randomUUID();
      const kind = file.type.startsWith("image/") ? "image" : "file";
      const localPreviewUrl = kind === "image" ? URL.createObjectURL(file) : null;
      if (localPreviewUrl) previews.current.add(localPreviewUrl);
      const fail = (error: string) => change(id, { status: "failed", error });
      setUploads((current) => [
        ...current,
        { id, name: file.name, kind, localPreviewUrl, progress: 0, status: "uploading", error: null },
      ]);
      if (!actions) return fail("Not connected yet. Try again in a moment.");
      if (file.size > MAX_ATTACHMENT_BYTES) return fail("Files can be at most 10 MB.");
      try {
        const attachment = await actions.uploadAttachment(roomId, file, (progress) => change(id, { progress }));
        change(id, { status: "sending", progress: 1 });
        await source.sendMessage(roomId, { text: "", attachments: [attachment] });
        dismiss(id);
      } catch (error) {
        fail(describeUploadError(error));
      }
    },
    [actions, change, dismiss, roomId, source],
  );

  const addFiles = useCallback(
    (files: Iterable<File>) => {
      for (const file of files) void upload(file);
    },
    [upload],
  );

  return { uploads, addFiles, dismiss };
}
