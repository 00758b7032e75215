// What a conversation adds to each message beyond MessageActionHandlers: pins, "Copy link"
// and removing a link preview. Given through context, so the message list passes nothing new.
import { createContext, useContext, type ReactNode } from "react";
import type { Message } from "@/features/chat/types";

export interface MessageExtras {
  /** Ids of the room's pinned messages. */
  pinnedIds: ReadonlySet<string>;
  /** Pins or unpins (`pinned`: the message is pinned now); offered only when set. */
  onTogglePin?: (message: Message, pinned: boolean) => void;
  onCopyLink?: (message: Message) => void;
  /** Takes the sender's own link preview away; offered on their messages only. */
  onRemovePreview?: (message: Message) => void;
}

const NONE: MessageExtras = { pinnedIds: new Set() };
const MessageExtrasContext = createContext<MessageExtras>(NONE);

export function MessageExtrasProvider({ value, children }: { value: MessageExtras; children: ReactNode }) {
  return <MessageExtrasContext.Provider value={value}>{children}</MessageExtrasContext.Provider>;
}

export function useMessageExtras(): MessageExtras {
  return useContext(MessageExtrasContext);
}
