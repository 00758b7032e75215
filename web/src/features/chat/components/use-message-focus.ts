import { useEffect, useState, type RefObject } from "react";
import type { Message } from "@/features/chat/types";

/** Where the data source cannot load around a message: how many older pages a permalink
 * may load to reach it. */
const MAX_PAGES = 40;
const HIGHLIGHT_MS = 4_000;
/** How long to look for the highlighted bubble: on a busy page, the list may take many frames
 * to render its row. */
const LOOK_MS = 3_000;

interface MessageFocusOptions {
  /** The permalink's message (`/r/:roomId/m/:id`, or the older `/rooms/:roomId?message=:id`), if any. */
  messageId: string | null;
  messages: readonly Message[];
  ready: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  loadOlder: () => Promise<void>;
  /** Loads the history around a message (false when the room lacks it); absent where the
   * data source cannot, and then older pages are loaded until the message is there. */
  openAround?: (messageId: string) => Promise<boolean>;
  scroller: RefObject<HTMLElement | null>;
  /** Called before scrolling away from the newest messages. */
  onLeaveBottom: () => void;
  /** Called once the message is scrolled into view: where the view could not move (a recent
   * message, a conversation that fits on screen) no scroll event says where it stands. */
  onShown?: () => void;
}

/**
 * Brings a permalink's message into view however old: one load of the history around it
 * (cursor queries both ways) when it is not among the loaded messages, then scrolls it to
 * the middle and names it as highlighted for a few seconds. `missing` when it cannot be
 * found (deleted for good, or not in this room).
 */
export function useMessageFocus({
  messageId,
  messages,
  ready,
  hasOlder,
  loadingOlder,
  loadOlder,
  openAround,
  scroller,
  onLeaveBottom,
  onShown,
}: MessageFocusOptions) {
  const [asked, setAsked] = useState<string | null>(null);
  const [handled, setHandled] = useState<string | null>(null);
  const [pages, setPages] = useState(0);
  const [highlightedId, setHighlightedId] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);

  // Another message to bring into view starts counting pages afresh.
  const [pagesFor, setPagesFor] = useState(messageId);
  if (pagesFor !== messageId) {
    setPagesFor(messageId);
    setPages(0);
    setMissing(false);
  }

  // The conversation started over (watched again after an error, or its source changed): the
  // history loaded around the message went with it, so the permalink is dealt with again.
  if (!ready && (asked !== null || handled !== null)) {
    setAsked(null);
    setHandled(null);
  }

  useEffect(() => {
    if (!messageId || handled === messageId || !ready) return;
    if (messages.some((message) => message.id === messageId)) {
      setHandled(messageId);
      onLeaveBottom();
      setHighlightedId(messageId);
      return;
    }
    if (openAround) {
      if (asked === messageId) return;
      setAsked(messageId);
      openAround(messageId).then(
        (found) => {
          if (found) return;
          setHandled(messageId);
          setMissing(true);
        },
        () => {
          setHandled(messageId);
          setMissing(true);
        },
      );
      return;
    }
    if (hasOlder && pages < MAX_PAGES) {
      if (loadingOlder) return;
      setPages((count) => count + 1);
      loadOlder().catch(() => setPages(MAX_PAGES));
      return;
    }
    setHandled(messageId);
    setMissing(true);
  }, [
    messageId,
    handled,
    asked,
    ready,
    messages,
    hasOlder,
    loadingOlder,
    loadOlder,
    openAround,
    pages,
    scroller,
    onLeaveBottom,
  ]);

  // Scroll once the highlighted bubble is on the page: the virtualised list renders its row
  // after bringing it into view, so look for it over the next frames.
  useEffect(() => {
    if (!highlightedId) return;
    let frame = 0;
    const until = performance.now() + LOOK_MS;
    const look = () => {
      const bubbles = scroller.current?.querySelectorAll<HTMLElement>("[data-message-id]") ?? [];
      const element = Array.from(bubbles).find((bubble) => bubble.dataset.messageId === highlightedId);
      if (element) {
        element.scrollIntoView?.({ block: "center" });
        onShown?.();
      } else if (performance.now() < until) frame = requestAnimationFrame(look);
    };
    frame = requestAnimationFrame(look);
    return () => cancelAnimationFrame(frame);
  }, [highlightedId, scroller, onShown]);

  useEffect(() => {
    if (!highlightedId) return;
    const timer = setTimeout(() => setHighlightedId(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlightedId]);

  // Until the permalink is dealt with, the newest messages on screen are not what is read.
  const pending = messageId !== null && handled !== messageId;
  return { highlightedId, missing, pending };
}
