import { Fragment } from "react";

const MENTION = /((?:^|(?<=[^\w.]))@[A-Za-z0-9_.]{3,30})/;

/** A message's text with its @mentions in bold (only when the message mentions someone). */
export function MessageText({ text, hasMentions }: { text: string; hasMentions: boolean }) {
  if (!hasMentions) return <>{text}</>;
  const parts = text.split(MENTION);
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <span key={index} className="font-semibold">
            {part}
          </span>
        ) : (
          <Fragment key={index}>{part}</Fragment>
        ),
      )}
    </>
  );
}
