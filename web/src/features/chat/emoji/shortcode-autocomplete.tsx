// ":tad" in the composer suggests emoji by shortcode; picking one inserts the emoji itself.
import { useEffect, useState, type RefObject } from "react";
import { useInlineSuggestions } from "@/features/chat/components/inline-suggestions";
import {
  hasShortcode,
  loadEmojiData,
  matchShortcodes,
  replaceShortcodes,
  type EmojiData,
  type ShortcodeMatch,
} from "./emoji-data";

/** The ":query" (two characters or more) right before the caret, or null; "12:30" is not one. */
export function shortcodeQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(?:^|[\s(]):([a-z0-9_+-]{2,30})$/i.exec(text.slice(0, caret));
  if (!match) return null;
  const query = match[1]!;
  return { start: caret - query.length - 1, query };
}

interface ShortcodeAutocompleteOptions {
  text: string;
  setText: (text: string) => void;
  textarea: RefObject<HTMLTextAreaElement | null>;
}

export function useShortcodeAutocomplete({ text, setText, textarea }: ShortcodeAutocompleteOptions) {
  const [data, setData] = useState<EmojiData | null>(null);
  // The emoji data loads the first time someone types a ":" query.
  const wanted = data === null && /:[a-z0-9_+-]{2}/i.test(text);
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    void loadEmojiData().then((loaded) => {
      if (live) setData(loaded);
    });
    return () => {
      live = false;
    };
  }, [wanted]);

  const suggestions = useInlineSuggestions<ShortcodeMatch>({
    text,
    setText,
    textarea,
    queryAt: (value, caret) => (data ? shortcodeQueryAt(value, caret) : null),
    find: (query) => (data ? matchShortcodes(data, query) : []),
    insertion: (match) => match.native,
    itemKey: (match) => match.shortcode,
    label: "Emoji",
    renderItem: (match) => (
      <>
        <span className="text-lg leading-none">{match.native}</span>
        <span className="truncate">:{match.shortcode}:</span>
      </>
    ),
  });
  /** The message as it goes out, whole shortcodes as emoji. Typing ":ta" starts loading the
   * data, but a quick sender can get there first: then it is waited for. Never rejects (no
   * data: the message goes as typed). */
  const finish = async (message: string): Promise<string> => {
    if (!hasShortcode(message)) return message;
    try {
      return replaceShortcodes(data ?? (await loadEmojiData()), message);
    } catch {
      return message;
    }
  };
  return { ...suggestions, finish };
}
