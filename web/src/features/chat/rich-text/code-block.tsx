import { useEffect, useState, type ReactNode } from "react";

/**
 * A fenced code block. The text shows at once; the highlighter (lowlight, with highlight.js
 * grammars) is fetched on first use, outside the initial bundle, and colours it when ready.
 */
export function CodeBlock({ code, language }: { code: string; language: string }) {
  // The colours keep the code they were made for: changed code shows plain until coloured again.
  const [highlighted, setHighlighted] = useState<{ code: string; language: string; colours: ReactNode } | null>(null);

  useEffect(() => {
    let live = true;
    void import("./highlight").then(({ highlight }) => {
      if (live) setHighlighted({ code, language, colours: highlight(code, language) });
    });
    return () => {
      live = false;
    };
  }, [code, language]);

  const colours = highlighted?.code === code && highlighted.language === language ? highlighted.colours : null;
  return (
    <pre className="max-w-full overflow-x-auto rounded-md bg-black/80 p-2 font-mono text-xs leading-relaxed text-white [overflow-wrap:normal]">
      <code data-language={language || undefined}>{colours ?? code}</code>
    </pre>
  );
}
