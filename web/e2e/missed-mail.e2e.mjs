// Missed-message email in a real browser: Ben is away from a direct message Ana sends; after
// the delay (3 s here, MISSED_MAIL_DELAY_SECONDS) the scheduled sendMissedMessages, run at
// once by a POST to its URL, mails him; the mail's link opens the message in his browser.
// Also: the Notifications section of his account settings, with the browser's time zone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { accessibilityViolations, baseUrl, launchBrowser, screenshot, signUpPerson } from "./browser.mjs";

const mailUrl = process.env.E2E_MAIL_URL;
const functionsUrl = process.env.E2E_FUNCTIONS_URL;

/** Missed-message mails to `address`, waiting until one arrives. */
async function missedMailTo(address, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const listing = await (await fetch(`${mailUrl}/api/v1/messages`)).json();
    const found = listing.messages.find(
      (message) => message.Subject.includes("unread message") && message.To.some((to) => to.Address === address),
    );
    if (found) return (await fetch(`${mailUrl}/api/v1/message/${found.ID}`)).json();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no missed-message mail to ${address} within ${timeoutMs} ms`);
}

describe("missed-message email", { skip: mailUrl && functionsUrl ? false : "run through e2e/run.mjs" }, () => {
  let browser;
  const pageErrors = [];

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  test("an unread direct message is mailed after the delay, and the mail's link opens it", async () => {
    const ana = await signUpPerson(browser, "ana", "Ana Mailer", { pageErrors });
    const ben = await signUpPerson(browser, "ben", "Ben Away", { pageErrors });

    // Ben is on his settings page, not in the conversation.
    await ben.page.goto(`${baseUrl}/settings/account`);
    const card = ben.page.getByRole("heading", { name: "Notifications" });
    await card.waitFor();
    const email = ben.page.getByRole("checkbox", { name: /Email me mentions/ });
    await email.waitFor();
    assert.equal(await email.isChecked(), true);
    await ben.page.getByRole("checkbox", { name: /Quiet hours/ }).check();
    const zone = await ben.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    assert.equal(await ben.page.getByLabel("Time zone").inputValue(), zone);
    assert.deepEqual(await accessibilityViolations(ben.page), []);
    await screenshot(ben.page, "notification-settings");
    await ben.page.getByRole("checkbox", { name: /Quiet hours/ }).uncheck();

    const page = ana.page;
    await page.getByRole("button", { name: "New chat" }).click();
    const chat = page.getByRole("dialog", { name: "New conversation" });
    await chat.getByLabel("Name or username").fill(`@${ben.account.username}`);
    await chat.getByRole("button", { name: "Start conversation" }).click();
    await page.getByRole("heading", { level: 1, name: "Ben Away" }).waitFor({ timeout: 15_000 });
    const text = "Did you see the launch checklist?";
    const box = page.getByLabel("Message Ben Away");
    await box.fill(text);
    await box.press("Enter");
    await page.getByRole("list", { name: "Messages" }).getByText(text).waitFor();

    await new Promise((resolve) => setTimeout(resolve, 3_500)); // MISSED_MAIL_DELAY_SECONDS
    const run = await fetch(`${functionsUrl}/sendMissedMessages`, { method: "POST" });
    assert.equal(run.status, 200);
    const mail = await missedMailTo(ben.account.email);
    assert.equal(mail.Subject, "1 unread message on FlowChat");
    assert.match(mail.Text, /Ana Mailer: Did you see the launch checklist\?/);
    const links = mail.Text.match(/https?:\/\/\S+\/r\/[\w-]+\/m\/\w+/g) ?? [];
    assert.equal(links.length, 1, mail.Text);

    // Mails link to APP_URL; open the same path on the client under test.
    const link = new URL(links[0]);
    await ben.page.goto(`${baseUrl}${link.pathname}`);
    await ben.page.getByRole("heading", { level: 1, name: "Ana Mailer" }).waitFor({ timeout: 15_000 });
    await ben.page.getByRole("list", { name: "Messages" }).getByText(text).waitFor();
    await screenshot(ben.page, "missed-mail-link-opened");
    assert.deepEqual(pageErrors, []);
    await ana.context.close();
    await ben.context.close();
  });
});
