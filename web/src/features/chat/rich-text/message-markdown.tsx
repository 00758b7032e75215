import { createElement, Fragment, useMemo, type ReactNode } from "react";
import { Link, useInRouterContext } from "react-router";
import { CodeBlock } from "./code-block";
import { isSafeHref, parseMessage, type MarkdownToken } from "./markdown";

const MENTION = /((?:^|(?<=[^\w.]))@[A-Za-z0-9_.]{3,30})/;

// Every element the renderer may produce; a token of any other type renders as its text.
const BLOCK_TAGS: Record<string, { tag: string; className?: string }> = {
  paragraph_open: { tag: "p" },
  bullet_list_open: { tag: "ul", className: "list-disc ps-5" },
  ordered_list_open: { tag: "ol", className: "list-decimal ps-5" },
  list_item_open: { tag: "li" },
  blockquote_open: { tag: "blockquote", className: "border-s-2 border-current/40 ps-2 opacity-90" },
  strong_open: { tag: "strong" },
  em_open: { tag: "em" },
  s_open: { tag: "s" },
  link_open: { tag: "a" },
};

interface Frame {
  token: MarkdownToken | null;
  children: ReactNode[];
}

/** Renders a message's Markdown as React elements: no HTML string is ever built or injected. */
export function MessageMarkdown({ text, hasMentions }: { text: string; hasMentions: boolean }) {
  // Parsed again only when the text changes, not on every render of the list.
  const blocks = useMemo(() => renderMarkdown(text, hasMentions), [text, hasMentions]);
  return (
    <div dir="auto" className="grid min-w-0 gap-1.5 [overflow-wrap:anywhere]">
      {blocks}
    </div>
  );
}

function renderMarkdown(text: string, hasMentions: boolean): ReactNode[] {
  const root: Frame = { token: null, children: [] };
  const stack: Frame[] = [root];
  const renderText = (content: string, key: number): ReactNode =>
    hasMentions ? <MentionText key={key} text={content} /> : <Fragment key={key}>{content}</Fragment>;

  function walk(tokens: MarkdownToken[]) {
    tokens.forEach((token, index) => {
      const top = stack[stack.length - 1]!;
      if (token.nesting === 1) {
        stack.push({ token, children: [] });
      } else if (token.nesting === -1) {
        const frame = stack.pop()!;
        const parent = stack[stack.length - 1]!;
        parent.children.push(elementFor(frame, parent.children.length));
      } else if (token.type === "inline") {
        walk(token.children ?? []);
      } else if (token.type === "softbreak" || token.type === "hardbreak") {
        top.children.push(<br key={top.children.length} />);
      } else if (token.type === "code_inline") {
        top.children.push(
          <code key={top.children.length} className="rounded bg-current/10 px-1 py-0.5 font-mono text-[0.9em]">
            {token.content}
          </code>,
        );
      } else if (token.type === "fence") {
        top.children.push(
          <CodeBlock
            key={top.children.length}
            code={token.content.replace(/\n$/, "")}
            language={token.info.trim().split(/\s+/)[0] ?? ""}
          />,
        );
      } else if (token.content) {
        top.children.push(renderText(token.content, index));
      }
    });
  }

  walk(parseMessage(text));
  return root.children;
}

function elementFor(frame: Frame, key: number): ReactNode {
  const token = frame.token!;
  const kind = BLOCK_TAGS[token.type];
  // Paragraphs inside tight lists are hidden: their text belongs straight in the item.
  if (!kind || token.hidden) return <Fragment key={key}>{frame.children}</Fragment>;
  if (token.type === "link_open") {
    const href = String(token.attrGet("href") ?? "");
    if (!isSafeHref(href)) return <Fragment key={key}>{frame.children}</Fragment>;
    return (
      <a key={key} href={href} target="_blank" rel="noopener noreferrer" className="underline underline-offset-2">
        {frame.children}
      </a>
    );
  }
  const props: Record<string, unknown> = { key, className: kind.className };
  if (kind.tag === "p" || kind.tag === "li" || kind.tag === "blockquote") props.dir = "auto";
  const start = token.type === "ordered_list_open" ? Number(token.attrGet("start")) : NaN;
  if (Number.isInteger(start) && start !== 1) props.start = start;
  return createElement(kind.tag, props, ...frame.children);
}

const CHIP =
  "rounded bg-current/15 px-1 font-semibold underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-current";

/** @handles as chips that open the person's profile (only in a message that mentions someone). */
function MentionText({ text }: { text: string }) {
  const parts = text.split(MENTION);
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? <MentionChip key={index} handle={part} /> : <Fragment key={index}>{part}</Fragment>,
      )}
    </>
  );
}

function MentionChip({ handle }: { handle: string }) {
  const path = `/u/${encodeURIComponent(handle.slice(1))}`;
  // In the app a client-side navigation; outside a router (a lone render) a plain link.
  return useInRouterContext() ? (
    <Link data-mention to={path} className={CHIP}>
      {handle}
    </Link>
  ) : (
    <a data-mention href={path} className={CHIP}>
      {handle}
    </a>
  );
}
