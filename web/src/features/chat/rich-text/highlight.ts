import type { Element, ElementContent, Root } from "hast";
import { common, createLowlight } from "lowlight";
import { createElement, Fragment, type ReactNode } from "react";
import "highlight.js/styles/github-dark.css";

const lowlight = createLowlight(common);

/**
 * The code as React elements with highlight.js classes. lowlight returns a syntax tree, so
 * only <span class> and text come out of it: the code never passes through an HTML string.
 */
export function highlight(code: string, language: string): ReactNode {
  const tree: Root = lowlight.registered(language) ? lowlight.highlight(language, code) : lowlight.highlightAuto(code);
  return createElement(Fragment, null, ...tree.children.map(toReact));
}

function toReact(node: ElementContent | Root["children"][number], key: number): ReactNode {
  if (node.type === "text") return node.value;
  if (node.type !== "element") return null;
  const element = node as Element;
  const classes = element.properties.className;
  const className = Array.isArray(classes) ? classes.join(" ") : undefined;
  return createElement("span", { key, className }, ...element.children.map(toReact));
}
