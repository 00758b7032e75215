/** The server's snippet (HTML-escaped text with matches in <mark>) as React nodes; never
 * parsed as HTML, so nothing in a message can become markup. */
export function Snippet({ html }: { html: string }) {
  const parts = html.split(/<mark>(.*?)<\/mark>/s);
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <mark key={index} className="rounded-sm bg-yellow-200 px-0.5 text-foreground dark:bg-yellow-500/40">
            {unescape(part)}
          </mark>
        ) : (
          <span key={index}>{unescape(part)}</span>
        ),
      )}
    </>
  );
}

function unescape(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
