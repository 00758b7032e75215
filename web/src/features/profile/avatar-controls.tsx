// "Change picture" (opens the crop dialog) and "Remove picture" for the signed-in person.
import { ImageIcon, Loader2Icon, Trash2Icon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { useSession, useSessionStore } from "@/features/auth/session-context";
import { ApiError } from "@/lib/api";
import { AvatarCropDialog } from "./avatar-crop-dialog";

export function AvatarControls() {
  const store = useSessionStore();
  const { user } = useSession();
  const [cropping, setCropping] = useState(false);
  const [removing, setRemoving] = useState(false);
  if (!user) return null;

  async function remove() {
    setRemoving(true);
    try {
      const updated = await store.authorized((token) => store.api.updateProfile(token, { avatarUrl: null }));
      store.setUser(updated);
      toast.success("Profile picture removed");
    } catch (error) {
      toast.error(
        error instanceof ApiError
          ? `Couldn't remove your picture: ${error.message}`
          : "Couldn't remove your picture. Please try again.",
      );
    } finally {
      setRemoving(false);
    }
  }

  return (
    <div className="flex flex-wrap gap-2">
      <Button type="button" variant="outline" size="sm" onClick={() => setCropping(true)}>
        <ImageIcon aria-hidden /> {user.avatarUrl ? "Change picture" : "Add picture"}
      </Button>
      {user.avatarUrl ? (
        <Button type="button" variant="ghost" size="sm" disabled={removing} onClick={() => void remove()}>
          {removing ? <Loader2Icon className="animate-spin" aria-hidden /> : <Trash2Icon aria-hidden />} Remove picture
        </Button>
      ) : null}
      <AvatarCropDialog open={cropping} onOpenChange={setCropping} />
    </div>
  );
}
