import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes, useParams } from "react-router";
import { describe, expect, it } from "vitest";
import { MessageMarkdown } from "./message-markdown";

function Probe() {
  return <p data-testid="profile-of">{useParams().username}</p>;
}

/** The rendered DOM inside the message's wrapper. */
function html(text: string, hasMentions = false): string {
  const { container } = render(<MessageMarkdown text={text} hasMentions={hasMentions} />);
  return container.firstElementChild!.innerHTML;
}

const LINK = 'target="_blank" rel="noopener noreferrer" class="underline underline-offset-2"';
const P = '<p dir="auto">';

describe("MessageMarkdown formatting", () => {
  it.each([
    ["plain text", "hello", `${P}hello</p>`],
    ["bold", "**bold**", `${P}<strong>bold</strong></p>`],
    ["italic", "_it_ and *it*", `${P}<em>it</em> and <em>it</em></p>`],
    ["strikethrough", "~~gone~~", `${P}<s>gone</s></p>`],
    [
      "inline code keeps markup literal",
      "`**x** <b>`",
      `${P}<code class="rounded bg-current/10 px-1 py-0.5 font-mono text-[0.9em]">**x** &lt;b&gt;</code></p>`,
    ],
    ["line breaks", "one\ntwo", `${P}one<br>two</p>`],
    ["paragraphs", "one\n\ntwo", `${P}one</p>${P}two</p>`],
    [
      "block quote",
      "> quoted",
      `<blockquote class="border-s-2 border-current/40 ps-2 opacity-90" dir="auto">${P}quoted</p></blockquote>`,
    ],
    ["bullet list", "- a\n- b", `<ul class="list-disc ps-5"><li dir="auto">a</li><li dir="auto">b</li></ul>`],
    [
      "ordered list keeps its start",
      "3. c\n4. d",
      `<ol class="list-decimal ps-5" start="3"><li dir="auto">c</li><li dir="auto">d</li></ol>`,
    ],
    ["headings stay text", "# not a heading", `${P}# not a heading</p>`],
    ["rules stay text", "---", `${P}---</p>`],
    ["indented text is not code", "    spaced", `${P}spaced</p>`],
    ["tables stay text", "| a |\n|---|\n| b |", `${P}| a |<br>|---|<br>| b |</p>`],
    ["escapes", "\\*not em\\*", `${P}*not em*</p>`],
  ])("%s", (_name, input, expected) => {
    expect(html(input)).toBe(expected);
  });
});

describe("MessageMarkdown links", () => {
  it.each([
    [
      "a bare https URL",
      "see https://example.com/a?b=1",
      `${P}see <a href="https://example.com/a?b=1" ${LINK}>https://example.com/a?b=1</a></p>`,
    ],
    ["a bare http URL", "http://example.com", `${P}<a href="http://example.com" ${LINK}>http://example.com</a></p>`],
    ["a mailto link", "[mail](mailto:a@b.org)", `${P}<a href="mailto:a@b.org" ${LINK}>mail</a></p>`],
    [
      "a labelled link",
      "[docs](https://example.com/docs)",
      `${P}<a href="https://example.com/docs" ${LINK}>docs</a></p>`,
    ],
    ["an autolink", "<https://example.com>", `${P}<a href="https://example.com" ${LINK}>https://example.com</a></p>`],
    ["a name without scheme stays text", "example.com and a@b.org", `${P}example.com and a@b.org</p>`],
  ])("%s", (_name, input, expected) => {
    expect(html(input)).toBe(expected);
  });
});

