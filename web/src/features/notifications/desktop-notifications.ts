// System notifications while the tab is hidden. The person turns them on from the account
// menu (a click, so the browser may ask for permission); the choice is kept per device.
import { notificationTitle } from "./notification-documents";
import type { AppNotification } from "./types";

const CHOICE_KEY = "flowchat.desktopNotifications";
/** Dispatched on window when the choice is made here (web push registers then). */
export const DESKTOP_NOTIFICATIONS_CHANGED = "flowchat:desktop-notifications";

export type DesktopPermission = "unsupported" | "default" | "granted" | "denied";

export function desktopPermission(): DesktopPermission {
  if (typeof window === "undefined" || typeof window.Notification !== "function") return "unsupported";
  return window.Notification.permission;
}

/** The person's remembered choice on this device. */
export function desktopNotificationsChosen(): boolean {
  try {
    return localStorage.getItem(CHOICE_KEY) === "on";
  } catch {
    return false;
  }
}

export function rememberDesktopNotifications(on: boolean): void {
  try {
    localStorage.setItem(CHOICE_KEY, on ? "on" : "off");
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
  window.dispatchEvent(new Event(DESKTOP_NOTIFICATIONS_CHANGED));
}

/** Whether a new notification would be shown now. */
export function desktopNotificationsActive(): boolean {
  return desktopPermission() === "granted" && desktopNotificationsChosen();
}

/** Asks for permission (call from a click) and remembers the outcome. */
export async function enableDesktopNotifications(): Promise<DesktopPermission> {
  if (desktopPermission() === "unsupported") return "unsupported";
  let permission: DesktopPermission = window.Notification.permission;
  if (permission === "default") permission = await window.Notification.requestPermission();
  rememberDesktopNotifications(permission === "granted");
  return permission;
}

/**
 * Shows `notification` as a system notification when the tab is hidden and the person chose
 * them, unless it came in their quiet hours; clicking it focuses the tab and calls `onOpen`.
 * Returns whether one was shown.
 */
export function showDesktopNotification(
  notification: AppNotification,
  onOpen: (notification: AppNotification) => void,
): boolean {
  if (notification.quiet || document.visibilityState !== "hidden" || !desktopNotificationsActive()) return false;
  try {
    const shown = new window.Notification(notificationTitle(notification), {
      body: notification.preview,
      tag: notification.id,
      icon: "/favicon.svg",
    });
    shown.onclick = (event) => {
      event.preventDefault();
      window.focus();
      onOpen(notification);
      shown.close();
    };
    return true;
  } catch {
    // Some browsers (Android Chrome) allow notifications only from a service worker.
    return false;
  }
}
