// Forgot password in a real browser: from the log-in page, through the mail the functions
// send to the mail emulator (read over its Mailpit-style API), to logging in again.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  accessibilityViolations,
  baseUrl,
  launchBrowser,
  screenshot,
  sessionUserId,
  signUpPerson,
  waitForFirebaseUid,
} from "./browser.mjs";

const mailUrl = process.env.E2E_MAIL_URL;

/** The newest mail to `address` whose subject is `subject`, waiting for it to arrive. */
async function mailTo(address, subject, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const listing = await (await fetch(`${mailUrl}/api/v1/messages`)).json();
    const found = listing.messages.find(
      (message) => message.Subject === subject && message.To.some((to) => to.Address === address),
    );
    if (found) return (await fetch(`${mailUrl}/api/v1/message/${found.ID}`)).json();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no "${subject}" mail to ${address} within ${timeoutMs} ms`);
}

/** The mail's one link, moved onto the client under test (mails link to APP_URL). */
function linkIn(mail) {
  const links = mail.Text.match(/https?:\/\/\S+\?token=[\w%-]+/g) ?? [];
  assert.equal(links.length, 1, mail.Text);
  const link = new URL(links[0]);
  return `${baseUrl}${link.pathname}${link.search}`;
}

describe("forgot password", { skip: mailUrl ? false : "E2E_MAIL_URL is not set (run through e2e/run.mjs)" }, () => {
  let browser;
  const pageErrors = [];

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  test("sign-up shows the confirmation banner, and the mailed link confirms the address", async () => {
    const { context, page, account } = await signUpPerson(browser, "verify", "Vera Fink", { pageErrors });
    const banner = page.getByRole("region", { name: "Email confirmation" });
    await banner.waitFor();
    await screenshot(page, "verify-email-banner");
    const mail = await mailTo(account.email, "Confirm your email address for FlowChat");
    await page.goto(linkIn(mail));
    await page.getByText("Your email address is confirmed.").waitFor();
    await page.getByRole("link", { name: "Go to your conversations" }).click();
    await page.getByText("No conversations yet").waitFor();
    assert.equal(await banner.count(), 0);
    await context.close();
  });

  test("from the log-in page through the mail to logging in with the new password", async () => {
    const signedUp = await signUpPerson(browser, "reset", "Robin Meyer", { pageErrors });
    await signedUp.context.close();
    const { account } = signedUp;

    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: "light",
      reducedMotion: "reduce",
    });
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${baseUrl}/login`);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.getByRole("heading", { name: "Forgot your password?" }).waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    await page.getByLabel("Email").fill(account.email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    await screenshot(page, "forgot-password-sent");

    const mail = await mailTo(account.email, "Reset your FlowChat password");
    assert.match(mail.Text, /Robin Meyer/);
    const link = linkIn(mail);
    await page.goto(link);
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    const newPassword = `${account.password} renewed`;
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Repeat the new password").fill(newPassword);
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByRole("heading", { name: "Password changed" }).waitFor();
    await screenshot(page, "reset-password-done");

    // The link worked once.
    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill(`${newPassword} again`);
    await page.getByLabel("Repeat the new password").fill(`${newPassword} again`);
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByText("This reset link is invalid, used or expired").waitFor();

    await page.goto(`${baseUrl}/login`);
    await page.getByLabel("Email or username").fill(account.username);
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("Invalid login or password").waitFor();
    await page.getByLabel("Password").fill(newPassword);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("No conversations yet").waitFor();
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test("account settings: a password change keeps this device signed in, Firebase included", async () => {
    const { context, page, account } = await signUpPerson(browser, "settings", "Sam Ortiz", { pageErrors });
    await page.getByRole("button", { name: "Account menu for Sam Ortiz" }).click();
    await page.getByRole("menuitem", { name: "Account settings" }).click();
    await page.getByRole("heading", { name: "Account settings" }).waitFor();
    await page.getByText("This device").waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    await screenshot(page, "account-settings");

    const newPassword = `${account.password} changed`;
    await page.getByLabel("Current password").fill(account.password);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Your password is changed.").waitFor();
    // The change revoked every Firebase sign-in (the rules refuse older ID tokens); this
    // device signed in again with the token the change returned, so its live data still loads.
    assert.equal(await waitForFirebaseUid(page, await sessionUserId(page)), await sessionUserId(page));
    await page.reload();
    await page.getByText("No conversations yet").waitFor();
    assert.equal(await page.getByText("Couldn't load your conversations").count(), 0);
    await page.goto(`${baseUrl}/settings/account`);
    await page.getByText("This device").waitFor();
    assert.deepEqual(pageErrors, []);
    await context.close();
  });
});
