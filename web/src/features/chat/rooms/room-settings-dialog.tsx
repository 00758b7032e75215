import { ArchiveIcon, CopyIcon, Loader2Icon, LogOutIcon, ShieldBanIcon, UserPlusIcon } from "lucide-react";
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Separator } from "@/components/ui/separator";
import { Textarea } from "@/components/ui/textarea";
import { FormAlert } from "@/features/auth/form-alert";
import { UserAvatar } from "@/features/people/user-avatar";
import { useChatData } from "../chat-data-context";
import type { RoomSummary } from "../types";
import { ROOM_NAME_MAX, ROOM_TOPIC_MAX } from "./new-group-dialog";
import { PersonPicker } from "@/features/search/person-picker";
import {
  describeError,
  useRoomActions,
  type MemberRole,
  type MyRoom,
  type NotifySetting,
  type PendingInvite,
  type RoomMember,
} from "./room-actions";

const ROLE_LABEL: Record<MemberRole, string> = { owner: "Owner", admin: "Admin", member: "Member" };
const NOTIFY_LABEL: Record<NotifySetting, string> = { all: "All messages", mentions: "Mentions only", none: "Nothing" };

/** Who may do what, as the functions decide it (docs/architecture.md); the server checks again. */
export function roomPermissions(room: Pick<MyRoom, "kind" | "isPrivate" | "role">) {
  const manager = room.role === "owner" || room.role === "admin";
  const group = room.kind === "group";
  return {
    edit: group && manager,
    invite: group && (manager || !room.isPrivate),
    setRoles: group && room.role === "owner",
    archive: group && room.role === "owner",
    remove: (target: MemberRole) =>
      group && (room.role === "owner" ? target !== "owner" : room.role === "admin" && target === "member"),
  };
}

