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
import { useSession, useSessionStore } from "@/features/auth/session-context";
import { UserAvatar } from "@/features/people/user-avatar";
import { ApiError } from "@/lib/api";
import { AvatarControls } from "./avatar-controls";

export const BIO_MAX_LENGTH = 280;

interface ProfileDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

export function ProfileDialog({ open, onOpenChange }: ProfileDialogProps) {
  const store = useSessionStore();
  const { user } = useSession();
  const [displayName, setDisplayName] = useState("");
  const [bio, setBio] = useState("");
  const [fieldErrors, setFieldErrors] = useState<{ displayName?: string; bio?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const bioId = useId();

  // Start from the saved profile every time the dialog opens (or the saved profile changes).
  const [formFor, setFormFor] = useState<{ open: boolean; user: typeof user } | null>(null);
  if (formFor === null || formFor.open !== open || formFor.user !== user) {
    setFormFor({ open, user });
    if (open && user) {
      setDisplayName(user.displayName);
      setBio(user.bio);
      setFieldErrors({});
      setFormError(null);
    }
  }

  if (!user) return null;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setFieldErrors({});
    setFormError(null);
    try {
      const updated = await store.authorized((token) =>
        store.api.updateProfile(token, { displayName: displayName.trim(), bio: bio.trim() }),
      );
      store.setUser(updated);
      toast.success("Profile saved");
      onOpenChange(false);
    } catch (error) {
      if (error instanceof ApiError && (error.field === "displayName" || error.field === "bio")) {
        setFieldErrors({ [error.field]: error.fieldMessage });
      } else {
        setFormError(error instanceof ApiError ? error.message : "Could not save your profile. Please try again.");
      }
    } finally {
      setSaving(false);
    }
  }

  const unchanged = displayName.trim() === user.displayName && bio.trim() === user.bio;

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Edit profile</DialogTitle>
          <DialogDescription>This is how other people see you in FlowChat.</DialogDescription>
        </DialogHeader>
        <div className="flex items-center gap-3">
          <UserAvatar
            name={displayName || user.displayName}
            seed={user.id}
            avatarUrl={user.avatarUrl}
            className="size-14 text-base"
          />
          <div className="grid min-w-0 gap-0.5 text-sm">
            <span className="truncate font-medium">@{user.username}</span>
            {user.email ? <span className="truncate text-muted-foreground">{user.email}</span> : null}
          </div>
        </div>
        <AvatarControls />
        <form className="grid gap-4" onSubmit={onSubmit} noValidate>
          <FormAlert message={formError} />
          <FormField
            label="Display name"
            name="displayName"
            autoComplete="name"
            required
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
            error={fieldErrors.displayName}
          />
          <div className="grid gap-2">
            <Label htmlFor={bioId}>Bio</Label>
            <Textarea
              id={bioId}
              name="bio"
              rows={3}
              maxLength={BIO_MAX_LENGTH}
              placeholder="A line or two about yourself"
              value={bio}
              onChange={(event) => setBio(event.target.value)}
              aria-invalid={fieldErrors.bio ? true : undefined}
              aria-describedby={`${bioId}-count${fieldErrors.bio ? ` ${bioId}-error` : ""}`}
            />
            <p id={`${bioId}-count`} className="text-right text-xs text-muted-foreground">
              {bio.length}/{BIO_MAX_LENGTH}
            </p>
            {fieldErrors.bio ? (
              <p id={`${bioId}-error`} className="text-sm text-destructive">
                {fieldErrors.bio}
              </p>
            ) : null}
          </div>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button busy={saving} type="submit" disabled={unchanged || !displayName.trim()}>
              Save
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
