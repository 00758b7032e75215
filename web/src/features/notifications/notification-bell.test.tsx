import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DropdownMenu, DropdownMenuContent, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import type { Subscriber } from "@/features/chat/data-source";
import { alice } from "@/test/fake-api";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { renderWithSession } from "@/test/render";
import { DesktopNotificationsMenuItem } from "./desktop-notifications-menu-item";
import { NotificationBell } from "./notification-bell";
import type { AppNotification, NotificationsPage } from "./types";

/** The in-memory chat source plus notifications, as FirestoreChatSource has them. */
class NotifyingSource extends InMemoryChatSource {
  notifications: AppNotification[] = [];
  private watchers = new Set<{ limit: number; subscriber: Subscriber<NotificationsPage> }>();

  watchNotifications(limit: number, subscriber: Subscriber<NotificationsPage>) {
    const watcher = { limit, subscriber };
    this.watchers.add(watcher);
    this.emit(watcher);
    return () => void this.watchers.delete(watcher);
  }

  markNotificationsRead = vi.fn(async (ids: string[]) => {
    this.notifications = this.notifications.map((item) => (ids.includes(item.id) ? { ...item, read: true } : item));
    this.publish();
  });

  markAllNotificationsRead = vi.fn(async () => {
    this.notifications = this.notifications.map((item) => ({ ...item, read: true }));
    this.publish();
  });

  add(notification: AppNotification) {
    this.notifications = [notification, ...this.notifications];
    this.publish();
  }

  private emit({ limit, subscriber }: { limit: number; subscriber: Subscriber<NotificationsPage> }) {
    const unread = this.notifications.filter((item) => !item.read);
    subscriber.next({ items: unread.slice(0, limit), hasMore: unread.length > limit, fromCache: false });
  }

  publish() {
    for (const watcher of this.watchers) this.emit(watcher);
  }
}

function notification(id: string, overrides: Partial<AppNotification> = {}): AppNotification {
  return {
    id,
    type: "mention",
    roomId: "room-1",
    roomName: "Design team",
    messageId: id.slice(id.indexOf("_") + 1),
    senderId: "u_dee",
    senderName: "Dee Nguyen",
    preview: "can you review the mockups?",
    createdAt: new Date(Date.now() - 5 * 60_000),
    read: false,
    ...overrides,
  };
}

// Anything else renders the location (renderWithSession's catch-all).
const routes = <Route path="/" element={<NotificationBell />} />;

