// More of a rich conversation in real browsers against the real backend: a link's preview
// card (fetched by the functions from a local site, its image through the local Cloudinary's
// fetch delivery) that its sender removes, pins and the Pinned panel, Copy link and the
// permalink it gives, @mention chips that open the profile.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { baseUrl, launchBrowser, screenshot, signUpPerson } from "./browser.mjs";

const linkOrigin = process.env.E2E_LINK_ORIGIN_URL;

describe("rich conversation: previews, pins, links, mentions", () => {
  let browser;
  const pageErrors = [];
  let ana;
  let ben;
  let conversationUrl;

  const messages = (page) => page.getByRole("list", { name: "Messages" });
  const composer = (page) => page.getByRole("textbox", { name: /^Message / });
  const messageWith = (page, text) => messages(page).getByTestId("message").filter({ hasText: text });

  async function send(page, text) {
    await composer(page).fill(text);
    await composer(page).press("Enter");
  }

  async function openMenu(page, text, action) {
    const message = messageWith(page, text);
    await message.hover();
    await message.getByRole("button", { name: /^Actions for message from / }).click();
    await page.getByRole("menuitem", { name: action }).click();
  }

  before(async () => {
    assert.ok(linkOrigin, "E2E_LINK_ORIGIN_URL is set by e2e/run.mjs");
    browser = await launchBrowser();
    ana = await signUpPerson(browser, "ana", "Ana Lima", {
      pageErrors,
      prepare: (context) => context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl }),
    });
    ben = await signUpPerson(browser, "ben", "Ben Ortiz", { pageErrors });
    const { page } = ana;
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New conversation" });
    await dialog.getByLabel("Username").fill(ben.account.username);
    await dialog.getByRole("button", { name: "Start conversation" }).click();
    await page.getByRole("heading", { level: 1, name: "Ben Ortiz" }).waitFor();
    conversationUrl = page.url();
    await send(page, "Hello Ben");
    await ben.page
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("link", { name: /^Ana Lima/ })
      .click();
    await messageWith(ben.page, "Hello Ben").waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
    assert.deepEqual(pageErrors, []);
  });

  test("a link gets a preview card with its image from Cloudinary; the sender removes it", async () => {
    const link = `${linkOrigin}/article`;
    await send(ana.page, `Boots for Saturday: ${link}`);

    const card = messageWith(ben.page, "Boots for Saturday").getByTestId("link-preview");
    await card.waitFor({ timeout: 20_000 });
    assert.equal(await card.getAttribute("aria-label"), "Link preview: Boots for the weekend & beyond");
    assert.match(
      await card.textContent(),
      /Trail News.*Boots for the weekend & beyond.*Which boots to bring on a wet trail\./,
    );
    const anchor = card.getByRole("link");
    assert.equal(await anchor.getAttribute("href"), link);
    assert.equal(await anchor.getAttribute("rel"), "noopener noreferrer");
    // The image comes from the local Cloudinary's fetch delivery, never from the site itself.
    const image = card.locator("img");
    const src = await image.getAttribute("src");
    assert.match(src, /\/image\/fetch\/c_limit,w_600,h_600,f_auto,q_auto\/http:\/\/127\.0\.0\.1:\d+\/image\.png$/);
    assert.ok(!src.startsWith(linkOrigin), "the browser does not contact the linked site");
    await image.evaluate((img) =>
      img.complete ? null : new Promise((resolve) => img.addEventListener("load", resolve, { once: true })),
    );
    assert.ok((await image.evaluate((img) => img.naturalWidth)) > 0, "the image loaded");
    assert.equal(await card.getByRole("button", { name: "Remove preview" }).count(), 0, "only the sender removes it");
    await screenshot(ben.page, "link-preview-card");

    const own = messageWith(ana.page, "Boots for Saturday").getByTestId("link-preview");
    await own.waitFor({ timeout: 15_000 });
    await own.getByRole("button", { name: "Remove preview" }).click();
    await own.waitFor({ state: "detached" });
    await card.waitFor({ state: "detached", timeout: 15_000 });
  });

  test("pinning a message: the mark, the system line, the Pinned panel and its jump", async () => {
    await send(ana.page, "Meet at the trailhead at 9");
    await messageWith(ben.page, "Meet at the trailhead at 9").waitFor({ timeout: 15_000 });
    await openMenu(ben.page, "Meet at the trailhead at 9", "Pin");
    await ben.page.getByText("Message pinned").waitFor();

    await messageWith(ana.page, "Meet at the trailhead at 9").getByTestId("pinned-mark").waitFor({ timeout: 15_000 });
    await messages(ana.page).getByText("Ben Ortiz pinned a message").waitFor({ timeout: 15_000 });
    await ana.page.getByRole("button", { name: "Pinned messages (1)" }).click();
    const panel = ana.page.getByRole("dialog", { name: "Pinned messages" });
    const item = panel.getByRole("listitem").filter({ hasText: "Meet at the trailhead at 9" });
    assert.match(await item.textContent(), /^Ana Lima/);
    await screenshot(ana.page, "pinned-panel");
    await item.getByRole("link").click();
    await panel.waitFor({ state: "detached" });
    assert.match(ana.page.url(), /\/r\/[^/]+\/m\/[^/]+$/);
    await ana.page
      .locator('[data-testid="message"][data-highlighted="true"]')
      .filter({ hasText: "Meet at the trailhead at 9" })
      .waitFor();

    // Both people of a direct room may pin; Ana unpins from the panel.
    await ana.page.getByRole("button", { name: "Pinned messages (1)" }).click();
    await ana.page.getByRole("button", { name: "Unpin message from Ana Lima" }).click();
    await panel.getByText("Nothing is pinned in this conversation yet.").waitFor({ timeout: 15_000 });
    await ana.page.keyboard.press("Escape");
    await ana.page.getByRole("button", { name: "Pinned messages (0)" }).waitFor();
    await messageWith(ben.page, "Meet at the trailhead at 9")
      .getByTestId("pinned-mark")
      .waitFor({ state: "detached", timeout: 15_000 });
  });

  test("Copy link puts the message's permalink on the clipboard, and it opens there", async () => {
    await ana.page.goto(conversationUrl);
    await send(ana.page, "Permalink target");
    await messageWith(ana.page, "Permalink target")
      .getByText("Sending…")
      .waitFor({ state: "detached", timeout: 15_000 });
    await openMenu(ana.page, "Permalink target", "Copy link");
    await ana.page.getByText("Link copied").waitFor();
    const copied = await ana.page.evaluate(() => navigator.clipboard.readText());
    const messageId = await messageWith(ana.page, "Permalink target").getAttribute("data-message-id");
    assert.match(copied, new RegExp(`^${baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/r/[^/]+/m/${messageId}$`));

    await ben.page.goto(copied);
    await ben.page.locator(`[data-message-id="${messageId}"][data-highlighted="true"]`).waitFor({ timeout: 15_000 });
  });

  test("an @mention chip opens the person's profile", async () => {
    await ben.page.goto(conversationUrl.replace(/\/rooms\/.*/, "/"));
    await ben.page
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("link", { name: /^Ana Lima/ })
      .click();
    await send(ana.page, `Thanks @${ben.account.username} for the boots tip`);
    const chip = messageWith(ben.page, "for the boots tip").getByRole("link", { name: `@${ben.account.username}` });
    await chip.waitFor({ timeout: 15_000 });
    await chip.click();
    await ben.page.waitForURL(`${baseUrl}/u/${ben.account.username}`);
    await ben.page.getByRole("heading", { name: "Ben Ortiz" }).first().waitFor();
    // Nothing claimed the backend was out of reach along the way.
    assert.equal(await ana.page.getByTestId("connection-banner").count(), 0);
    assert.equal(await ben.page.getByTestId("connection-banner").count(), 0);
  });
});