interface RoomSettingsDialogProps {
  room: RoomSummary;
  currentUserId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

export function RoomSettingsDialog({ room, currentUserId, open, onOpenChange }: RoomSettingsDialogProps) {
  const actions = useRoomActions();
  const navigate = useNavigate();
  const [details, setDetails] = useState<MyRoom | null>(null);
  const [members, setMembers] = useState<RoomMember[] | null>(null);
  const [pendingInvites, setPendingInvites] = useState<PendingInvite[]>([]);
  const [blocked, setBlocked] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState("");
  const [topic, setTopic] = useState("");
  const [isPrivate, setIsPrivate] = useState(true);
  const [invitee, setInvitee] = useState("");
  const [confirming, setConfirming] = useState<"leave" | "archive" | null>(null);
  const id = useId();

  const load = useCallback(async () => {
    if (!actions) return;
    try {
      const [listing, people, invited] = await Promise.all([
        actions.listMyRooms(),
        actions.listMembers(room.id),
        room.kind === "group" && actions.listPendingInvites ? actions.listPendingInvites(room.id) : [],
      ]);
      const mine = listing.rooms.find((candidate) => candidate.id === room.id) ?? null;
      setDetails(mine);
      setMembers(people);
      setPendingInvites(invited);
      setBlocked(listing.blocked);
      if (mine) {
        setName(mine.name);
        setTopic(mine.topic);
        setIsPrivate(mine.isPrivate);
      }
    } catch (caught) {
      setError(describeError(caught, "Couldn't load the room's settings."));
    }
  }, [actions, room.id, room.kind]);

  useEffect(() => {
    if (!open) return;
    setError(null);
    setConfirming(null);
    setInvitee("");
    void load();
  }, [open, load]);

  async function run(what: () => Promise<unknown>, success?: string) {
    setBusy(true);
    setError(null);
    try {
      await what();
      if (success) toast.success(success);
      await load();
    } catch (caught) {
      setError(describeError(caught, "That didn't work. Try again."));
    } finally {
      setBusy(false);
    }
  }

  if (!actions) return null;
  const can = details ? roomPermissions(details) : null;
  const peer = room.kind === "direct" ? members?.find((member) => member.userId !== currentUserId) : undefined;

  function saveDetails(event: FormEvent) {
    event.preventDefault();
    if (!details || !actions) return;
    const changes: { name?: string; topic?: string; isPrivate?: boolean } = {};
    if (name.trim() !== details.name) changes.name = name.trim();
    if (topic.trim() !== details.topic) changes.topic = topic.trim();
    if (isPrivate !== details.isPrivate) changes.isPrivate = isPrivate;
    if (Object.keys(changes).length === 0) return;
    void run(() => actions.updateRoom(room.id, changes), "Room updated.");
  }

  function inviteSomeone(event: FormEvent) {
    event.preventDefault();
    invite(invitee.trim().replace(/^@/, ""));
  }

  function invite(username: string) {
    if (!username || !actions) return;
    void run(async () => {
      await actions.invite(room.id, username);
      setInvitee("");
    }, `Invited @${username}.`);
  }

  async function leave() {
    if (!actions) return;
    setBusy(true);
    try {
      await actions.leaveRoom(room.id);
      onOpenChange(false);
      navigate("/");
      toast(`You left ${room.name}.`);
    } catch (caught) {
      setError(describeError(caught, "Couldn't leave the room."));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90dvh] overflow-y-auto sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>
            {room.kind === "direct" ? `Conversation with ${room.name}` : `${room.name} settings`}
          </DialogTitle>
          <DialogDescription>
            {room.kind === "direct" ? "Notifications and blocking." : "Name, topic, members and notifications."}
          </DialogDescription>
        </DialogHeader>
        <FormAlert message={error} />
        {!details || !members ? (
          <div className="flex justify-center p-6" role="status" aria-label="Loading settings">
            <Loader2Icon className="size-5 animate-spin text-muted-foreground" aria-hidden />
          </div>
        ) : (
          <div className="grid gap-5">
            {can?.edit ? (
              <form className="grid gap-3" onSubmit={saveDetails}>
                <div className="grid gap-2">
                  <Label htmlFor={`${id}-name`}>Name</Label>
                  <Input
                    id={`${id}-name`}
                    value={name}
                    maxLength={ROOM_NAME_MAX}
                    onChange={(event) => setName(event.target.value)}
                    required
                  />
                </div>
                <div className="grid gap-2">
                  <Label htmlFor={`${id}-topic`}>Topic</Label>
                  <Textarea
                    id={`${id}-topic`}
                    value={topic}
                    rows={2}
                    maxLength={ROOM_TOPIC_MAX}
                    onChange={(event) => setTopic(event.target.value)}
                  />
                </div>
                <label className="flex items-start gap-3 text-sm">
                  <input
                    type="checkbox"
                    className="mt-0.5 size-4 accent-primary"
                    checked={isPrivate}
                    onChange={(event) => setIsPrivate(event.target.checked)}
                  />
                  <span>
                    <span className="font-medium">Private</span>
                    <span className="block text-muted-foreground">
                      Only people who are invited can join. Otherwise anyone with the link can.
                    </span>
                  </span>
                </label>
                <Button type="submit" size="sm" className="justify-self-end" disabled={busy || !name.trim()}>
                  Save changes
                </Button>
              </form>
            ) : details.topic ? (
              <p className="text-sm text-muted-foreground">{details.topic}</p>
            ) : null}

            {room.kind === "group" && !details.isPrivate && !details.archived ? <InviteLink roomId={room.id} /> : null}

            <ReceiptsSetting />

            <div className="grid gap-2">
              <Label htmlFor={`${id}-notify`}>Notify me about</Label>
              <select
                id={`${id}-notify`}
                value={details.notify}
                disabled={busy}
                onChange={(event) => void run(() => actions.muteRoom(room.id, event.target.value as NotifySetting))}
                className="h-9 rounded-md border border-input bg-background px-2 text-sm outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                {(Object.keys(NOTIFY_LABEL) as NotifySetting[]).map((setting) => (
                  <option key={setting} value={setting}>
                    {NOTIFY_LABEL[setting]}
                  </option>
                ))}
              </select>
            </div>

            {room.kind === "group" ? (
              <section aria-labelledby={`${id}-members`} className="grid gap-2">
                <Separator />
                <h3 id={`${id}-members`} className="text-sm font-semibold">
                  Members ({members.length})
                </h3>
                {can?.invite ? (
                  <form className="flex items-start gap-2" onSubmit={inviteSomeone}>
                    <div className="min-w-0 flex-1">
                      <PersonPicker
                        label="Invite by name or username"
                        hideLabel
                        placeholder="Invite by name or username"
                        value={invitee}
                        onValueChange={setInvitee}
                        onPick={(person) => {
                          setInvitee(person.username);
                          invite(person.username);
                        }}
                      />
                    </div>
                    <Button type="submit" variant="outline" disabled={busy || !invitee.trim()}>
                      <UserPlusIcon aria-hidden />
                      Invite
                    </Button>
                  </form>
                ) : null}
                <ul className="grid gap-1">
                  {members.map((member) => (
                    <li key={member.userId} className="flex items-center gap-3 rounded-md py-1">
                      <UserAvatar
                        name={member.displayName}
                        seed={member.userId}
                        avatarUrl={member.avatarUrl}
                        className="size-8"
                      />
                      <span className="min-w-0 flex-1">
                        <span className="block truncate text-sm font-medium">
                          {member.displayName}
                          {member.userId === currentUserId ? " (you)" : ""}
                        </span>
                        <span className="block truncate text-xs text-muted-foreground">@{member.username}</span>
                      </span>
                      {can?.setRoles && member.userId !== currentUserId ? (
                        <select
                          aria-label={`Role of ${member.displayName}`}
                          value={member.role}
                          disabled={busy}
                          onChange={(event) => {
                            const role = event.target.value as MemberRole;
                            // Show the choice at once; the reload after the call confirms it.
                            setMembers(
                              (current) =>
                                current?.map((item) => (item.userId === member.userId ? { ...item, role } : item)) ??
                                null,
                            );
                            void run(
                              () => actions.setRole(room.id, member.userId, role),
                              `${member.displayName} is now ${ROLE_LABEL[role].toLowerCase()}.`,
                            );
                          }}
                          className="h-8 rounded-md border border-input bg-background px-1.5 text-xs"
                        >
                          {(Object.keys(ROLE_LABEL) as MemberRole[]).map((role) => (
                            <option key={role} value={role}>
                              {ROLE_LABEL[role]}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <span className="text-xs text-muted-foreground">{ROLE_LABEL[member.role]}</span>
                      )}
                      {can?.remove(member.role) && member.userId !== currentUserId ? (
                        <Button
                          size="sm"
                          variant="ghost"
                          disabled={busy}
                          aria-label={`Remove ${member.displayName}`}
                          onClick={() =>
                            void run(
                              () => actions.removeMember(room.id, member.userId),
                              `Removed ${member.displayName}.`,
                            )
                          }
                        >
                          Remove
                        </Button>
                      ) : null}
                    </li>
                  ))}
                </ul>
                {pendingInvites.length > 0 ? (
                  <>
                    <h4 id={`${id}-pending`} className="pt-1 text-xs font-semibold text-muted-foreground">
                      Invited, not yet joined ({pendingInvites.length})
                    </h4>
                    <ul aria-labelledby={`${id}-pending`} className="grid gap-1">
                      {pendingInvites.map((invite) => (
                        <li key={invite.inviteId} className="flex items-center gap-3 rounded-md py-1 opacity-80">
                          <UserAvatar
                            name={invite.displayName}
                            seed={invite.userId}
                            avatarUrl={invite.avatarUrl}
                            className="size-8"
                          />
                          <span className="min-w-0 flex-1">
                            <span className="block truncate text-sm font-medium">{invite.displayName}</span>
                            <span className="block truncate text-xs text-muted-foreground">@{invite.username}</span>
                          </span>
                          <span className="text-xs text-muted-foreground">Invite pending</span>
                        </li>
                      ))}
                    </ul>
                  </>
                ) : null}
              </section>
            ) : null}

            <Separator />
            <div className="flex flex-wrap justify-end gap-2">
              {peer && blocked.includes(peer.userId) ? (
                <Button
                  variant="outline"
                  disabled={busy}
                  onClick={() => void run(() => actions.unblockUser(peer.userId), `Unblocked ${peer.displayName}.`)}
                >
                  Unblock {peer.displayName}
                </Button>
              ) : peer ? (
                <Button
                  variant="outline"
                  disabled={busy}
                  onClick={() =>
                    void run(
                      () => actions.blockUser(peer.userId),
                      `Blocked ${peer.displayName}. Neither of you can post here now.`,
                    )
                  }
                >
                  <ShieldBanIcon aria-hidden />
                  Block {peer.displayName}
                </Button>
              ) : null}
              {confirming === "leave" ? (
                <>
                  <span className="self-center text-sm">Leave {room.name}?</span>
                  <Button variant="outline" onClick={() => setConfirming(null)}>
                    Stay
                  </Button>
                  <Button variant="destructive" disabled={busy} onClick={() => void leave()}>
                    Leave
                  </Button>
                </>
              ) : confirming === "archive" ? (
                <>
                  <span className="self-center text-sm">Archive {room.name}? Nobody can post in it afterwards.</span>
                  <Button variant="outline" onClick={() => setConfirming(null)}>
                    Cancel
                  </Button>
                  <Button
                    variant="destructive"
                    disabled={busy}
                    onClick={() => {
                      setConfirming(null);
                      void run(() => actions.archiveRoom(room.id), `${room.name} is archived.`);
                    }}
                  >
                    Archive
                  </Button>
                </>
              ) : (
                <>
                  {can?.archive && !details.archived ? (
                    <Button variant="outline" onClick={() => setConfirming("archive")}>
                      <ArchiveIcon aria-hidden />
                      Archive room
                    </Button>
                  ) : null}
                  <Button variant="outline" className="text-destructive" onClick={() => setConfirming("leave")}>
                    <LogOutIcon aria-hidden />
                    Leave {room.kind === "direct" ? "conversation" : "room"}
                  </Button>
                </>
              )}
            </div>
          </div>
        )}
      </DialogContent>
    </Dialog>
  );
}

function InviteLink({ roomId }: { roomId: string }) {
  const id = useId();
  const link = `${window.location.origin}/join/${roomId}`;
  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      toast.success("Link copied.");
    } catch {
      toast.error("Couldn't copy. Select the link and copy it yourself.");
    }
  }
  return (
    <div className="grid gap-2">
      <Label htmlFor={`${id}-link`}>Invite link</Label>
      <div className="flex gap-2">
        <Input id={`${id}-link`} readOnly value={link} onFocus={(event) => event.currentTarget.select()} />
        <Button type="button" variant="outline" onClick={() => void copy()}>
          <CopyIcon aria-hidden />
          Copy
        </Button>
      </div>
      <p className="text-xs text-muted-foreground">Anyone on FlowChat with this link can join.</p>
    </div>
  );
}

/** Read receipts are per person (on this device), not per room; offered here too for reach. */
function ReceiptsSetting() {
  const source = useChatData();
  const [share, setShare] = useState(() => source?.getShareReceipts?.() ?? true);
  if (!source?.setShareReceipts) return null;
  const setShareReceipts = source.setShareReceipts.bind(source);
  return (
    <label className="flex items-start gap-3 text-sm">
      <input
        type="checkbox"
        className="mt-0.5 size-4 accent-primary"
        checked={share}
        onChange={(event) => {
          const next = event.target.checked;
          setShare(next);
          setShareReceipts(next).catch(() => {
            setShare(!next);
            toast.error("Couldn't change read receipts. Try again.");
          });
        }}
      />
      <span>
        <span className="font-medium">Share read receipts</span>
        <span className="block text-muted-foreground">
          Others see "Seen" when you have read their messages. Applies to all your conversations.
        </span>
      </span>
    </label>
  );
}
