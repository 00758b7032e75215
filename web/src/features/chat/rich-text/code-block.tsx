import { useEffect, type ReactNode } from "react";
import { useStateFor } from "@/lib/use-state-for";

/**
 * A fenced code block. The text shows at once; the highlighter (lowlight, with highlight.js
 * grammars) is fetched on first use, outside the initial bundle, and colours it when ready.
 */
export function CodeBlock({ code, language }: { code: string; language: string }) {
  // Changed code shows plain until coloured again.
  const [colours, setColours] = useStateFor<ReactNode>([code, language]);

  useEffect(() => {
    let live = true;
    void import("./highlight").then(({ highlight }) => {
      if (live) setColours([code, language], highlight(code, language));
    });
    return () => {
      live = false;
    };
  }, [code, language, setColours]);

  return (
    <pre className="max-w-full overflow-x-auto rounded-md bg-black/80 p-2 font-mono text-xs leading-relaxed text-white [overflow-wrap:normal]">
      <code data-language={language || undefined}>{colours ?? code}</code>
    </pre>
  );
}
