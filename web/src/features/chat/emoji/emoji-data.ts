// Emoji data (emoji-mart's native set, bundled: nothing is fetched from a CDN at run time).
// Imported on first use, so it stays outside the initial bundle.

export interface EmojiEntry {
  id: string;
  name: string;
  keywords: string[];
  skins: { native: string }[];
}

export interface EmojiData {
  emojis: Record<string, EmojiEntry>;
  aliases: Record<string, string>;
}

let loading: Promise<EmojiData> | null = null;

export function loadEmojiData(): Promise<EmojiData> {
  loading ??= import("@emoji-mart/data").then((module) => (module.default ?? module) as unknown as EmojiData);
  return loading;
}

export interface ShortcodeMatch {
  shortcode: string;
  native: string;
}

/** Emoji whose shortcode (or an alias) starts with the query, then those that contain it. */
export function matchShortcodes(data: EmojiData, query: string, limit = 6): ShortcodeMatch[] {
  const wanted = query.toLowerCase();
  const names = [...Object.keys(data.emojis), ...Object.keys(data.aliases)];
  const starting = names.filter((name) => name.startsWith(wanted));
  const containing = names.filter((name) => !name.startsWith(wanted) && name.includes(wanted));
  const seen = new Set<string>();
  const matches: ShortcodeMatch[] = [];
  for (const name of [...starting, ...containing]) {
    const entry = data.emojis[data.aliases[name] ?? name];
    const native = entry?.skins[0]?.native;
    if (!native || seen.has(native)) continue;
    seen.add(native);
    matches.push({ shortcode: name, native });
    if (matches.length === limit) break;
  }
  return matches;
}

const SHORTCODE_PATTERN = String.raw`(^|[\s(]):([a-z0-9_+-]{2,30}):(?=$|[\s).,!?;])`;
const WHOLE_SHORTCODE = new RegExp(SHORTCODE_PATTERN, "gi");
/** The same, not global: test() keeps no position between calls. */
const ANY_SHORTCODE = new RegExp(SHORTCODE_PATTERN, "i");

/** Whether `text` has something shaped like a whole shortcode (":tada:") to look up. */
export function hasShortcode(text: string): boolean {
  return ANY_SHORTCODE.test(text);
}
const CODE = /(```[\s\S]*?```|`[^`\n]*`)/;

/** Shortcodes typed out whole (":tada:") as the emoji itself, as Slack does when a message
 * goes out; unknown names, "12:30:45" and code spans or blocks stay as typed. */
export function replaceShortcodes(data: EmojiData, text: string): string {
  return text
    .split(CODE)
    .map((part, index) =>
      index % 2 === 1
        ? part
        : part.replace(WHOLE_SHORTCODE, (whole, before: string, name: string) => {
            const key = name.toLowerCase();
            const native = data.emojis[data.aliases[key] ?? key]?.skins[0]?.native;
            return native ? `${before}${native}` : whole;
          }),
    )
    .join("");
}

// Made on first use: building a Segmenter loads ICU's break rules, several ms of the first
// page load (this module is part of the conversation's chunk).
let graphemes: Intl.Segmenter | undefined;
const PICTOGRAPHIC = /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3)/u;

/** One emoji (a single grapheme cluster that is pictographic, a flag or a keycap). */
export function isSingleEmoji(text: string): boolean {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  const parts = [...graphemes.segment(text)];
  return parts.length === 1 && PICTOGRAPHIC.test(text) && [...text].length <= 16;
}