describe("NotificationBell", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
  });

  it("shows the unread count and lists notifications newest first, with sender, room, preview and time", async () => {
    const source = new NotifyingSource(alice);
    source.notifications = [
      notification("room-1_m2", { preview: "the newest one", createdAt: new Date(Date.now() - 60_000 * 2) }),
      notification("room-2_m1", {
        type: "direct",
        roomId: "room-2",
        roomName: "Dee Nguyen",
        preview: "hi there",
        createdAt: new Date(Date.now() - 3 * 3_600_000),
      }),
    ];
    const user = userEvent.setup();
    await renderWithSession(routes, { signedIn: true, chatSource: source });

    const bell = screen.getByRole("button", { name: "Notifications, 2 unread" });
    expect(within(bell).getByTestId("notification-count")).toHaveTextContent("2");
    await user.click(bell);
    const items = await screen.findAllByTestId("notification");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent("Dee Nguyen mentioned you in Design team");
    expect(items[0]).toHaveTextContent("the newest one");
    expect(items[0]).toHaveTextContent("2 min ago");
    expect(items[1]).toHaveTextContent("Dee Nguyen sent you a message");
    expect(items[1]).toHaveTextContent("hi there");
    expect(items[1]).toHaveTextContent("3 h ago");
  });

  it("opens the room of a notification and marks it read", async () => {
    const source = new NotifyingSource(alice);
    source.notifications = [notification("room-1_m1")];
    const user = userEvent.setup();
    await renderWithSession(routes, { signedIn: true, chatSource: source });

    await user.click(screen.getByRole("button", { name: "Notifications, 1 unread" }));
    await user.click(await screen.findByRole("menuitem", { name: /Dee Nguyen mentioned you in Design team/ }));
    expect(source.markNotificationsRead).toHaveBeenCalledWith(["room-1_m1"]);
    expect(await screen.findByTestId("location")).toHaveTextContent("/r/room-1/m/m1");
    expect(source.notifications[0]!.read).toBe(true);
  });

  it("marks all read, then shows the empty state", async () => {
    const source = new NotifyingSource(alice);
    source.notifications = [notification("room-1_m1"), notification("room-1_m2")];
    const user = userEvent.setup();
    await renderWithSession(routes, { signedIn: true, chatSource: source });

    await user.click(screen.getByRole("button", { name: "Notifications, 2 unread" }));
    await user.click(await screen.findByRole("menuitem", { name: "Mark all read" }));
    expect(source.markAllNotificationsRead).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole("button", { name: "Notifications" }));
    expect(await screen.findByText("You're all caught up.")).toBeInTheDocument();
    expect(screen.queryByRole("menuitem", { name: "Mark all read" })).not.toBeInTheDocument();
  });

  it("says N+ when there are more than it lists", async () => {
    const source = new NotifyingSource(alice);
    source.notifications = Array.from({ length: 25 }, (_, index) => notification(`room-1_m${index}`));
    await renderWithSession(routes, { signedIn: true, chatSource: source });
    expect(screen.getByRole("button", { name: "Notifications, 20+ unread" })).toBeInTheDocument();
  });

  it("is not shown without a source that has notifications", async () => {
    await renderWithSession(routes, { signedIn: true, chatSource: new InMemoryChatSource(alice) });
    expect(screen.queryByRole("button", { name: /Notifications/ })).not.toBeInTheDocument();
  });

  it("shows a desktop notification for one that arrives while the tab is hidden, and not for those already there", async () => {
    const shown: {
      title: string;
      options?: NotificationOptions;
      instance: { onclick: ((event: Event) => void) | null; close: () => void };
    }[] = [];
    class FakeNotification {
      static permission: NotificationPermission = "granted";
      static requestPermission = vi.fn(async () => "granted" as NotificationPermission);
      onclick: ((event: Event) => void) | null = null;
      close = vi.fn();
      constructor(title: string, options?: NotificationOptions) {
        shown.push({ title, options, instance: this });
      }
    }
    vi.stubGlobal("Notification", FakeNotification);
    const focus = vi.spyOn(window, "focus").mockImplementation(() => {});
    localStorage.setItem("flowchat.desktopNotifications", "on");
    const source = new NotifyingSource(alice);
    source.notifications = [notification("room-1_m1", { createdAt: new Date(Date.now() - 60_000) })];
    await renderWithSession(routes, { signedIn: true, chatSource: source });
    expect(shown).toHaveLength(0);

    // Visible: nothing.
    act(() => source.add(notification("room-1_m2", { createdAt: new Date(Date.now() - 30_000) })));
    expect(shown).toHaveLength(0);

    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    act(() =>
      source.add(
        notification("room-2_m3", {
          type: "direct",
          roomId: "room-2",
          roomName: "Dee Nguyen",
          preview: "are you there?",
          createdAt: new Date(),
        }),
      ),
    );
    expect(shown).toHaveLength(1);
    expect(shown[0]!.title).toBe("Dee Nguyen");
    expect(shown[0]!.options).toMatchObject({ body: "are you there?", tag: "room-2_m3" });
    // In the person's quiet hours: listed, not shown.
    act(() =>
      source.add(notification("room-2_m4", { type: "direct", roomId: "room-2", quiet: true, createdAt: new Date() })),
    );
    expect(shown).toHaveLength(1);

    act(() => shown[0]!.instance.onclick?.(new Event("click")));
    expect(focus).toHaveBeenCalled();
    expect(source.markNotificationsRead).toHaveBeenCalledWith(["room-2_m3"]);
    expect(shown[0]!.instance.close).toHaveBeenCalled();
    expect(await screen.findByTestId("location")).toHaveTextContent("/r/room-2/m/m3");
  });

  it("shows no desktop notification when permission is denied or the person did not choose them", async () => {
    const shown: string[] = [];
    class FakeNotification {
      static permission: NotificationPermission = "denied";
      static requestPermission = vi.fn(async () => "denied" as NotificationPermission);
      constructor(title: string) {
        shown.push(title);
      }
    }
    vi.stubGlobal("Notification", FakeNotification);
    localStorage.setItem("flowchat.desktopNotifications", "on");
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    const source = new NotifyingSource(alice);
    await renderWithSession(routes, { signedIn: true, chatSource: source });
    act(() => source.add(notification("room-1_m1", { createdAt: new Date() })));
    FakeNotification.permission = "granted";
    localStorage.setItem("flowchat.desktopNotifications", "off");
    act(() => source.add(notification("room-1_m2", { createdAt: new Date() })));
    expect(shown).toEqual([]);
  });
});

function MenuWithItem() {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger>Account</DropdownMenuTrigger>
      <DropdownMenuContent>
        <DesktopNotificationsMenuItem />
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

describe("DesktopNotificationsMenuItem", () => {
  afterEach(() => vi.unstubAllGlobals());
  const menuRoutes = <Route path="/" element={<MenuWithItem />} />;

  it("asks for permission from the click and remembers the choice", async () => {
    const requestPermission = vi.fn(async () => "granted" as NotificationPermission);
    const Fake = Object.assign(function Notification() {}, {
      permission: "default" as NotificationPermission,
      requestPermission,
    });
    vi.stubGlobal("Notification", Fake);
    const user = userEvent.setup();
    await renderWithSession(menuRoutes, { signedIn: true });
    await user.click(screen.getByRole("button", { name: "Account" }));
    await user.click(await screen.findByRole("menuitem", { name: "Enable desktop notifications" }));
    expect(requestPermission).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(localStorage.getItem("flowchat.desktopNotifications")).toBe("on"));

    Fake.permission = "granted";
    await user.click(screen.getByRole("button", { name: "Account" }));
    await user.click(await screen.findByRole("menuitem", { name: "Turn off desktop notifications" }));
    expect(localStorage.getItem("flowchat.desktopNotifications")).toBe("off");
  });

  it("is disabled when the browser blocks notifications, and absent where they are unsupported", async () => {
    vi.stubGlobal(
      "Notification",
      Object.assign(function Notification() {}, { permission: "denied", requestPermission: vi.fn() }),
    );
    const user = userEvent.setup();
    const first = await renderWithSession(menuRoutes, { signedIn: true });
    await user.click(screen.getByRole("button", { name: "Account" }));
    expect(await screen.findByRole("menuitem", { name: "Desktop notifications blocked" })).toHaveAttribute(
      "aria-disabled",
      "true",
    );
    first.unmount();

    vi.stubGlobal("Notification", undefined);
    await renderWithSession(menuRoutes, { signedIn: true });
    await user.click(screen.getByRole("button", { name: "Account" }));
    await screen.findByRole("menu");
    expect(screen.queryByRole("menuitem", { name: /desktop notifications/i })).not.toBeInTheDocument();
  });
});
