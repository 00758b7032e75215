import {
  CornerUpLeftIcon,
  LinkIcon,
  MoreHorizontalIcon,
  PencilIcon,
  PinIcon,
  PinOffIcon,
  SmilePlusIcon,
  Trash2Icon,
} from "lucide-react";
import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { ReactionPickerDialog } from "@/features/chat/emoji/reaction-picker-dialog";
import type { Message } from "@/features/chat/types";
import { cn } from "@/lib/utils";
import { useMessageExtras } from "./message-extras";

export const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉", "😮", "😢"];

/** What a conversation can do with a message; absent handlers hide their actions. */
export interface MessageActionHandlers {
  onReact?: (message: Message, emoji: string) => void;
  onReply?: (message: Message) => void;
  /** Starts editing; only offered on your own messages. */
  onStartEdit?: (message: Message) => void;
  /** Asks to delete; only offered on your own messages. */
  onDelete?: (message: Message) => void;
}

interface MessageActionsProps extends MessageActionHandlers {
  message: Message;
  own: boolean;
  className?: string;
}

/** One "more actions" button per message keeps the tab order short in long conversations. */
export function MessageActions({
  message,
  own,
  onReact,
  onReply,
  onStartEdit,
  onDelete,
  className,
}: MessageActionsProps) {
  const canEdit = own && onStartEdit;
  const canDelete = own && onDelete;
  // Reply and Edit put the cursor in a text box: closing the menu must not take it back.
  const keepFocus = useRef(false);
  const [pickingReaction, setPickingReaction] = useState(false);
  const { pinnedIds, onTogglePin, onCopyLink } = useMessageExtras();
  const pinned = pinnedIds.has(message.id);
  if (!onReact && !onReply && !canEdit && !canDelete && !onTogglePin && !onCopyLink) return null;
  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button
            variant="ghost"
            size="icon"
            className={cn("size-7 text-muted-foreground", className)}
            aria-label={`Actions for message from ${own ? "you" : message.senderName}`}
          >
            <MoreHorizontalIcon aria-hidden />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent
          align={own ? "end" : "start"}
          onCloseAutoFocus={(event) => {
            if (!keepFocus.current) return;
            keepFocus.current = false;
            event.preventDefault();
          }}
        >
          {onReact ? (
            <>
              <DropdownMenuLabel className="flex items-center gap-2 text-xs font-normal text-muted-foreground">
                <SmilePlusIcon className="size-3.5" aria-hidden /> React
              </DropdownMenuLabel>
              <div className="flex gap-0.5 px-1 pb-1">
                {QUICK_REACTIONS.map((emoji) => (
                  <DropdownMenuItem
                    key={emoji}
                    className="justify-center px-1.5 text-base"
                    aria-label={`React with ${emoji}`}
                    onSelect={() => onReact(message, emoji)}
                  >
                    {emoji}
                  </DropdownMenuItem>
                ))}
              </div>
              <DropdownMenuItem onSelect={() => setPickingReaction(true)}>
                <SmilePlusIcon aria-hidden /> Any emoji…
              </DropdownMenuItem>
              <DropdownMenuSeparator />
            </>
          ) : null}
          {onReply ? (
            <DropdownMenuItem
              onSelect={() => {
                keepFocus.current = true;
                onReply(message);
              }}
            >
              <CornerUpLeftIcon aria-hidden /> Reply
            </DropdownMenuItem>
          ) : null}
          {onCopyLink ? (
            <DropdownMenuItem onSelect={() => onCopyLink(message)}>
              <LinkIcon aria-hidden /> Copy link
            </DropdownMenuItem>
          ) : null}
          {onTogglePin ? (
            <DropdownMenuItem onSelect={() => onTogglePin(message, pinned)}>
              {pinned ? <PinOffIcon aria-hidden /> : <PinIcon aria-hidden />} {pinned ? "Unpin" : "Pin"}
            </DropdownMenuItem>
          ) : null}
          {canEdit ? (
            <DropdownMenuItem
              onSelect={() => {
                keepFocus.current = true;
                onStartEdit(message);
              }}
            >
              <PencilIcon aria-hidden /> Edit
            </DropdownMenuItem>
          ) : null}
          {canDelete ? (
            <DropdownMenuItem variant="destructive" onSelect={() => onDelete(message)}>
              <Trash2Icon aria-hidden /> Delete
            </DropdownMenuItem>
          ) : null}
        </DropdownMenuContent>
      </DropdownMenu>
      {onReact ? (
        <ReactionPickerDialog
          open={pickingReaction}
          onOpenChange={setPickingReaction}
          onPick={(emoji) => onReact(message, emoji)}
        />
      ) : null}
    </>
  );
}
