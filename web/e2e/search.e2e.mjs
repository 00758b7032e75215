// Search in a real browser against the real functions and PostgreSQL: start a direct
// conversation by typing part of a name, find a message from last week and land on it
// (older pages load until it is there), and jump back with Ctrl+K.
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

const DAY_MS = 24 * 60 * 60 * 1000;

describe("search", () => {
  let browser;
  const pageErrors = [];
  let ana;
  let ben;
  let roomId;
  const oldMessageId = `old${randomUUID().replaceAll("-", "").slice(0, 16)}`;

  before(async () => {
    browser = await launchBrowser();
    ana = await signUpPerson(browser, "ana", "Ana Lima", { pageErrors });
    ben = await signUpPerson(browser, "ben", "Benedikt Quillfeather", { pageErrors });
  });

  after(async () => {
    await browser?.close();
    assert.deepEqual(pageErrors, []);
  });

  test("Ana starts a direct conversation by typing part of Ben's name", async () => {
    const { page } = ana;
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New conversation" });
    await dialog.getByLabel("Name or username").pressSequentially("quillf", { delay: 30 });
    const option = dialog.getByRole("option", { name: /Benedikt Quillfeather/ });
    await option.waitFor({ timeout: 15_000 });
    await screenshot(page, "search-people-suggestions");
    assert.deepEqual(await accessibilityViolations(page), []);
    await page.keyboard.press("ArrowDown");
    assert.equal(await option.getAttribute("aria-selected"), "true");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Benedikt Quillfeather" }).waitFor({ timeout: 15_000 });
    roomId = new URL(page.url()).pathname.split("/").pop();
    assert.match(roomId, /^[0-9a-f-]{36}$/);
  });

  test("Ana finds a message from last week and lands on it", async () => {
    const { page } = ana;
    const anaId = await sessionUserId(page);
    const benId = await sessionUserId(ben.page);
    const now = Date.now();
    // Last week's message, then a page and more of newer ones above it.
    await writeMessages(roomId, [
      {
        id: oldMessageId,
        senderId: benId,
        text: "The lighthouse keys are under the blue rock",
        createdAt: new Date(now - 7 * DAY_MS),
      },
      ...Array.from({ length: 60 }, (_, index) => ({
        id: `new${index}`,
        senderId: index % 2 ? anaId : benId,
        text: `Chatter number ${index} about nothing much`,
        createdAt: new Date(now - 60 * 60 * 1000 + index * 1000),
      })),
    ]);

    await page.getByRole("link", { name: "Search messages" }).click();
    const box = page.getByRole("searchbox", { name: "Search messages" });
    const results = page.getByRole("region", { name: "Results in Benedikt Quillfeather" });
    // The message trigger indexes it a moment after the write: search again until it has.
    const deadline = Date.now() + 30_000;
    for (;;) {
      await box.fill("");
      await box.pressSequentially("lighthouse ke", { delay: 20 });
      try {
        await results.waitFor({ timeout: 2_000 });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
    const hit = results.getByRole("link").first();
    assert.equal(await hit.getAttribute("href"), `/r/${roomId}/m/${oldMessageId}`);
    const marked = await hit.locator("mark").allTextContents();
    assert.deepEqual(marked, ["lighthouse", "keys"]);
    await hit.getByText("Benedikt Quillfeather").waitFor();
    await screenshot(page, "search-results");
    assert.deepEqual(await accessibilityViolations(page), []);

    // What the page warns of meanwhile (the Firestore SDK logs a stream it cannot keep, say).
    const warnings = [];
    const noteWarning = (message) => {
      if (message.type() === "warning" || message.type() === "error") warnings.push(message.text().slice(0, 300));
    };
    page.on("console", noteWarning);
    await box.press("Enter");
    await page.waitForURL(`${baseUrl}/r/${roomId}/m/${oldMessageId}`);
    const bubble = page.locator(`[data-message-id="${oldMessageId}"]`);
    await bubble.waitFor({ timeout: 20_000 }).catch(async (error) => {
      // Say what the conversation showed instead, for a failure seen only on a loaded machine.
      await screenshot(page, "search-permalink-missing");
      const shown = await page.evaluate(() => {
        const ids = Array.from(document.querySelectorAll("[data-message-id]"), (node) => node.dataset.messageId);
        const scroller = document.querySelector("[data-message-id]")?.closest("[class*=overflow-y]");
        return {
          ids,
          scroll: scroller && [scroller.scrollTop, scroller.scrollHeight, scroller.clientHeight],
          busy: scroller?.getAttribute("aria-busy"),
        };
      });
      throw new Error(
        `${error.message}\nshown instead: ${JSON.stringify(shown)}\nwarnings: ${JSON.stringify(warnings)}`,
      );
    });
    page.off("console", noteWarning);
    await page.locator(`[data-message-id="${oldMessageId}"][data-highlighted="true"]`).waitFor();
    await bubble.getByText("The lighthouse keys are under the blue rock").waitFor();
    // It is on screen, not merely loaded above the newest page.
    const box2 = await bubble.boundingBox();
    const viewport = page.viewportSize();
    assert.ok(box2 && box2.y >= 0 && box2.y + box2.height <= viewport.height, `bubble at ${JSON.stringify(box2)}`);
    await screenshot(page, "search-permalink");
  });

  test("Ctrl+K jumps back to the conversation, the recent one first", async () => {
    const { page } = ana;
    await page.goto(`${baseUrl}/`);
    await page.getByRole("navigation", { name: "Conversations" }).waitFor();
    await page.keyboard.press("Control+k");
    const dialog = page.getByRole("dialog", { name: "Jump to" });
    const first = dialog.getByRole("option").first();
    await first.waitFor();
    assert.match(await first.innerText(), /Benedikt Quillfeather/);
    await screenshot(page, "search-quick-switcher");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Benedikt Quillfeather" }).waitFor();
  });
});
