// In-app and desktop notifications against the real backend: the message trigger writes
// users/{uid}/notifications for an @mention in a group and for a direct message; the bell in
// the header counts and lists them, opens their rooms and marks them read. With permission
// granted and the tab hidden, a new one becomes a system Notification (observed by wrapping
// window.Notification, the browser boundary).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { accessibilityViolations, baseUrl, launchBrowser, screenshot, signUpPerson } from "./browser.mjs";

/** Records every Notification the page constructs, then lets the browser build it. */
function observeNotifications() {
  const Original = window.Notification;
  window.__notifications = [];
  if (typeof Original !== "function") return;
  class Observed extends Original {
    constructor(title, options) {
      const record = { title, body: options?.body ?? "", tag: options?.tag ?? "" };
      window.__notifications.push(record);
      super(title, options);
      record.instance = this;
    }
  }
  window.Notification = Observed;
}

/** A notification opens its message's permalink (/r/{roomId}/m/{messageId}) in the room at `roomPath`. */
function atMessageOf(roomPath) {
  const roomId = roomPath.split("/").pop();
  return (url) => url.pathname.startsWith(`/r/${roomId}/m/`);
}

function setVisibility(page, state) {
  return page.evaluate((value) => {
    Object.defineProperty(document, "visibilityState", { value, configurable: true });
    Object.defineProperty(document, "hidden", { value: value === "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);
}

describe("notifications", () => {
  let browser;
  const people = {};
  const pageErrors = [];
  let groupPath;
  let directPath;

  async function prepareNotifications(context) {
    await context.grantPermissions(["notifications"], { origin: baseUrl });
    await context.addInitScript(observeNotifications);
  }

  const signUp = (label, displayName, { notifications = false } = {}) =>
    signUpPerson(browser, label, displayName, {
      pageErrors,
      prepare: notifications ? prepareNotifications : undefined,
    });

  async function send(page, label, text) {
    const box = page.getByLabel(label);
    await box.fill(text);
    await box.press("Enter");
    await page.getByRole("list", { name: "Messages" }).getByText(text).first().waitFor();
  }

  const bell = (page, name) => page.getByRole("button", { name, exact: true });

  before(async () => {
    browser = await launchBrowser();
    people.ana = await signUp("ana", "Ana Lima");
    people.ben = await signUp("ben", "Ben Okafor", { notifications: true });
  });

  after(async () => {
    await browser?.close();
  });

  test("Ana mentions Ben in a group and writes to him directly; Ben's bell counts both", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    // Nothing yet: the bell says so.
    await bell(ben, "Notifications").click();
    await ben.getByText("You're all caught up.").waitFor();
    await screenshot(ben, "notifications-empty");
    await ben.keyboard.press("Escape");

    await ana.getByRole("button", { name: "New group" }).click();
    const dialog = ana.getByRole("dialog", { name: "New group" });
    await dialog.getByLabel("Name").fill("Launch crew");
    await dialog.getByLabel("Invite people (optional)").fill(`@${people.ben.account.username}`);
    await dialog.getByRole("button", { name: "Create group" }).click();
    await ana.getByRole("heading", { level: 1, name: "Launch crew" }).waitFor({ timeout: 15_000 });
    groupPath = new URL(ana.url()).pathname;
    // Written before Ben has joined: no notification, and the mention of him he joins for
    // below must not be matched against this moment's member list (Ana alone).
    await send(ana, "Message Launch crew", `Waiting for @${people.ben.account.username} to join.`);

    await ben.reload();
    await ben.getByRole("button", { name: "Accept the invite to Launch crew" }).click({ timeout: 15_000 });
    await ben.getByRole("heading", { level: 1, name: "Launch crew" }).waitFor({ timeout: 15_000 });
    await ben.getByRole("link", { name: "FlowChat" }).click();

    await send(ana, "Message Launch crew", `@${people.ben.account.username} can you check the release notes?`);

    await ana.getByRole("button", { name: "New chat" }).click();
    const chat = ana.getByRole("dialog", { name: "New conversation" });
    await chat.getByLabel("Name or username").fill(`@${people.ben.account.username}`);
    await chat.getByRole("button", { name: "Start conversation" }).click();
    await ana.getByRole("heading", { level: 1, name: "Ben Okafor" }).waitFor({ timeout: 15_000 });
    directPath = new URL(ana.url()).pathname;
    await send(ana, "Message Ben Okafor", "Lunch at noon?");

    await bell(ben, "Notifications, 2 unread").waitFor({ timeout: 20_000 });
    assert.equal(await ben.getByTestId("notification-count").textContent(), "2");
  });

  test("the list shows them newest first; clicking one opens its room and the count drops", async () => {
    const ben = people.ben.page;
    await bell(ben, "Notifications, 2 unread").click();
    const items = ben.getByTestId("notification");
    await items.nth(1).waitFor();
    assert.match(await items.nth(0).textContent(), /Ana Lima sent you a message.*Lunch at noon\?.*(just now|min ago)/);
    assert.match(
      await items.nth(1).textContent(),
      /Ana Lima mentioned you in Launch crew.*can you check the release notes\?/,
    );
    await screenshot(ben, "notifications-list");
    const violations = await accessibilityViolations(ben);
    assert.deepEqual(violations, [], `notification list: axe found ${JSON.stringify(violations, null, 2)}`);

    await ben.getByRole("menuitem", { name: /mentioned you in Launch crew/ }).click();
    await ben.waitForURL(atMessageOf(groupPath));
    await ben.getByRole("list", { name: "Messages" }).getByText("can you check the release notes?").waitFor();
    await bell(ben, "Notifications, 1 unread").waitFor({ timeout: 15_000 });
  });

  test("mark all read clears the count", async () => {
    const ben = people.ben.page;
    await bell(ben, "Notifications, 1 unread").click();
    await ben.getByRole("menuitem", { name: "Mark all read" }).click();
    await bell(ben, "Notifications").waitFor({ timeout: 15_000 });
    assert.equal(await ben.getByTestId("notification-count").count(), 0);
    // Still read after a reload: the documents changed, not only the screen.
    await ben.reload();
    await bell(ben, "Notifications").click();
    await ben.getByText("You're all caught up.").waitFor({ timeout: 15_000 });
    await ben.keyboard.press("Escape");
  });

  test("with permission granted and the tab hidden, a new notification is shown by the system", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    await ben.getByRole("link", { name: "FlowChat" }).click();
    await ben.getByRole("button", { name: /^Account menu for Ben Okafor/ }).click();
    await ben.getByRole("menuitem", { name: "Enable desktop notifications" }).click();
    await ben.waitForFunction(() => localStorage.getItem("flowchat.desktopNotifications") === "on");

    // One unread notification already there when the page loads is not "new".
    await send(ana, "Message Ben Okafor", "Are you around?");
    await bell(ben, "Notifications, 1 unread").waitFor({ timeout: 20_000 });
    await ben.reload();
    await bell(ben, "Notifications, 1 unread").waitFor({ timeout: 20_000 });
    assert.equal(await ben.evaluate(() => window.__notifications.length), 0);

    await setVisibility(ben, "hidden");
    await send(ana, "Message Ben Okafor", "Running five minutes late");
    await ben.waitForFunction(() => window.__notifications.length > 0, null, { timeout: 20_000 });
    const shown = await ben.evaluate(() =>
      window.__notifications.map(({ title, body, tag }) => ({ title, body, tag })),
    );
    assert.equal(shown.length, 1);
    assert.equal(shown[0].title, "Ana Lima");
    assert.equal(shown[0].body, "Running five minutes late");
    assert.match(shown[0].tag, new RegExp(`^${directPath.split("/").pop()}_`));

    // Clicking it (the system would) brings the tab forward and opens the room.
    await setVisibility(ben, "visible");
    await ben.evaluate(() => window.__notifications[0].instance?.onclick?.(new Event("click")));
    await ben.waitForURL(atMessageOf(directPath));
    await ben.getByRole("list", { name: "Messages" }).getByText("Running five minutes late").waitFor();
    await bell(ben, "Notifications").waitFor({ timeout: 15_000 });

    // Visible again: nothing more reaches the system.
    await send(ana, "Message Ben Okafor", "Here now");
    await ben.getByRole("list", { name: "Messages" }).getByText("Here now").waitFor({ timeout: 15_000 });
    assert.equal(await ben.evaluate(() => window.__notifications.length), 1);
  });

  test("no uncaught page errors", () => {
    assert.deepEqual(pageErrors, []);
  });
});
