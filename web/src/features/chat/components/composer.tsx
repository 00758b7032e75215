import { CornerUpLeftIcon, SendHorizontalIcon, XIcon } from "lucide-react";
import { memo, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import { ComposerEmojiButton } from "@/features/chat/emoji/composer-emoji-button";
import { useShortcodeAutocomplete } from "@/features/chat/emoji/shortcode-autocomplete";
import { useMentionAutocomplete, type MentionCandidate } from "./mention-autocomplete";

export const MESSAGE_MAX_LENGTH = 4000;
/** The counter shows from this many characters on. */
const COUNTER_FROM = 3500;

interface ComposerProps {
  roomName: string;
  /** A rejected promise means the message was not sent: the text is put back. */
  onSend: (text: string) => void | Promise<void>;
  /** Called when the user starts or stops typing, for the typing indicator. */
  onTypingChange?: (typing: boolean) => void;
  disabled?: boolean;
  /** The message being replied to, shown above the box. */
  replyingTo?: { senderName: string; text: string } | null;
  onCancelReply?: () => void;
  /** Shown before the text box (the attach button). */
  accessory?: ReactNode;
  /** People "@" suggests. */
  mentionCandidates?: readonly MentionCandidate[];
  /** Up arrow in the empty box: start editing your last message; false when there is none. */
  onEditLast?: () => boolean;
  /** What the box holds when it opens (the room's draft). */
  initialText?: string;
  /** Every change of the text, sending included (to keep the draft). */
  onTextChange?: (text: string) => void;
}

const NO_CANDIDATES: readonly MentionCandidate[] = [];

/** Up arrow with nothing typed (and no modifier, not mid-composition) edits your last message. */
export function isEditLastKey(
  event: {
    key: string;
    shiftKey: boolean;
    altKey: boolean;
    ctrlKey: boolean;
    metaKey: boolean;
    nativeEvent: { isComposing?: boolean };
  },
  text: string,
): boolean {
  return (
    event.key === "ArrowUp" &&
    text === "" &&
    !event.shiftKey &&
    !event.altKey &&
    !event.ctrlKey &&
    !event.metaKey &&
    !event.nativeEvent.isComposing
  );
}

/** Enter sends, Shift+Enter adds a line; text written with an IME is never sent mid-composition.
 * Memoised: the conversation renders again for every batch of messages, the composer only
 * when what it is given changes. */
export const Composer = memo(function Composer({
  roomName,
  onSend,
  onTypingChange,
  disabled,
  replyingTo,
  onCancelReply,
  accessory,
  mentionCandidates = NO_CANDIDATES,
  onEditLast,
  initialText = "",
  onTextChange,
}: ComposerProps) {
  const [text, setText] = useState(initialText);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const mention = useMentionAutocomplete({ text, setText, textarea: textareaRef, candidates: mentionCandidates });
  const shortcode = useShortcodeAutocomplete({ text, setText, textarea: textareaRef });
  const suggestions = mention.open ? mention : shortcode;
  const hintId = useId();
  const typing = useRef(false);

  function setTyping(next: boolean) {
    if (typing.current === next) return;
    typing.current = next;
    onTypingChange?.(next);
  }

  // Messages reach onSend in the order they were sent, each once its shortcodes are looked up.
  const finishing = useRef<Promise<unknown>>(Promise.resolve());

  function send() {
    const typed = text.trim();
    if (!typed || disabled || typed.length > MESSAGE_MAX_LENGTH) return;
    setText("");
    setTyping(false);
    const message = finishing.current.then(() => shortcode.finish(typed));
    finishing.current = message;
    // A message that did not go out comes back to the box, unless something new was typed.
    message.then((finished) => onSend(finished)).catch(() => setText((current) => (current === "" ? typed : current)));
    textareaRef.current?.focus();
  }

  /** Puts an emoji where the caret is (or replaces the selection) and keeps typing there. */
  function insertAtCaret(inserted: string) {
    const box = textareaRef.current;
    const start = box?.selectionStart ?? text.length;
    const end = box?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + inserted + text.slice(end);
    setText(next);
    setTyping(next.length > 0);
    requestAnimationFrame(() => {
      box?.focus();
      box?.setSelectionRange(start + inserted.length, start + inserted.length);
    });
  }

  useEffect(() => {
    onTextChange?.(text);
  }, [text, onTextChange]);

  // Choosing "Reply" puts the cursor where the reply goes.
  // After the task that closes the message menu, which would otherwise take focus back.
  useEffect(() => {
    if (!replyingTo) return;
    textareaRef.current?.focus();
    const timer = setTimeout(() => textareaRef.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, [replyingTo]);

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (suggestions.onKeyDown(event)) return;
    if (event.key === "Escape" && replyingTo) {
      event.preventDefault();
      onCancelReply?.();
      return;
    }
    if (isEditLastKey(event, text) && onEditLast?.()) {
      event.preventDefault();
      return;
    }
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    send();
  }

  const tooLong = text.length > MESSAGE_MAX_LENGTH;
  const counter =
    text.length < COUNTER_FROM
      ? null
      : tooLong
        ? `${(text.length - MESSAGE_MAX_LENGTH).toLocaleString()} characters over the ${MESSAGE_MAX_LENGTH.toLocaleString()} limit: shorten the message to send it.`
        : `${(MESSAGE_MAX_LENGTH - text.length).toLocaleString()} characters left`;
  return (
    <div className="relative border-t bg-background">
      {suggestions.popup}
      {replyingTo ? (
        <div className="flex items-center gap-2 px-4 pt-2 text-xs text-muted-foreground">
          <CornerUpLeftIcon className="size-3.5 shrink-0" aria-hidden />
          <p className="min-w-0 flex-1 truncate">
            Replying to <span className="font-medium text-foreground">{replyingTo.senderName}</span>: {replyingTo.text}
          </p>
          <Button
            type="button"
            variant="ghost"
            size="icon"
            className="size-6"
            aria-label="Cancel reply"
            onClick={onCancelReply}
          >
            <XIcon aria-hidden />
          </Button>
        </div>
      ) : null}
      {counter ? (
        <p
          id={`${hintId}-counter`}
          aria-live="polite"
          className={cn("px-4 pt-2 text-right text-xs", tooLong ? "text-destructive" : "text-muted-foreground")}
        >
          {counter}
        </p>
      ) : null}
      <form
        className="flex items-end gap-2 p-3"
        onSubmit={(event) => {
          event.preventDefault();
          send();
        }}
      >
        {accessory}
        <label className="sr-only" htmlFor={`${hintId}-input`}>
          Message {roomName}
        </label>
        <textarea
          id={`${hintId}-input`}
          data-composer-input
          ref={textareaRef}
          rows={1}
          value={text}
          disabled={disabled}
          placeholder={`Message ${roomName}`}
          aria-describedby={counter ? `${hintId} ${hintId}-counter` : hintId}
          aria-invalid={tooLong || undefined}
          {...suggestions.inputProps}
          onSelect={(event) => {
            mention.syncCaret(event.currentTarget.selectionStart);
            shortcode.syncCaret(event.currentTarget.selectionStart);
          }}
          onChange={(event) => {
            setText(event.target.value);
            mention.syncCaret(event.target.selectionStart);
            shortcode.syncCaret(event.target.selectionStart);
            setTyping(event.target.value.length > 0);
          }}
          onBlur={() => setTyping(false)}
          onKeyDown={onKeyDown}
          className={cn(
            "field-sizing-content max-h-40 min-h-10 flex-1 resize-none rounded-xl border border-input bg-transparent px-3.5 py-2 text-base outline-none placeholder:text-muted-foreground focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 md:text-sm dark:bg-input/30",
            tooLong && "border-destructive",
          )}
        />
        <p id={hintId} className="sr-only">
          Enter to send, Shift+Enter for a new line, Up arrow in an empty box to edit your last message.
        </p>
        <ComposerEmojiButton onPick={insertAtCaret} disabled={disabled} />
        <Button
          type="submit"
          size="icon"
          className="size-10 rounded-xl"
          disabled={disabled || !text.trim() || tooLong}
          aria-label="Send message"
        >
          <SendHorizontalIcon aria-hidden />
        </Button>
      </form>
    </div>
  );
});
