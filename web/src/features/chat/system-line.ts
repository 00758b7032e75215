// System lines (written by the functions): joins, leaves, removals, renames, topic changes, pins.
import type { Message, SystemEvent } from "./types";

const EVENTS = new Set<SystemEvent["event"]>(["joined", "left", "removed", "renamed", "topic", "pinned"]);

/** The system event a message document carries, or undefined for an ordinary message. */
export function systemEventOf(data: {
  kind?: unknown;
  event?: unknown;
  subjectName?: unknown;
  value?: unknown;
}): SystemEvent | undefined {
  if (data.kind !== "system" || !EVENTS.has(data.event as SystemEvent["event"])) return undefined;
  return {
    event: data.event as SystemEvent["event"],
    subjectName: typeof data.subjectName === "string" ? data.subjectName : "",
    value: typeof data.value === "string" ? data.value : "",
  };
}

/** "Ana Lima joined", "You renamed the group to “Trip”", … */
export function describeSystemLine(message: Message, currentUserId: string): string {
  const system = message.system!;
  const who = message.senderId === currentUserId ? "You" : message.senderName;
  switch (system.event) {
    case "joined":
      return `${who} joined`;
    case "left":
      return `${who} left`;
    case "removed":
      return `${who} removed ${system.subjectName || "someone"}`;
    case "renamed":
      return `${who} renamed the group to “${system.value}”`;
    case "topic":
      return system.value ? `${who} changed the topic to “${system.value}”` : `${who} cleared the topic`;
    case "pinned":
      return `${who} pinned a message`;
  }
}
