import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { FormAlert } from "@/features/auth/form-alert";
import { PersonPicker } from "@/features/search/person-picker";
import { describeError, useRoomActions } from "./room-actions";
import { useOpenRoom } from "./use-open-room";

interface NewConversationDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

/** Starts (or reopens) the direct conversation with someone found by name, or by username. */
export function NewConversationDialog({ open, onOpenChange }: NewConversationDialogProps) {
  const actions = useRoomActions();
  const [username, setUsername] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { openRoom, waiting } = useOpenRoom(() => onOpenChange(false));

  // Each opening starts afresh.
  const [wasOpen, setWasOpen] = useState(open);
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) {
      setUsername("");
      setError(null);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void start(username.trim().replace(/^@/, ""));
  }

  async function start(name: string) {
    if (!actions || !name) return;
    setBusy(true);
    setError(null);
    try {
      openRoom(await actions.startDirect(name));
    } catch (caught) {
      setError(
        describeError(caught, "Couldn't start the conversation. Try again.").replace(
          /^User not found$/,
          `No one on FlowChat goes by @${name}.`,
        ),
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
            <DialogDescription>
              Send a direct message to someone on FlowChat: type part of their name.
            </DialogDescription>
          </DialogHeader>
          <FormAlert message={error} />
          <PersonPicker
            label="Name or username"
            placeholder="e.g. Sam or sam_rivera"
            value={username}
            onValueChange={setUsername}
            onPick={(person) => {
              setUsername(person.username);
              void start(person.username);
            }}
            autoFocus
          />
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button busy={working} type="submit" disabled={!actions || !username.trim()}>
              Start conversation
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
