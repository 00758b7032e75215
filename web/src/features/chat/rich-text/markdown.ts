import MarkdownIt, { type Token } from "markdown-it";

/** Link schemes a message may carry; anything else (javascript:, data:, file:, relative) stays text. */
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

export function isSafeHref(href: string): boolean {
  try {
    return SAFE_PROTOCOLS.has(new URL(href).protocol);
  } catch {
    return false;
  }
}

/**
 * The chat's Markdown subset: emphasis, strikethrough, code, fenced code, quotes, lists,
 * line breaks and links. Raw HTML is never parsed (html: false), headings, rules, tables,
 * images and indented code are off: in a chat they turn ordinary text into surprises.
 */
function createParser() {
  const parser = new MarkdownIt("default", { html: false, linkify: true, breaks: true, typographer: false });
  parser.disable(["heading", "lheading", "hr", "table", "image", "code", "reference", "html_block", "html_inline"]);
  parser.validateLink = isSafeHref;
  // "fuzzy" links (example.com without a scheme) and e-mail addresses without mailto: would
  // turn file names and handles into links; only explicit http(s):// and mailto: count.
  parser.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
  return parser;
}

const parser = createParser();

export type MarkdownToken = Token;

export function parseMessage(text: string): MarkdownToken[] {
  return parser.parse(text, {});
}
