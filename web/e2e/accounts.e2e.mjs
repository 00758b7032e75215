// Accounts in a real browser against the real functions and the Auth emulator.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  accessibilityViolations,
  baseUrl,
  launchBrowser,
  newAccount,
  screenshot,
  sessionUserId,
  waitForFirebaseUid,
} from "./browser.mjs";

async function assertAccessible(page, screen) {
  const violations = await accessibilityViolations(page);
  assert.deepEqual(violations, [], `${screen}: axe found ${JSON.stringify(violations, null, 2)}`);
}

const EMPTY_CONVERSATION = "Pick a room or start a conversation";

describe("accounts", () => {
  let browser;
  let context;
  let page;
  const account = newAccount();
  const pageErrors = [];

  before(async () => {
    browser = await launchBrowser();
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: "light",
      reducedMotion: "reduce",
    });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
  });

  async function openAccountMenu() {
    await page.getByRole("button", { name: `Account menu for ${account.displayName}` }).click();
  }

  async function logOut() {
    await openAccountMenu();
    await page.getByRole("menuitem", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Welcome back" }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/login");
  }

  async function logIn(login, password) {
    await page.getByLabel("Email or username").fill(login);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
  }

  test("signed-out visitors land on the log-in screen", async () => {
    await page.goto(baseUrl);
    await page.getByRole("heading", { name: "Welcome back" }).waitFor();
    assert.equal(new URL(page.url()).pathname, "/login");
    await screenshot(page, "login-light");
    await assertAccessible(page, "login-light");
  });

  test("sign-up shows the server's validation message beside the field", async () => {
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Username").fill(account.username);
    await page.getByLabel("Display name").fill(account.displayName);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();

    const password = page.getByLabel("Password");
    await page.waitForFunction(
      () => document.querySelector("input[name=password]")?.getAttribute("aria-invalid") === "true",
    );
    const description = await password.evaluate(
      (input) => document.getElementById(input.getAttribute("aria-describedby"))?.textContent,
    );
    assert.match(description, /^Must be at least \d+ characters/);
    await screenshot(page, "signup-field-error");
    await assertAccessible(page, "signup-field-error");
  });

  test("signs up and lands in the app, signed into Firebase too", async () => {
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Create account" }).click();

    await page.getByRole("heading", { name: EMPTY_CONVERSATION }).waitFor();
    await page.getByText("No conversations yet").waitFor();
    // signInWithCustomToken against the Auth emulator made Firebase see the same user.
    const userId = await sessionUserId(page);
    assert.ok(userId);
    assert.equal(await waitForFirebaseUid(page, userId), userId);
    assert.equal(await page.getByText("Live updates are unavailable").count(), 0);
    await screenshot(page, "app-empty-light");
    await assertAccessible(page, "app-empty-light");
  });

  test("stays logged in across a reload", async () => {
    await page.reload();
    await page.getByRole("heading", { name: EMPTY_CONVERSATION }).waitFor();
    await page.getByRole("button", { name: `Account menu for ${account.displayName}` }).waitFor();
    assert.equal(await page.getByText("Live updates are unavailable").count(), 0);
  });

  test("edits the profile and shows it on the profile page", async () => {
    await openAccountMenu();
    await screenshot(page, "user-menu");
    await page.getByRole("menuitem", { name: "Edit profile" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit profile" });
    await dialog.getByLabel("Bio").fill("Writes the release notes nobody reads.");
    await screenshot(page, "profile-dialog");
    await assertAccessible(page, "profile-dialog");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });

    await openAccountMenu();
    await page.getByRole("menuitem", { name: "Your profile" }).click();
    await page.getByRole("heading", { name: account.displayName }).waitFor();
    await page.getByText("Writes the release notes nobody reads.").waitFor();
    await screenshot(page, "profile-page");
    await assertAccessible(page, "profile-page");

    // Saved on the server: a reload fetches nothing from the cache that the server disagrees with.
    await page.reload();
    await page.getByText("Writes the release notes nobody reads.").waitFor();
  });

  test("logs out, and logs back in with the username", async () => {
    await logOut();
    assert.equal(await sessionUserId(page), null);
    assert.equal(await waitForFirebaseUid(page, null), null);
    await page.reload();
    await page.getByRole("heading", { name: "Welcome back" }).waitFor();

    await logIn(account.username, account.password);
    await page.getByRole("heading", { name: EMPTY_CONVERSATION }).waitFor();
    const userId = await sessionUserId(page);
    assert.equal(await waitForFirebaseUid(page, userId), userId);
  });

  test("a wrong password shows the server's error", async () => {
    await logOut();
    await logIn(account.email, "not the password");

    const alert = page.getByRole("alert").filter({ hasText: /\S/ });
    await alert.waitFor();
    assert.match(await alert.innerText(), /invalid login or password/i);
    assert.equal(new URL(page.url()).pathname, "/login");
    await screenshot(page, "login-wrong-password");
    await assertAccessible(page, "login-wrong-password");
  });

  test("dark theme and a phone-sized screen", async () => {
    await logIn(account.email, account.password);
    await page.getByRole("heading", { name: EMPTY_CONVERSATION }).waitFor();
    await page.getByRole("button", { name: "Switch to dark theme" }).click();
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains("dark")), true);
    await page.mouse.move(0, 400);
    await page.waitForTimeout(300); // let the repaint settle before capturing
    await screenshot(page, "app-empty-dark");
    await assertAccessible(page, "app-empty-dark");

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
      reducedMotion: "reduce",
      isMobile: true,
      hasTouch: true,
    });
    const phonePage = await phone.newPage();
    await phonePage.goto(`${baseUrl}/login`);
    await phonePage.getByRole("heading", { name: "Welcome back" }).waitFor();
    await screenshot(phonePage, "login-phone-dark");
    await assertAccessible(phonePage, "login-phone-dark");
    await phonePage.getByLabel("Email or username").fill(account.username);
    await phonePage.getByLabel("Password").fill(account.password);
    await phonePage.getByRole("button", { name: "Log in" }).click();
    await phonePage.getByText("No conversations yet").waitFor();
    assert.equal(await phonePage.getByRole("heading", { name: EMPTY_CONVERSATION }).isVisible(), false);
    await screenshot(phonePage, "app-phone-dark");
    await assertAccessible(phonePage, "app-phone-dark");
    await phone.close();
  });

  test("repeated wrong passwords are throttled, and the wait is shown", async () => {
    await logOut();
    let status = 0;
    for (let attempt = 1; attempt <= 10 && status !== 429; attempt += 1) {
      const answered = page.waitForResponse(
        (response) => response.url().endsWith("/login") && response.request().method() === "POST",
      );
      await logIn(account.username, `wrong guess ${attempt}`);
      status = (await answered).status();
    }
    assert.equal(status, 429);
    const alert = page.getByRole("alert").filter({ hasText: /try again/i });
    await alert.waitFor();
    const message = await alert.innerText();
    assert.match(message, /try again in \d+/i);
    await screenshot(page, "login-throttled");
    await assertAccessible(page, "login-throttled");
  });

  test("no uncaught errors in the page along the way", () => {
    assert.deepEqual(pageErrors, []);
  });
});
