import { BellIcon, CheckCheckIcon } from "lucide-react";
import { useCallback, useState } from "react";
import { useNavigate } from "react-router";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { useChatData } from "@/features/chat/chat-data-context";
import { messagePath, roomPath } from "@/lib/links";
import { UserAvatar } from "@/features/people/user-avatar";
import { showDesktopNotification } from "./desktop-notifications";
import { formatRelativeTime, unreadBadge } from "./notification-documents";
import type { AppNotification } from "./types";
import { useNotifications } from "./use-notifications";

/** The header's bell: unread count, the unread notifications, and "mark all read". */
export function NotificationBell() {
  const source = useChatData();
  const navigate = useNavigate();
  const [now, setNow] = useState(() => new Date());

  const openNotification = useCallback(
    (notification: AppNotification) => {
      // The conversation marks the rest of the room's notifications read as it is read.
      source
        ?.markNotificationsRead?.([notification.id])
        .catch((error: unknown) => console.warn("notification: mark read failed", error));
      navigate(
        notification.messageId
          ? messagePath(notification.roomId, notification.messageId)
          : roomPath(notification.roomId),
      );
    },
    [source, navigate],
  );
  const state = useNotifications((notification) => {
    showDesktopNotification(notification, openNotification);
  });

  if (state.status === "unavailable") return null;
  const page = state.status === "ready" ? state.page : null;
  const items = page?.items ?? [];
  const badge = page ? unreadBadge(page) : "";
  const label = badge ? `Notifications, ${badge} unread` : "Notifications";

  async function markAllRead() {
    try {
      await source?.markAllNotificationsRead?.();
    } catch {
      toast.error("Couldn't mark your notifications as read. Try again.");
    }
  }

  return (
    // Not modal: the rest of the page stays in the accessibility tree while the list is open.
    <DropdownMenu modal={false} onOpenChange={(open) => open && setNow(new Date())}>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label={label} className="relative" data-testid="notification-bell">
          <BellIcon aria-hidden />
          {badge ? (
            <span
              aria-hidden
              data-testid="notification-count"
              className="absolute -top-0.5 -right-0.5 grid h-4.5 min-w-4.5 place-items-center rounded-full bg-primary px-1 text-[0.65rem] leading-none font-semibold text-primary-foreground"
            >
              {badge}
            </span>
          ) : null}
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-[min(22rem,calc(100vw-1rem))] p-0" aria-label="Notifications">
        <DropdownMenuLabel className="px-3 py-2">Notifications</DropdownMenuLabel>
        <DropdownMenuSeparator className="my-0" />
        <div className="max-h-[min(26rem,70dvh)] overflow-y-auto p-1">
          {state.status === "loading" ? (
            <p className="px-2 py-6 text-center text-sm text-muted-foreground">Loading…</p>
          ) : null}
          {state.status === "error" ? (
            <p role="alert" className="px-2 py-6 text-center text-sm text-destructive">
              Couldn't load your notifications.
            </p>
          ) : null}
          {state.status === "ready" && items.length === 0 ? (
            <p className="px-2 py-6 text-center text-sm text-muted-foreground">You're all caught up.</p>
          ) : null}
          {items.map((notification) => (
            <DropdownMenuItem
              key={notification.id}
              data-testid="notification"
              className="items-start gap-3 px-2 py-2"
              onSelect={() => openNotification(notification)}
            >
              <UserAvatar name={notification.senderName} seed={notification.senderId} className="size-8" />
              <span className="grid min-w-0 flex-1 gap-0.5">
                <span className="text-sm">
                  <span className="font-medium">{notification.senderName}</span>{" "}
                  {notification.type === "direct" ? (
                    "sent you a message"
                  ) : (
                    <>
                      mentioned you in <span className="font-medium">{notification.roomName}</span>
                    </>
                  )}
                </span>
                {notification.preview ? (
                  <span className="truncate text-xs text-muted-foreground">{notification.preview}</span>
                ) : null}
                <time className="text-xs text-muted-foreground" dateTime={notification.createdAt?.toISOString()}>
                  {formatRelativeTime(notification.createdAt, now)}
                </time>
              </span>
            </DropdownMenuItem>
          ))}
          {page?.hasMore ? (
            <p className="px-2 py-1.5 text-center text-xs text-muted-foreground">Older notifications are not shown.</p>
          ) : null}
        </div>
        {items.length > 0 ? (
          <>
            <DropdownMenuSeparator className="my-0" />
            <div className="p-1">
              <DropdownMenuItem onSelect={() => void markAllRead()}>
                <CheckCheckIcon aria-hidden /> Mark all read
              </DropdownMenuItem>
            </div>
          </>
        ) : null}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
