/// <reference lib="webworker" />
// FlowChat's service worker (built by vite-plugin-pwa, injectManifest): precaches the app
// shell so FlowChat opens with no network, waits with updates until the page says "Reload",
// and shows web pushes (FCM delivers them as standard Web Push), a click opening the message.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { pushNotice } from "./push-notice";

declare const self: ServiceWorkerGlobalScope;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Every route is the single-page app: served from the precached index.html.
registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html")));

// The page's "Reload" (workbox-window's messageSkipWaiting) activates a waiting update.
self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});
// The first install takes the open pages at once (an update waits for the prompt instead).
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let payload: unknown;
  try {
    payload = event.data?.json();
  } catch {
    payload = event.data ? { body: event.data.text() } : null;
  }
  const notice = pushNotice(payload ?? {});
  if (!notice) return;
  // NotificationOptions in TypeScript's lib lacks `renotify`; Chromium honours it (a new
  // message in the room alerts again although it replaces the room's notification).
  const options: NotificationOptions & { renotify: boolean } = {
    body: notice.body,
    tag: notice.tag,
    renotify: true,
    icon: "/icons/icon-192.png",
    badge: "/icons/maskable-192.png",
    data: { link: notice.link },
  };
  event.waitUntil(self.registration.showNotification(notice.title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const link = (event.notification.data as { link?: string } | null)?.link ?? "/";
  const url = new URL(link, self.location.origin).href;
  event.waitUntil(
    (async () => {
      // Pages this worker controls can be told to open the link inside the app (no reload).
      const controlled = await self.clients.matchAll({ type: "window" });
      const open = controlled.find((client) => new URL(client.url).origin === self.location.origin);
      if (!open) {
        await self.clients.openWindow(url);
        return;
      }
      // focus() needs the click's user activation; without it (a click not made by a person)
      // the page still opens the message.
      const focused = await open.focus().catch(() => open);
      focused.postMessage({ type: "flowchat:open", link });
    })(),
  );
});
