import { useEffect, useState, type ReactNode } from "react";

/**
 * A fenced code block. The text shows at once; the highlighter (lowlight, with highlight.js
 * grammars) is fetched on first use, outside the initial bundle, and colours it when ready.
 */
export function CodeBlock({ code, language }: { code: string; language: string }) {
  const [highlighted, setHighlighted] = useState<ReactNode>(null);

  useEffect(() => {
    let live = true;
    setHighlighted(null);
    void import("./highlight").then(({ highlight }) => {
      if (live) setHighlighted(highlight(code, language));
    });
    return () => {
      live = false;
    };
  }, [code, language]);

  return (
    <pre className="max-w-full overflow-x-auto rounded-md bg-black/80 p-2 font-mono text-xs leading-relaxed text-white [overflow-wrap:normal]">
      <code data-language={language || undefined}>{highlighted ?? code}</code>
    </pre>
  );
}
