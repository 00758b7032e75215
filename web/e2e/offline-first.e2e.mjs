// The installable, offline-first client (issue 19), in Chromium against the real backend:
// - the manifest and the service worker (installable per Chromium's own check, controlling the page);
// - a room painted from the Firestore cache with the network gone: the browser context is
//   offline (Playwright setOffline), so the emulators AND the web server are unreachable and the
//   app shell itself comes from the service worker's precache;
// - a message sent offline survives a reload and goes out once on reconnection;
// - `focus/{uid}/{connection}` names the room while it is open and focused;
// - logging out deletes the Firestore cache and the last known state (also with a second tab open);
// - web push: FCM cannot be reached from here, so FCM is simulated: the push is delivered to the
//   service worker with the DevTools protocol (ServiceWorker.deliverPushMessage) in FCM's payload
//   format. The notification click is simulated too (a NotificationEvent dispatched in the
//   worker: no DevTools command clicks a notification), so focus() is refused for want of a
//   user gesture and the page is asked to open the permalink.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { baseUrl, launchBrowser, screenshot, sessionUserId, signUpPerson } from "./browser.mjs";

const databaseHost = process.env.E2E_DATABASE_EMULATOR_HOST;

describe("offline-first and installable", () => {
  let browser;
  const pageErrors = [];
  let ana;
  let ben;
  let roomId;

  const messages = (page) => page.getByRole("list", { name: "Messages" });
  const composer = (page) => page.getByRole("textbox", { name: /^Message / });
  const grantNotifications = (context) => context.grantPermissions(["notifications"], { origin: baseUrl });

  before(async () => {
    browser = await launchBrowser();
    ana = await signUpPerson(browser, "ana", "Ana Lima", { pageErrors });
    ben = await signUpPerson(browser, "ben", "Ben Okafor", { pageErrors, prepare: grantNotifications });

    const { page } = ana;
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New conversation" });
    await dialog.getByLabel("Name or username").fill(ben.account.username);
    await dialog.getByRole("button", { name: "Start conversation" }).click();
    await page.getByRole("heading", { level: 1, name: "Ben Okafor" }).waitFor();
    for (const text of ["Morning! Train is late", "Start without me", "Notes are in the doc"]) {
      await composer(page).fill(text);
      await composer(page).press("Enter");
    }
    await messages(page).getByText("Notes are in the doc").waitFor();
    roomId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1));

    await ben.page
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("link", { name: /^Ana Lima/ })
      .click();
    await messages(ben.page).getByText("Notes are in the doc").waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
    assert.deepEqual(pageErrors, []);
  });

  test("FlowChat is installable: manifest, icons, and a service worker controlling the page", async () => {
    const { page, context } = ben;
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    const cdp = await context.newCDPSession(page);
    const { url, data, errors } = await cdp.send("Page.getAppManifest");
    assert.equal(new URL(url).pathname, "/manifest.webmanifest");
    assert.deepEqual(errors, []);
    const manifest = JSON.parse(data);
    assert.equal(manifest.name, "FlowChat");
    assert.equal(manifest.display, "standalone");
    assert.equal(manifest.start_url, "/");
    assert.equal(manifest.theme_color, "#4f46e5");
    const icons = manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose}`).sort();
    assert.deepEqual(icons, ["192x192 any", "192x192 maskable", "512x512 any", "512x512 maskable"]);
    for (const icon of manifest.icons) {
      const response = await page.request.get(new URL(icon.src, baseUrl).href);
      assert.equal(response.headers()["content-type"], "image/png", icon.src);
    }
    // Chromium's own installability check (what decides whether it offers "Install").
    // Playwright's browser contexts are incognito, which Chromium never offers to install from;
    // any other reason would be the app's.
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(
      installabilityErrors.filter((error) => error.errorId !== "in-incognito"),
      [],
    );
    await cdp.detach();
  });

  test("a load paints the room from the last known state while Firebase Auth has not answered", async () => {
    const { page, context } = ben;
    await page.waitForFunction(
      (room) =>
        Object.keys(localStorage).some((key) => key.startsWith("flowchat.lastKnown.") && key.endsWith(`.room.${room}`)),
      roomId,
      { timeout: 10_000 },
    );
    const stalled = await context.newPage();
    stalled.on("pageerror", (error) => pageErrors.push(`ben (stalled auth): ${error.message}`));
    try {
      // Firebase Auth checks its restored sign-in with the server before Firestore may start;
      // that answer never comes here.
      const lookups = [];
      await stalled.route(/accounts:lookup/, (route) => lookups.push(route));
      await stalled.goto(`${baseUrl}/rooms/${encodeURIComponent(roomId)}`);
      await messages(stalled).getByText("Notes are in the doc").waitFor({ timeout: 10_000 });
      await messages(stalled).getByText("Morning! Train is late").waitFor();
      const marks = () => stalled.evaluate(() => performance.getEntriesByType("mark").map((mark) => mark.name));
      assert.ok((await marks()).includes("flowchat:first-messages-paint"));
      // Auth starts once the room has painted, and asks its server (which never answers).
      const deadline = Date.now() + 10_000;
      while (lookups.length === 0 && Date.now() < deadline) await stalled.waitForTimeout(100);
      assert.ok(lookups.length > 0, "Auth asked its server about the restored sign-in");
      assert.ok(!(await marks()).includes("flowchat:auth-ready"), "Firebase Auth is not ready");
      assert.ok(!(await marks()).includes("flowchat:messages-first-snapshot"), "no Firestore snapshot");
      await messages(stalled).getByText("Notes are in the doc").waitFor();
    } finally {
      // Still open, it would be the page the service worker tells to open a notification.
      await stalled.close();
    }
  });

  test("a load paints the room's last frame before the app renders, then the app replaces it", async () => {
    const { page, context } = ben;
    const uid = await sessionUserId(page);
    const path = `/rooms/${encodeURIComponent(roomId)}`;
    await page.waitForFunction(
      ([key, expected]) => JSON.parse(localStorage.getItem(key) ?? "null")?.path === expected,
      [`flowchat.lastKnown.${uid}.frame`, path],
      { timeout: 10_000 },
    );
    const again = await context.newPage();
    again.on("pageerror", (error) => pageErrors.push(`ben (last frame): ${error.message}`));
    try {
      await again.goto(`${baseUrl}${path}`);
      await messages(again).getByText("Notes are in the doc").waitFor({ timeout: 10_000 });
      const marks = await again.evaluate(() =>
        Object.fromEntries(
          performance
            .getEntriesByType("mark")
            .filter((mark) => mark.name.startsWith("flowchat:"))
            .map((mark) => [mark.name.slice("flowchat:".length), { at: mark.startTime, detail: mark.detail }]),
        ),
      );
      // The frame painted the messages before React rendered anything (the entry module may
      // run before the browser's first rendering opportunity; it then waits for the frame).
      assert.deepEqual(marks["first-messages-paint"]?.detail, { lastFrame: true });
      assert.ok(marks["first-messages-paint"].at < marks["shell-render"].at, JSON.stringify(marks));
      assert.ok(marks["app-messages-paint"].at >= marks["first-messages-paint"].at);
      // React painted the room itself, and the frame is gone: the text shows once in the
      // messages and once in the room list's preview, as on the page open all along (whose
      // screen-reader announcement of the message, if it still holds it, is not counted).
      await again.locator("#flowchat-last-frame").waitFor({ state: "detached", timeout: 5_000 });
      const text = "Notes are in the doc";
      // (The room list may still be on its way when the messages paint.)
      await again.getByRole("navigation", { name: "Conversations" }).getByText(text).waitFor({ timeout: 10_000 });
      const shown = async (where) => [
        await messages(where).getByText(text).count(),
        await where.getByRole("navigation", { name: "Conversations" }).getByText(text).count(),
      ];
      assert.deepEqual(await shown(page), [1, 1]);
      assert.deepEqual(await shown(again), [1, 1]);
      // Nothing else on the page says it twice (the frame's copy, say).
      const anywhere = await again.getByText(text).count();
      const announced = await again.locator(".sr-only").getByText(text).count();
      assert.equal(anywhere - announced, 2);
      await composer(again).fill("Typed into the live app");
      assert.equal(await composer(again).inputValue(), "Typed into the live app");
      await composer(again).fill("");
    } finally {
      await again.close();
    }
  });

  test("offline, a reload paints the room from the cache (app shell from the service worker)", async () => {
    const { page, context } = ben;
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    await context.setOffline(true);
    await page.reload();
    await messages(page).getByText("Notes are in the doc").waitFor({ timeout: 10_000 });
    await messages(page).getByText("Morning! Train is late").waitFor();
    // Served by the service worker: the web server itself is out of reach too.
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true);
    const reachable = await page.evaluate(() =>
      fetch(`/index.html?bypass=${Date.now()}`, { cache: "no-store" }).then(
        () => true,
        () => false,
      ),
    );
    assert.equal(reachable, false, "the network is really gone");
    await screenshot(page, "offline-first-room-from-cache");
  });

  test("a message sent offline survives a reload and goes out once on reconnection", async () => {
    const { page, context } = ben;
    // Still offline from the test before.
    await composer(page).fill("Queued through a reload");
    await composer(page).press("Enter");
    const queued = messages(page).getByTestId("message").filter({ hasText: "Queued through a reload" });
    await queued.getByText("Sending…").waitFor();

    await page.reload();
    await queued.getByText("Sending…").waitFor({ timeout: 10_000 });
    assert.equal(await messages(ana.page).getByText("Queued through a reload").count(), 0, "not sent while offline");

    await context.setOffline(false);
    await messages(ana.page).getByText("Queued through a reload").waitFor({ timeout: 30_000 });
    await queued.getByText("Sending…").waitFor({ state: "detached", timeout: 30_000 });
    // Give a duplicate every chance to show up, then count on both sides.
    await page.waitForTimeout(2_000);
    assert.equal(await messages(ana.page).getByText("Queued through a reload").count(), 1);
    assert.equal(await queued.count(), 1);
    await page.reload();
    await messages(page).getByText("Queued through a reload").waitFor({ timeout: 15_000 });
    assert.equal(await messages(page).getByText("Queued through a reload").count(), 1);
  });

  test(
    "while the room is open and focused, the connection's focus node says so",
    { skip: !databaseHost && "needs E2E_DATABASE_EMULATOR_HOST (npm run e2e)" },
    async () => {
      const { page } = ben;
      const uid = await sessionUserId(page);
      const focusRooms = async () => {
        const response = await fetch(`http://${databaseHost}/focus/${uid}.json?ns=demo-flowchat-default-rtdb`, {
          headers: { Authorization: "Bearer owner" },
        });
        assert.equal(response.status, 200);
        const connections = (await response.json()) ?? {};
        return Object.values(connections);
      };
      const eventually = async (expected, what) => {
        const deadline = Date.now() + 10_000;
        let seen = await focusRooms();
        while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < deadline) {
          await page.waitForTimeout(100);
          seen = await focusRooms();
        }
        assert.deepEqual(seen, expected, what);
      };

      await messages(page).getByText("Queued through a reload").waitFor();
      await eventually([roomId], "the open, focused room");
      await page.evaluate(() => {
        Document.prototype.hasFocus = () => false;
        window.dispatchEvent(new Event("blur"));
      });
      await eventually([], "the window lost focus");
      await page.evaluate(() => {
        Document.prototype.hasFocus = () => true;
        window.dispatchEvent(new Event("focus"));
      });
      await eventually([roomId], "focused again");
      await page.getByRole("link", { name: "FlowChat" }).click();
      await page.getByRole("heading", { level: 1, name: "Ana Lima" }).waitFor({ state: "detached" });
      await eventually([], "no room open");
    },
  );

  test("a push delivered to the service worker shows a notification whose click opens the message", async () => {
    const { page, context } = ben;
    // Ben is on the home page (the test before); the message to open is Ana's last one.
    await page.goto(`${baseUrl}/rooms/${encodeURIComponent(roomId)}`);
    const last = messages(page).getByTestId("message").filter({ hasText: "Notes are in the doc" });
    const messageId = await last.getAttribute("data-message-id");
    assert.ok(messageId);
    await page.getByRole("link", { name: "FlowChat" }).click();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });

    const cdp = await context.newCDPSession(page);
    const registrations = new Map();
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations: updated }) => {
      for (const registration of updated)
        if (!registration.isDeleted) registrations.set(registration.scopeURL, registration.registrationId);
    });
    await cdp.send("ServiceWorker.enable");
    const scope = `${baseUrl}/`;
    const deadline = Date.now() + 10_000;
    while (!registrations.has(scope) && Date.now() < deadline) await page.waitForTimeout(50);
    assert.ok(registrations.has(scope), `a service worker registration for ${scope}`);

    // What FCM would deliver for the message (the server's payload: data + notification).
    const link = `/r/${encodeURIComponent(roomId)}/m/${encodeURIComponent(messageId)}`;
    const fcmPayload = (body) => ({
      from: "simulated-fcm",
      fcmMessageId: `simulated-${Date.now()}`,
      notification: { title: "Ana Lima", body },
      data: { roomId, messageId, title: "Ana Lima", body, link },
    });
    const notifications = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((shown) => ({
          title: shown.title,
          body: shown.body,
          tag: shown.tag,
          link: shown.data?.link,
        })),
      );
    const waitForNotifications = async (expected) => {
      const until = Date.now() + 10_000;
      let seen = await notifications();
      while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < until) {
        await page.waitForTimeout(100);
        seen = await notifications();
      }
      assert.deepEqual(seen, expected);
    };

    const origin = new URL(baseUrl).origin;
    const registrationId = registrations.get(scope);
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin,
      registrationId,
      data: JSON.stringify(fcmPayload("Start without me")),
    });
    await waitForNotifications([{ title: "Ana Lima", body: "Start without me", tag: `room:${roomId}`, link }]);
    // A second push for the same room replaces the first (one notification per room).
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin,
      registrationId,
      data: JSON.stringify(fcmPayload("Notes are in the doc")),
    });
    await waitForNotifications([{ title: "Ana Lima", body: "Notes are in the doc", tag: `room:${roomId}`, link }]);
    await cdp.detach();

    // The click, simulated in the worker (see the top of this file).
    const [worker] = context.serviceWorkers().filter((candidate) => candidate.url().startsWith(baseUrl));
    assert.ok(worker, "the service worker is visible to Playwright");
    await worker.evaluate(async () => {
      const [shown] = await self.registration.getNotifications();
      try {
        self.dispatchEvent(new globalThis.NotificationEvent("notificationclick", { notification: shown }));
      } catch {
        // waitUntil() refuses events not made by the browser; the handler's work runs anyway.
      }
    });
    await page.waitForURL((url) => url.pathname === link, { timeout: 10_000 });
    await messages(page).getByText("Notes are in the doc").waitFor({ timeout: 15_000 });
    await waitForNotifications([]);
    await screenshot(page, "offline-first-push-opened");
  });

  test("logging out deletes the Firestore cache, with a second tab of the same person open", async () => {
    const { page, context } = ben;
    const second = await context.newPage();
    second.on("pageerror", (error) => pageErrors.push(`ben (second tab): ${error.message}`));
    await second.goto(`${baseUrl}/rooms/${encodeURIComponent(roomId)}`);
    await messages(second).getByText("Notes are in the doc").waitFor({ timeout: 15_000 });
    // What the Firestore caches on the device hold: documents, queued writes, queries. (A tab
    // may open a new, empty cache once signed out; what was read must be gone.)
    const firestoreCaches = () =>
      page.evaluate(async () => {
        const held = [];
        for (const { name } of await indexedDB.databases()) {
          if (!name?.startsWith("firestore/")) continue;
          // Deleted meanwhile: opening must not create it again, so the upgrade is refused.
          const db = await new Promise((resolve) => {
            const request = indexedDB.open(name);
            request.onupgradeneeded = () => request.transaction.abort();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => resolve(null);
          });
          if (!db) continue;
          const stores = [...db.objectStoreNames].filter((store) =>
            /^(remoteDocuments|mutations|documentMutations|targets)/.test(store),
          );
          for (const store of stores) {
            const count = await new Promise((resolve, reject) => {
              const request = db.transaction(store).objectStore(store).count();
              request.onsuccess = () => resolve(request.result);
              request.onerror = () => reject(request.error);
            });
            if (count > 0) held.push(`${name} ${store}: ${count}`);
          }
          db.close();
        }
        return held;
      });
    assert.notDeepEqual(await firestoreCaches(), [], "a cache to delete");
    // The last known state (room list, newest pages) that loads paint from before Firebase is ready.
    const lastKnownKeys = () =>
      page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith("flowchat.lastKnown.")));
    await page.waitForFunction(
      () => Object.keys(localStorage).some((key) => key.startsWith("flowchat.lastKnown.") && key.includes(".room.")),
      null,
      { timeout: 10_000 },
    );

    await page.getByRole("button", { name: "Account menu for Ben Okafor" }).click();
    await page.getByRole("menuitem", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Welcome back" }).waitFor();
    await second.getByRole("heading", { name: "Welcome back" }).waitFor({ timeout: 15_000 });
    const deadline = Date.now() + 10_000;
    let left = await firestoreCaches();
    while (left.length > 0 && Date.now() < deadline) {
      await page.waitForTimeout(100);
      left = await firestoreCaches();
    }
    assert.deepEqual(left, [], "nothing read or written by Ben left in a Firestore cache on the device");
    // Nor in the last known state, though the second tab was still showing the room.
    await second.waitForTimeout(1_500); // longer than a pending write of the last known state waits
    assert.deepEqual(await lastKnownKeys(), [], "no last known state left on the device");
    await second.close();
  });
});
