import { CheckIcon, Loader2Icon, MailIcon, MessageSquarePlusIcon, UsersIcon, XIcon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { NewConversationDialog } from "./new-conversation-dialog";
import { NewGroupDialog } from "./new-group-dialog";
import { describeError, useRoomActions, type RoomInvite } from "./room-actions";
import { useInvites } from "./use-invites";
import { useOpenRoom } from "./use-open-room";

/** Above the room list: start a conversation or a group, and answer pending invites. */
export function ConversationSidebarActions() {
  const actions = useRoomActions();
  const [dialog, setDialog] = useState<"direct" | "group" | null>(null);
  const { invites, remove } = useInvites();
  // Here rather than in the invite list, which unmounts once its last invite is answered.
  const { openRoom } = useOpenRoom();

  return (
    <div className="grid gap-2 px-2 pt-1">
      <div className="grid grid-cols-2 gap-2">
        <Button variant="outline" size="sm" disabled={!actions} onClick={() => setDialog("direct")}>
          <MessageSquarePlusIcon aria-hidden />
          New chat
        </Button>
        <Button variant="outline" size="sm" disabled={!actions} onClick={() => setDialog("group")}>
          <UsersIcon aria-hidden />
          New group
        </Button>
      </div>
      {invites.length > 0 ? <InviteList invites={invites} onAnswered={remove} onJoined={openRoom} /> : null}
      <NewConversationDialog open={dialog === "direct"} onOpenChange={(open) => setDialog(open ? "direct" : null)} />
      <NewGroupDialog open={dialog === "group"} onOpenChange={(open) => setDialog(open ? "group" : null)} />
    </div>
  );
}

interface InviteListProps {
  invites: RoomInvite[];
  onAnswered: (inviteId: string) => void;
  onJoined: (roomId: string) => void;
}

function InviteList({ invites, onAnswered, onJoined }: InviteListProps) {
  const actions = useRoomActions();
  const [busy, setBusy] = useState<string | null>(null);

  async function answer(invite: RoomInvite, accept: boolean) {
    if (!actions) return;
    setBusy(invite.id);
    try {
      if (accept) {
        const roomId = await actions.acceptInvite(invite.id);
        onAnswered(invite.id);
        onJoined(roomId);
      } else {
        await actions.declineInvite(invite.id);
        onAnswered(invite.id);
        toast(`Declined the invite to ${invite.roomName}.`);
      }
    } catch (error) {
      toast.error(describeError(error, "Couldn't answer the invite. Try again."));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="invites-heading" className="rounded-lg border bg-background/60 p-2">
      <h3
        id="invites-heading"
        className="flex items-center gap-1.5 px-1 pb-1 text-xs font-semibold text-muted-foreground"
      >
        <MailIcon className="size-3.5" aria-hidden />
        Invites ({invites.length})
      </h3>
      <ul className="grid gap-1">
        {invites.map((invite) => (
          <li key={invite.id} className="flex items-center gap-2 rounded-md px-1 py-1 text-sm">
            <span className="min-w-0 flex-1">
              <span className="block truncate font-medium">{invite.roomName}</span>
              <span className="block truncate text-xs text-muted-foreground">from {invite.inviterName}</span>
            </span>
            {busy === invite.id ? (
              <Loader2Icon className="size-4 animate-spin text-muted-foreground" aria-label="Answering" />
            ) : null}
            <Button
              size="icon"
              variant="ghost"
              className="size-8"
              aria-label={`Decline the invite to ${invite.roomName}`}
              disabled={busy !== null}
              onClick={() => void answer(invite, false)}
            >
              <XIcon aria-hidden />
            </Button>
            <Button
              size="icon"
              className="size-8"
              aria-label={`Accept the invite to ${invite.roomName}`}
              disabled={busy !== null}
              onClick={() => void answer(invite, true)}
            >
              <CheckIcon aria-hidden />
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
