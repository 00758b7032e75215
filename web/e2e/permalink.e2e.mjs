// Permalinks however old, in a real browser against the real backend: a message with 300
// newer ones after it opens from the bell's notification and from its link, highlighted and
// on screen (one load around it, not six pages of history); later messages load from there,
// and "Jump to latest" goes back to the live conversation.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  accessibilityViolations,
  baseUrl,
  launchBrowser,
  screenshot,
  sessionUserId,
  signUpPerson,
  writeMessages,
} from "./browser.mjs";

const NEWER = 300;

/** The bubble is highlighted and inside the viewport. */
async function shownHighlighted(page, messageId) {
  const bubble = page.locator(`[data-message-id="${messageId}"]`);
  await bubble.waitFor({ timeout: 20_000 });
  await page.locator(`[data-message-id="${messageId}"][data-highlighted="true"]`).waitFor({ timeout: 10_000 });
  await page.waitForFunction(
    (id) => {
      const box = document.querySelector(`[data-message-id="${id}"]`)?.getBoundingClientRect();
      return Boolean(box) && box.top >= 0 && box.bottom <= window.innerHeight;
    },
    messageId,
    { timeout: 10_000 },
  );
}

describe("permalinks", () => {
  let browser;
  const pageErrors = [];
  let ana;
  let ben;
  let roomId;
  const oldId = `old${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const newestId = `n${NEWER - 1}`;

  before(async () => {
    browser = await launchBrowser();
    ana = await signUpPerson(browser, "ana", "Ana Lima", { pageErrors });
    ben = await signUpPerson(browser, "ben", "Ben Okafor", { pageErrors });
    // Ben starts a direct conversation with Ana.
    const { page } = ben;
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New conversation" });
    await dialog.getByLabel("Name or username").fill(ana.account.username);
    await dialog.getByLabel("Name or username").press("Enter");
    await page.getByRole("heading", { level: 1, name: "Ana Lima" }).waitFor({ timeout: 15_000 });
    roomId = new URL(page.url()).pathname.split("/").pop();
    assert.match(roomId, /^[0-9a-f-]{36}$/);

    // Ben's message two days ago, then 300 of Ana's own after it (which notify only Ben).
    const anaId = await sessionUserId(ana.page);
    const benId = await sessionUserId(ben.page);
    const start = Date.now() - 2 * 24 * 60 * 60 * 1000;
    await writeMessages(roomId, [
      { id: oldId, senderId: benId, text: "The boat leaves from pier nine", createdAt: new Date(start) },
    ]);
    await writeMessages(
      roomId,
      Array.from({ length: NEWER }, (_, index) => ({
        id: `n${index}`,
        senderId: anaId,
        text: `Later note ${index}`,
        createdAt: new Date(start + (index + 1) * 60_000),
      })),
    );
  });

  after(async () => {
    await browser?.close();
    assert.deepEqual(pageErrors, []);
  });

  test("the bell's notification opens a message 300 back, highlighted", async () => {
    const { page } = ana;
    await page.getByRole("button", { name: "Notifications, 1 unread", exact: true }).click({ timeout: 60_000 });
    const item = page.getByTestId("notification").first();
    await item.getByText("The boat leaves from pier nine").waitFor();
    await item.click();
    await page.waitForURL(`${baseUrl}/r/${roomId}/m/${oldId}`);
    await shownHighlighted(page, oldId);
    // Its neighbours came with it; the newest messages are not on the page.
    await page.locator('[data-message-id="n10"]').waitFor();
    assert.equal(await page.locator(`[data-message-id="${newestId}"]`).count(), 0);
    await screenshot(page, "permalink-notification");
  });

  test("its link opens it too, later messages load from there, and Jump to latest goes live", async () => {
    const { page } = ana;
    await page.goto(`${baseUrl}/r/${roomId}/m/${oldId}`);
    await shownHighlighted(page, oldId);
    assert.deepEqual(await accessibilityViolations(page), []);

    // Paging down from the message: scrolling to the bottom of what is loaded brings the
    // next page of later ones.
    await page.getByRole("button", { name: "Load later messages" }).waitFor();
    await page.evaluate(() => {
      const scroller = document.querySelector('ol[aria-label="Messages"]').closest(".overflow-y-auto");
      scroller.scrollTop = scroller.scrollHeight;
    });
    await page.locator('[data-message-id="n60"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator(`[data-message-id="${newestId}"]`).count(), 0);

    await page.getByRole("button", { name: "Jump to latest" }).click();
    const newest = page.locator(`[data-message-id="${newestId}"]`);
    await newest.waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      (id) => {
        const box = document.querySelector(`[data-message-id="${id}"]`)?.getBoundingClientRect();
        return Boolean(box) && box.top >= 0 && box.bottom <= window.innerHeight;
      },
      newestId,
      { timeout: 10_000 },
    );
    assert.equal(await page.locator(`[data-message-id="${oldId}"]`).count(), 0);
    // Live again: a new message from Ben shows up at the bottom.
    const benId = await sessionUserId(ben.page);
    await writeMessages(roomId, [{ id: "live1", senderId: benId, text: "Are you coming?", createdAt: new Date() }]);
    await page.locator('[data-message-id="live1"]').waitFor({ timeout: 15_000 });
    await screenshot(page, "permalink-latest");
  });
});
