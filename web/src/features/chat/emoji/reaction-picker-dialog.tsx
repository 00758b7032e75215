import { Dialog, DialogContent, DialogTitle } from "@/components/ui/dialog";
import { EmojiPicker } from "./emoji-picker";
import { isSingleEmoji } from "./emoji-data";

interface ReactionPickerDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onPick: (emoji: string) => void;
}

/** Any emoji as a reaction: the full picker in a dialog; one pick reacts and closes it. */
export function ReactionPickerDialog({ open, onOpenChange, onPick }: ReactionPickerDialogProps) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent
        className="w-auto max-w-[calc(100vw-1rem)] gap-2 p-2 sm:max-w-fit"
        showCloseButton={false}
        aria-describedby={undefined}
      >
        <DialogTitle className="px-2 pt-1 text-sm">Choose a reaction</DialogTitle>
        {open ? (
          <EmojiPicker
            onPick={(native) => {
              if (!isSingleEmoji(native)) return;
              onPick(native);
              onOpenChange(false);
            }}
          />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
