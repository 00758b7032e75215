import { CloudOffIcon, SearchIcon, WifiOffIcon } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import { Link, Outlet, useMatch, useNavigate } from "react-router";
import { toast } from "sonner";
import { LoadProblem } from "@/components/load-problem";
import { useRetryRooms, useRooms } from "@/features/chat/chat-data-context";
import { draftStore, useDrafts } from "@/features/chat/drafts";
import { ConversationSidebarActions } from "@/features/chat/rooms/conversation-sidebar-actions";
import { usePresence } from "@/features/chat/use-presence";
import { useSession, useSessionStore } from "@/features/auth/session-context";
import { NotificationBell } from "@/features/notifications/notification-bell";
import { QuickSwitcher, useQuickSwitcherShortcut } from "@/features/search/quick-switcher";
import { Button } from "@/components/ui/button";
import { ProfileDialog } from "@/features/profile/profile-dialog";
import { ThemeToggle } from "@/features/theme/theme-toggle";
import { useTimedOut } from "@/lib/use-timed-out";
import { cn } from "@/lib/utils";
import { FlowChatLogo } from "./flowchat-logo";
import { ShortcutsDialog, useGlobalShortcuts } from "./keyboard-shortcuts";
import { RoomList, RoomListLoading } from "./room-list";
import { useOnline } from "./use-online";
import { useBackendReachable } from "@/lib/backend-connection";
import { UserMenu } from "./user-menu";
import { markLoad } from "@/lib/load-marks";
import { VerifyEmailBanner } from "@/features/account/verify-email-banner";

const NO_ROOMS: never[] = [];

/** Header, room sidebar and the routed main area. On phones, one of the two panes at a time. */
export function AppShell({ slowAfterMs }: { slowAfterMs?: number } = {}) {
  const store = useSessionStore();
  markLoad("shell-render");
  const { user, firebase } = useSession();
  const navigate = useNavigate();
  const [profileOpen, setProfileOpen] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const rooms = useRooms();
  const retryRooms = useRetryRooms();
  const [retries, setRetries] = useState(0);
  const roomsSlow = useTimedOut(rooms.status === "loading", slowAfterMs, retries);
  const openShortcuts = useCallback(() => setShortcutsOpen(true), []);
  const [switcherOpen, setSwitcherOpen] = useState(false);
  const openSwitcher = useCallback(() => setSwitcherOpen(true), []);
  useQuickSwitcherShortcut(openSwitcher);
  useGlobalShortcuts(rooms.status === "ready" ? rooms.rooms : NO_ROOMS, openShortcuts);
  const unread = rooms.status === "ready" ? rooms.rooms.reduce((sum, room) => sum + room.unreadCount, 0) : 0;
  useEffect(() => {
    document.title = unread > 0 ? `(${unread > 99 ? "99+" : unread}) FlowChat` : "FlowChat";
  }, [unread]);
  // Presence dots only for the direct rooms on screen: a listener each, whatever the room count.
  const [visiblePeers, setVisiblePeers] = useState<string[]>([]);
  const presence = usePresence(visiblePeers);
  // Only the room list is a "home" pane; any other page takes the whole phone screen.
  const atHome = useMatch("/") !== null;
  const draftOf = useDrafts(user?.id ?? "");
  const online = useOnline();
  const reachable = useBackendReachable();

  if (!user) return null;

  async function logOut() {
    // Unsent text is private; the next person at this browser must not find it.
    if (user) draftStore().clear(user.id);
    await store.logout();
    navigate("/login", { replace: true });
    toast("You have been logged out.");
  }

  return (
    <div className="flex h-dvh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 focus:not-sr-only focus:absolute focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <header className="flex h-14 shrink-0 items-center gap-2 border-b px-3 sm:px-4">
        <Link
          to="/"
          className="flex items-center gap-2 rounded-md font-semibold outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          <FlowChatLogo />
          <span>FlowChat</span>
        </Link>
        <div className="ml-auto flex items-center gap-1">
          <Button asChild variant="ghost" size="icon">
            <Link to="/search" aria-label="Search messages">
              <SearchIcon aria-hidden />
            </Link>
          </Button>
          <NotificationBell />
          <ThemeToggle />
          <UserMenu
            user={user}
            onEditProfile={() => setProfileOpen(true)}
            onShowShortcuts={openShortcuts}
            onLogOut={logOut}
          />
        </div>
      </header>
      {!online ? (
        <p
          role="status"
          className="flex items-center justify-center gap-2 border-b bg-muted px-4 py-1.5 text-xs text-muted-foreground"
        >
          <WifiOffIcon className="size-3.5" aria-hidden />
          You're offline. Messages you send now go out when the connection is back.
        </p>
      ) : !reachable ? (
        <p
          role="status"
          data-testid="connection-banner"
          className="flex items-center justify-center gap-2 border-b bg-muted px-4 py-1.5 text-xs text-muted-foreground"
        >
          <CloudOffIcon className="size-3.5" aria-hidden />
          Can't reach FlowChat right now. Messages you send go out when the connection is back.
        </p>
      ) : firebase === "unavailable" ? (
        <p
          role="status"
          className="flex items-center justify-center gap-2 border-b bg-muted px-4 py-1.5 text-xs text-muted-foreground"
        >
          <CloudOffIcon className="size-3.5" aria-hidden />
          Live updates are unavailable right now. FlowChat will reconnect on its own.
        </p>
      ) : null}
      <VerifyEmailBanner />
      <div className="flex min-h-0 flex-1">
        <nav
          aria-label="Conversations"
          className={cn(
            "w-full shrink-0 flex-col overflow-y-auto border-r bg-sidebar text-sidebar-foreground md:flex md:w-72 lg:w-80",
            atHome ? "flex" : "hidden",
          )}
        >
          <h2 className="px-4 pt-4 pb-1 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
            Conversations
          </h2>
          <ConversationSidebarActions />
          {rooms.status === "loading" && !roomsSlow ? <RoomListLoading /> : null}
          {roomsSlow || rooms.status === "error" ? (
            <LoadProblem
              title="Couldn't load your conversations"
              reason={rooms.status === "error" ? rooms.error.message : undefined}
              onRetry={() => {
                setRetries((count) => count + 1);
                retryRooms();
              }}
            />
          ) : null}
          {rooms.status === "ready" ? (
            <RoomList
              rooms={rooms.rooms}
              presence={presence}
              currentUserId={user.id}
              draftOf={draftOf}
              onVisiblePeersChange={setVisiblePeers}
            />
          ) : null}
        </nav>
        <main
          id="main"
          tabIndex={-1}
          className={cn("min-w-0 flex-1 overflow-y-auto outline-none md:block", atHome ? "hidden" : "block")}
        >
          <Outlet />
        </main>
      </div>
      <ProfileDialog open={profileOpen} onOpenChange={setProfileOpen} />
      <ShortcutsDialog open={shortcutsOpen} onOpenChange={setShortcutsOpen} />
      <QuickSwitcher open={switcherOpen} onOpenChange={setSwitcherOpen} />
    </div>
  );
}