describe("MessageMarkdown refuses every script and HTML vector", () => {
  it.each([
    ["script tag", "<script>alert(1)</script>", `${P}&lt;script&gt;alert(1)&lt;/script&gt;</p>`],
    ["img onerror", '<img src=x onerror="alert(1)">', `${P}&lt;img src=x onerror="alert(1)"&gt;</p>`],
    ["svg onload", "<svg onload=alert(1)>", `${P}&lt;svg onload=alert(1)&gt;</p>`],
    [
      "iframe",
      '<iframe src="https://evil.example"></iframe>',
      `${P}&lt;iframe src="<a href="https://evil.example" ${LINK}>https://evil.example</a>"&gt;&lt;/iframe&gt;</p>`,
    ],
    ["html block", "<div>\n<b>x</b>\n</div>", `${P}&lt;div&gt;<br>&lt;b&gt;x&lt;/b&gt;<br>&lt;/div&gt;</p>`],
    ["javascript: link", "[x](javascript:alert(1))", `${P}[x](javascript:alert(1))</p>`],
    ["mixed-case javascript: link", "[x](JaVaScRiPt:alert(1))", `${P}[x](JaVaScRiPt:alert(1))</p>`],
    ["entity-encoded javascript: link", "[x](&#106;avascript:alert(1))", `${P}[x](javascript:alert(1))</p>`],
    ["tab inside the scheme", "[x](java&#9;script:alert(1))", `${P}[x](java\tscript:alert(1))</p>`],
    ["leading space before the scheme", "[x]( javascript:alert(1))", `${P}[x]( javascript:alert(1))</p>`],
    ["vbscript: link", "[x](vbscript:msgbox(1))", `${P}[x](vbscript:msgbox(1))</p>`],
    [
      "data: link",
      "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
      `${P}[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)</p>`,
    ],
    ["file: link", "[x](file:///etc/passwd)", `${P}[x](file:///etc/passwd)</p>`],
    ["protocol-relative link", "[x](//evil.example)", `${P}[x](//evil.example)</p>`],
    ["relative link", "[x](/r/other)", `${P}[x](/r/other)</p>`],
    ["javascript: autolink", "<javascript:alert(1)>", `${P}&lt;javascript:alert(1)&gt;</p>`],
    ["bare javascript: text", "javascript:alert(1)", `${P}javascript:alert(1)</p>`],
    ["image", "![x](https://evil.example/p.png)", `${P}!<a href="https://evil.example/p.png" ${LINK}>x</a></p>`],
    ["image with onerror", '![x](x" onerror="alert(1))', `${P}![x](x" onerror="alert(1))</p>`],
    ["reference definition", "[x]\n\n[x]: javascript:alert(1)", `${P}[x]</p>${P}[x]: javascript:alert(1)</p>`],
    [
      "attribute breakout in a URL",
      'https://a.example/"onmouseover="alert(1)',
      `${P}<a href="https://a.example/%22onmouseover=%22alert(1)" ${LINK}>https://a.example/"onmouseover="alert(1)</a></p>`,
    ],
    ["entities stay text", "&lt;script&gt;", `${P}&lt;script&gt;</p>`],
    ["style tag", "<style>body{display:none}</style>", `${P}&lt;style&gt;body{display:none}&lt;/style&gt;</p>`],
  ])("%s", (_name, input, expected) => {
    const out = html(input);
    expect(out).toBe(expected);
    const { container } = render(<MessageMarkdown text={input} hasMentions={false} />);
    expect(container.firstElementChild!.querySelector("script, img, svg, iframe, style, div")).toBeNull();
    for (const anchor of container.querySelectorAll("a")) expect(anchor.href).toMatch(/^(https?|mailto):/);
  });

  it("keeps a fence's info string out of attributes", async () => {
    const { container } = render(
      <MessageMarkdown text={'```"><img src=x onerror=alert(1)>\nx\n```'} hasMentions={false} />,
    );
    await waitFor(() => expect(container.querySelector("code span, code")).not.toBeNull());
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("code")!.getAttribute("data-language")).toBe('"><img');
  });
});

describe("MessageMarkdown code blocks and mentions", () => {
  it("shows a fenced block at once and highlights it when the highlighter has loaded", async () => {
    const { container } = render(<MessageMarkdown text={"```python\ndef f(): return 1\n```"} hasMentions={false} />);
    const code = container.querySelector("pre > code")!;
    expect(code.textContent).toBe("def f(): return 1");
    await waitFor(() => expect(code.querySelector("span.hljs-keyword")?.textContent).toBe("def"), { timeout: 5000 });
    expect(code.textContent).toBe("def f(): return 1");
  });

  it("does not read Markdown inside code", () => {
    const { container } = render(<MessageMarkdown text={"```\n**x** <script>\n```"} hasMentions={false} />);
    expect(container.querySelector("pre code")!.textContent).toBe("**x** <script>");
    expect(container.querySelector("strong, script")).toBeNull();
  });

  it("renders @mentions as chips in a message that mentions someone, not in code or e-mail", () => {
    const out = html("hi **@ana** and @ben.o, not x@mail.com or `@code`", true);
    const chip =
      'class="rounded bg-current/15 px-1 font-semibold underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-current"';
    expect(out).toBe(
      `${P}hi <strong><a data-mention="true" href="/u/ana" ${chip}>@ana</a></strong> and ` +
        `<a data-mention="true" href="/u/ben.o" ${chip}>@ben.o</a>, not x@mail.com or ` +
        `<code class="rounded bg-current/10 px-1 py-0.5 font-mono text-[0.9em]">@code</code></p>`,
    );
  });

  it("opens the mentioned person's profile from a chip", async () => {
    render(
      <MemoryRouter initialEntries={["/rooms/r1"]}>
        <Routes>
          <Route path="/rooms/:roomId" element={<MessageMarkdown text="thanks @ana!" hasMentions />} />
          <Route path="/u/:username" element={<Probe />} />
        </Routes>
      </MemoryRouter>,
    );
    await userEvent.click(screen.getByRole("link", { name: "@ana" }));
    expect(screen.getByTestId("profile-of").textContent).toBe("ana");
  });

  it("leaves @text plain in a message that mentions no one", () => {
    expect(html("ping @ana")).toBe(`${P}ping @ana</p>`);
  });

  it("lays text out in its own direction and wraps long unbroken strings", () => {
    const { container } = render(<MessageMarkdown text={"שלום עולם"} hasMentions={false} />);
    const wrapper = container.firstElementChild!;
    expect(wrapper.getAttribute("dir")).toBe("auto");
    expect(wrapper.className).toContain("[overflow-wrap:anywhere]");
  });
});
