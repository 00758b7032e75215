// Rich messages in real browsers against the real backend: Markdown formatting, safe links,
// long URLs that wrap, lazily highlighted code, the emoji picker in the composer and for
// reactions, :shortcode: completion, a group's topic, system lines and pending invites,
// the length counter; screenshots light and dark, desktop and phone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { baseUrl, firebaseUid, launchBrowser, screenshot, settledValue, signUpPerson } from "./browser.mjs";

const firestoreHost = process.env.E2E_FIRESTORE_EMULATOR_HOST;

const LONG_URL = `https://example.com/${"a".repeat(200)}`;
const FORMATTED = [
  "**Launch plan** for _Friday_, ~~Thursday~~ and `npm run build`:",
  "- book the venue",
  "- send the invites",
  "",
  "> quoted from the brief",
  "",
  "```python",
  "def greet(name):",
  '    return f"hi {name}"',
  "```",
  `Docs: https://example.com/docs and ${LONG_URL}`,
  "[click me](javascript:alert(1)) <img src=x onerror=alert(1)>",
  "שלום, מה שלומך?",
].join("\n");

describe("rich messages", () => {
  let browser;
  const pageErrors = [];
  let ana;
  let ben;

  const messages = (page) => page.getByRole("list", { name: "Messages" });
  const composer = (page) => page.getByRole("textbox", { name: /^Message / });

  before(async () => {
    browser = await launchBrowser();
    ana = await signUpPerson(browser, "ana", "Ana Lima", { pageErrors });
    ben = await signUpPerson(browser, "ben", "Ben Ortiz", { pageErrors });
    const { page } = ana;
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New conversation" });
    await dialog.getByLabel("Username").fill(ben.account.username);
    await dialog.getByRole("button", { name: "Start conversation" }).click();
    await page.getByRole("heading", { level: 1, name: "Ben Ortiz" }).waitFor();
  });

  after(async () => {
    await browser?.close();
    assert.deepEqual(pageErrors, []);
  });

  test("formatting, safe links, wrapping and highlighted code reach the other person", async () => {
    await composer(ana.page).fill(FORMATTED);
    await composer(ana.page).press("Enter");

    const { page } = ben;
    await page
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("link", { name: /^Ana Lima/ })
      .click();
    const message = messages(page).getByTestId("message").filter({ hasText: "Launch plan" });
    await message.waitFor({ timeout: 15_000 });
    assert.equal(await message.locator("strong").first().textContent(), "Launch plan");
    assert.equal(await message.locator("em").first().textContent(), "Friday");
    assert.equal(await message.locator("s").textContent(), "Thursday");
    assert.deepEqual(await message.locator("ul > li").allTextContents(), ["book the venue", "send the invites"]);
    assert.equal(await message.locator("blockquote").textContent(), "quoted from the brief");

    const docs = message.getByRole("link", { name: "https://example.com/docs" });
    assert.equal(await docs.getAttribute("href"), "https://example.com/docs");
    assert.equal(await docs.getAttribute("target"), "_blank");
    assert.equal(await docs.getAttribute("rel"), "noopener noreferrer");
    assert.equal(await message.getByRole("link", { name: "click me" }).count(), 0, "a javascript: link stays text");
    assert.equal(await message.locator("img").count(), 0, "raw HTML stays text");
    assert.match(await message.textContent(), /\[click me\]\(javascript:alert\(1\)\) <img src=x onerror=alert\(1\)>/);

    // The highlighter arrives lazily and colours the code.
    await message.locator("pre code .hljs-keyword").first().waitFor();
    assert.equal(await message.locator("pre code .hljs-keyword").first().textContent(), "def");

    // The long URL wraps: nothing in the bubble is wider than the message list.
    const widths = await message.evaluate((element) => {
      const list = element.closest('[aria-label="Messages"]');
      return {
        bubble: element.getBoundingClientRect().right,
        list: list.getBoundingClientRect().right,
        scroll: element.scrollWidth,
        client: element.clientWidth,
      };
    });
    assert.ok(widths.bubble <= widths.list + 1, `bubble ends at ${widths.bubble}, list at ${widths.list}`);
    assert.ok(widths.scroll <= widths.client + 1, `bubble scrolls ${widths.scroll} > ${widths.client}`);

    assert.equal(await message.getByText("שלום, מה שלומך?").getAttribute("dir"), "auto");
    await page.mouse.move(0, 400);
    await screenshot(page, "rich-message-desktop-light");
  });

  test("the composer's emoji picker searches offline and inserts at the caret", async () => {
    const { page } = ana;
    const external = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(baseUrl) && !/127\.0\.0\.1|localhost/.test(request.url()))
        external.push(request.url());
    });
    await composer(page).fill("Party time");
    await page.getByRole("button", { name: "Add emoji" }).click();
    const picker = page.getByRole("dialog", { name: "Emoji" });
    await picker.locator('input[type="search"]').fill("tada");
    await picker.getByRole("button", { name: "🎉" }).first().click();
    assert.equal(await settledValue(composer(page), "Party time🎉"), "Party time🎉");
    await screenshot(page, "emoji-picker-light");
    await page.keyboard.press("Escape");
    await picker.waitFor({ state: "detached" });
    await composer(page).press("Enter");
    await messages(page).getByText("Party time🎉").waitFor();
    assert.deepEqual(external, [], "the picker fetched nothing from outside");
  });

  test(":shortcode: completion inserts the emoji", async () => {
    const { page } = ana;
    await composer(page).fill("");
    await composer(page).pressSequentially("ship it :rocke");
    const list = page.getByRole("listbox", { name: "Emoji" });
    await list.getByRole("option", { name: /🚀 :rocket:/ }).waitFor();
    await page.keyboard.press("Enter");
    assert.equal(await composer(page).inputValue(), "ship it 🚀");
    await page.keyboard.press("Enter");
    await messages(page).getByText("ship it 🚀").waitFor();
  });

  test("any emoji can be a reaction", async () => {
    const { page } = ben;
    const message = messages(page).getByTestId("message").filter({ hasText: "ship it" });
    await message.waitFor();
    await message.hover();
    await message.getByRole("button", { name: /^Actions for message/ }).click();
    await page.getByRole("menuitem", { name: "Any emoji…" }).click();
    const dialog = page.getByRole("dialog", { name: "Choose a reaction" });
    await dialog.locator('input[type="search"]').fill("sloth");
    await dialog.getByRole("button", { name: "🦥" }).first().click();
    await dialog.waitFor({ state: "detached" });
    await message.getByRole("button", { name: /^🦥 1, remove your reaction/ }).waitFor();
    await messages(ana.page)
      .getByRole("button", { name: /^🦥 1, react too/ })
      .waitFor();
  });

  test(
    "a notification written after its message was read (a picture's late trigger) does not stay unread",
    { skip: !firestoreHost && "needs E2E_FIRESTORE_EMULATOR_HOST (npm run e2e)" },
    async () => {
      const { page } = ben;
      const last = messages(page).getByTestId("message").last();
      const messageId = await last.getAttribute("data-message-id");
      const createdAt = await last.locator("time").first().getAttribute("datetime");
      const roomId = new URL(page.url()).pathname.split("/").filter(Boolean).pop();
      const uid = await firebaseUid(page);
      await page.getByRole("button", { name: "Notifications", exact: true }).waitFor();

      // What the trigger writes, as the trigger would (with admin rights), after Ben read it.
      const path = `users/${uid}/notifications/${roomId}_${messageId}`;
      const url = `http://${firestoreHost}/v1/projects/demo-flowchat/databases/(default)/documents/${path}`;
      const headers = { Authorization: "Bearer owner", "Content-Type": "application/json" };
      const fields = {
        type: { stringValue: "direct" },
        roomId: { stringValue: roomId },
        roomName: { stringValue: "" },
        messageId: { stringValue: messageId },
        senderId: { stringValue: "late-trigger" },
        senderName: { stringValue: "Ana Lima" },
        preview: { stringValue: "📎 Attachment" },
        createdAt: { timestampValue: createdAt },
        read: { booleanValue: false },
      };
      const written = await fetch(url, { method: "PATCH", headers, body: JSON.stringify({ fields }) });
      assert.equal(written.status, 200, await written.text());

      const deadline = Date.now() + 15_000;
      let read = false;
      while (!read && Date.now() < deadline) {
        await page.waitForTimeout(250);
        const current = await (await fetch(url, { headers })).json();
        read = current.fields?.read?.booleanValue === true;
      }
      assert.equal(read, true, "the late notification was marked read");
      await page.getByRole("button", { name: "Notifications", exact: true }).waitFor();
    },
  );

  test("a group shows its topic, system lines, and the invites still pending", async () => {
    const { page } = ana;
    await page.getByRole("button", { name: "New group" }).click();
    const create = page.getByRole("dialog", { name: "New group" });
    await create.getByLabel("Name").fill("Launch crew");
    await create.getByLabel("Topic (optional)").fill("Friday's launch");
    await create.getByLabel("Invite people (optional)").fill(`@${ben.account.username}`);
    await create.getByRole("button", { name: "Create group" }).click();
    await page.getByRole("heading", { level: 1, name: "Launch crew" }).waitFor();
    assert.equal(await page.getByTestId("room-topic").textContent(), "Friday's launch");

    // Ben has not answered yet: Ana sees his invite as pending in the members list.
    await page.getByRole("button", { name: "Conversation settings" }).click();
    const settings = page.getByRole("dialog", { name: "Launch crew settings" });
    const pending = settings.getByRole("list", { name: "Invited, not yet joined (1)" });
    await pending.getByText("Ben Ortiz").waitFor();
    await screenshot(page, "pending-invite");

    // A new topic: the header follows, and a system line says who changed it.
    await settings.getByLabel("Topic").fill("Launch moved to Monday");
    await settings.getByRole("button", { name: "Save changes" }).click();
    await page.keyboard.press("Escape");
    await settings.waitFor({ state: "detached" });
    await page.getByTestId("room-topic").getByText("Launch moved to Monday").waitFor();
    await messages(page)
      .getByTestId("system-line")
      .getByText("You changed the topic to “Launch moved to Monday”")
      .waitFor();

    // Ben accepts; both see that he joined.
    await ben.page
      .getByRole("button", { name: /^Accept/ })
      .first()
      .click();
    await ben.page.getByRole("heading", { level: 1, name: "Launch crew" }).waitFor();
    await messages(ben.page).getByTestId("system-line").getByText("You joined").waitFor();
    await messages(page).getByTestId("system-line").getByText("Ben Ortiz joined").waitFor();
    await screenshot(page, "system-lines");
  });

  test("near 4,000 characters the composer counts down, and past it says why it will not send", async () => {
    const { page } = ana;
    await composer(page).fill("x".repeat(3_990));
    await page.getByText("10 characters left").waitFor();
    await composer(page).fill("x".repeat(4_012));
    await page.getByText("12 characters over the 4,000 limit: shorten the message to send it.").waitFor();
    assert.equal(await page.getByRole("button", { name: "Send message" }).isDisabled(), true);
    await composer(page).fill("");
  });

  test("dark theme and phone screens", async () => {
    const { page } = ben;
    await page
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("link", { name: /^Ana Lima/ })
      .click();
    await page.getByRole("button", { name: "Switch to dark theme" }).click();
    await page.mouse.move(0, 400);
    await page.waitForTimeout(300);
    await messages(page).getByTestId("message").filter({ hasText: "Launch plan" }).scrollIntoViewIfNeeded();
    await screenshot(page, "rich-message-desktop-dark");

    for (const colorScheme of ["light", "dark"]) {
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        colorScheme,
        reducedMotion: "reduce",
        isMobile: true,
        hasTouch: true,
      });
      const phonePage = await phone.newPage();
      phonePage.on("pageerror", (error) => pageErrors.push(`phone: ${error.message}`));
      await phonePage.goto(`${baseUrl}/login`);
      await phonePage.getByLabel("Email or username").fill(ben.account.username);
      await phonePage.getByLabel("Password").fill(ben.account.password);
      await phonePage.getByRole("button", { name: "Log in" }).click();
      await phonePage
        .getByRole("navigation", { name: "Conversations" })
        .getByRole("link", { name: /^Ana Lima/ })
        .click();
      const message = messages(phonePage).getByTestId("message").filter({ hasText: "Launch plan" });
      await message.waitFor({ timeout: 15_000 });
      await message.locator("pre code .hljs-keyword").first().waitFor();
      const overflow = await phonePage.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.equal(overflow, 0, "the page never scrolls sideways");
      await message.scrollIntoViewIfNeeded();
      await screenshot(phonePage, `rich-message-phone-${colorScheme}`);
      await phone.close();
    }
  });
});
