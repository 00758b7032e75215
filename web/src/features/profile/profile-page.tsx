import { ArrowLeftIcon, CalendarIcon, PencilIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useSession, useSessionStore } from "@/features/auth/session-context";
import { UserAvatar } from "@/features/people/user-avatar";
import { ApiError, type User } from "@/lib/api";
import { useStateFor } from "@/lib/use-state-for";
import { ProfileDialog } from "./profile-dialog";
import { ProfilePresence } from "./profile-presence";

type ProfileState = { status: "loading" } | { status: "ready"; profile: User } | { status: "error"; message: string };

export function ProfilePage() {
  const { username = "" } = useParams();
  const store = useSessionStore();
  const { user: me } = useSession();
  const isMe = me?.username.toLowerCase() === username.toLowerCase();
  // Another profile reads as loading until its own arrives.
  const [loaded, setLoaded] = useStateFor<ProfileState>([username]);
  const [editing, setEditing] = useState(false);

  useEffect(() => {
    if (isMe) return;
    let cancelled = false;
    store
      .authorized((token) => store.api.getProfile(token, { username }))
      .then((profile) => !cancelled && setLoaded([username], { status: "ready", profile }))
      .catch((error: unknown) => {
        if (cancelled) return;
        const message =
          error instanceof ApiError && error.code === "NOT_FOUND"
            ? `No one on FlowChat goes by @${username}.`
            : "Couldn't load this profile. Please try again.";
        setLoaded([username], { status: "error", message });
      });
    return () => {
      cancelled = true;
    };
  }, [isMe, store, username, setLoaded]);

  const state: ProfileState = loaded ?? { status: "loading" };
  // Your own profile comes from the session, so edits show up immediately.
  const current: ProfileState = isMe && me ? { status: "ready", profile: me } : state;

  return (
    <section className="mx-auto grid w-full max-w-2xl gap-6 p-4 sm:p-8" aria-labelledby="profile-heading">
      <Button asChild variant="ghost" size="sm" className="w-fit md:hidden">
        <Link to="/">
          <ArrowLeftIcon aria-hidden /> Conversations
        </Link>
      </Button>
      {current.status === "loading" ? (
        <div className="flex items-center gap-4" aria-busy="true">
          <Skeleton className="size-20 rounded-full" />
          <div className="grid flex-1 gap-2">
            <Skeleton className="h-5 w-40" />
            <Skeleton className="h-4 w-24" />
          </div>
          <h1 id="profile-heading" className="sr-only">
            Loading profile
          </h1>
        </div>
      ) : null}
      {current.status === "error" ? (
        <div className="grid gap-2">
          <h1 id="profile-heading" className="text-lg font-semibold">
            Profile not available
          </h1>
          <p className="text-sm text-muted-foreground">{current.message}</p>
        </div>
      ) : null}
      {current.status === "ready" ? (
        <>
          <div className="flex flex-wrap items-center gap-4">
            <UserAvatar
              name={current.profile.displayName}
              seed={current.profile.id}
              avatarUrl={current.profile.avatarUrl}
              className="size-20 text-2xl"
            />
            <div className="grid min-w-0 flex-1 gap-1">
              <h1 id="profile-heading" className="truncate text-2xl font-semibold">
                {current.profile.displayName}
              </h1>
              <p className="text-sm text-muted-foreground">@{current.profile.username}</p>
              {isMe ? null : <ProfilePresence userId={current.profile.id} />}
            </div>
            {isMe ? (
              <Button variant="outline" onClick={() => setEditing(true)}>
                <PencilIcon aria-hidden /> Edit profile
              </Button>
            ) : null}
          </div>
          <div className="grid gap-3 rounded-xl border bg-card p-5">
            <h2 className="text-sm font-semibold text-muted-foreground">About</h2>
            <p className="text-sm whitespace-pre-wrap">
              {current.profile.bio || (isMe ? "You haven't written a bio yet." : "No bio yet.")}
            </p>
            <p className="flex items-center gap-2 text-xs text-muted-foreground">
              <CalendarIcon className="size-3.5" aria-hidden />
              Joined {formatJoined(current.profile.createdAt)}
            </p>
          </div>
          {isMe ? <ProfileDialog open={editing} onOpenChange={setEditing} /> : null}
        </>
      ) : null}
    </section>
  );
}

function formatJoined(createdAt: string): string {
  const date = new Date(createdAt);
  return Number.isNaN(date.getTime())
    ? "recently"
    : date.toLocaleDateString(undefined, { year: "numeric", month: "long" });
}
