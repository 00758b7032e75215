import { Loader2Icon } from "lucide-react";
import { useEffect, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormAlert } from "@/features/auth/form-alert";
import { FormField } from "@/features/auth/form-field";
import { describeError, useRoomActions } from "./room-actions";
import { useOpenRoom } from "./use-open-room";

interface NewConversationDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

/** Starts (or reopens) the direct conversation with someone, by username. */
export function NewConversationDialog({ open, onOpenChange }: NewConversationDialogProps) {
  const actions = useRoomActions();
  const [username, setUsername] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { openRoom, waiting } = useOpenRoom(() => onOpenChange(false));

  useEffect(() => {
    if (open) {
      setUsername("");
      setError(null);
    }
  }, [open]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const name = username.trim().replace(/^@/, "");
    if (!actions || !name) return;
    setBusy(true);
    setError(null);
    try {
      openRoom(await actions.startDirect(name));
    } catch (caught) {
      setError(
        describeError(caught, "Couldn't start the conversation. Try again.").replace(/^User not found$/, `No one on FlowChat goes by @${name}.`),
      );
    } finally {
      setBusy(false);
    }
  }

  const working = busy || waiting !== null;
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-md">
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>New conversation</DialogTitle>
            <DialogDescription>Send a direct message to someone on FlowChat.</DialogDescription>
          </DialogHeader>
          <FormAlert message={error} />
          <FormField
            label="Username"
            name="username"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            placeholder="e.g. sam_rivera"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            required
            autoFocus
          />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={!actions || working || !username.trim()}>
              {working ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              Start conversation
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
