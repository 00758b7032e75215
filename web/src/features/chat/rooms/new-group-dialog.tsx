import { useId, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { FormAlert } from "@/features/auth/form-alert";
import { FormField } from "@/features/auth/form-field";
import { describeError, useRoomActions } from "./room-actions";
import { useOpenRoom } from "./use-open-room";

export const ROOM_NAME_MAX = 80;
export const ROOM_TOPIC_MAX = 300;

/** "@ana, bo  cy" → ["ana", "bo", "cy"] */
export function parseUsernames(text: string): string[] {
  const names = text
    .split(/[\s,;]+/)
    .map((name) => name.trim().replace(/^@/, ""))
    .filter(Boolean);
  return [...new Set(names)];
}

interface NewGroupDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

/** Creates a group and invites people to it. */
export function NewGroupDialog({ open, onOpenChange }: NewGroupDialogProps) {
  const actions = useRoomActions();
  const [name, setName] = useState("");
  const [topic, setTopic] = useState("");
  const [isPrivate, setIsPrivate] = useState(true);
  const [invitees, setInvitees] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { openRoom, waiting } = useOpenRoom(() => onOpenChange(false));
  const id = useId();

  // Each opening starts afresh.
  const [wasOpen, setWasOpen] = useState(open);
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) {
      setName("");
      setTopic("");
      setIsPrivate(true);
      setInvitees("");
      setError(null);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!actions || !name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const roomId = await actions.createGroup({ name: name.trim(), topic: topic.trim(), isPrivate });
      const usernames = parseUsernames(invitees);
      const results = await Promise.allSettled(usernames.map((username) => actions.invite(roomId, username)));
      const failed = usernames.filter((_, index) => results[index]!.status === "rejected");
      if (failed.length > 0) toast.error(`Couldn't invite ${failed.map((username) => `@${username}`).join(", ")}.`);
      else if (usernames.length > 0)
        toast.success(`Invited ${usernames.length === 1 ? `@${usernames[0]}` : `${usernames.length} people`}.`);
      openRoom(roomId);
    } catch (caught) {
      setError(describeError(caught, "Couldn't create the group. Try again."));
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
            <DialogTitle>New group</DialogTitle>
            <DialogDescription>A room for a team, a project or a topic.</DialogDescription>
          </DialogHeader>
          <FormAlert message={error} />
          <FormField
            label="Name"
            name="name"
            value={name}
            maxLength={ROOM_NAME_MAX}
            onChange={(event) => setName(event.target.value)}
            required
            autoFocus
          />
          <div className="grid gap-2">
            <Label htmlFor={`${id}-topic`}>Topic (optional)</Label>
            <Textarea
              id={`${id}-topic`}
              value={topic}
              maxLength={ROOM_TOPIC_MAX}
              rows={2}
              onChange={(event) => setTopic(event.target.value)}
            />
          </div>
          <FormField
            label="Invite people (optional)"
            name="invitees"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            placeholder="usernames, separated by commas"
            value={invitees}
            onChange={(event) => setInvitees(event.target.value)}
          />
          <label className="flex items-start gap-3 text-sm">
            <input
              type="checkbox"
              className="mt-0.5 size-4 accent-primary"
              checked={isPrivate}
              onChange={(event) => setIsPrivate(event.target.checked)}
            />
            <span>
              <span className="font-medium">Private</span>
              <span className="block text-muted-foreground">Only people who are invited can join.</span>
            </span>
          </label>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button busy={working} type="submit" disabled={!actions || !name.trim()}>
              Create group
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
