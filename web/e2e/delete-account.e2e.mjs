// Deleting an account in a real browser: the other person's conversation keeps the
// messages, shown as sent by "Deleted user" (the policy in docs/accounts.md).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { launchBrowser, screenshot, signUpPerson } from "./browser.mjs";

describe("delete account", () => {
  let browser;
  const pageErrors = [];

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  test("the other person sees the messages as sent by Deleted user", async () => {
    const alba = await signUpPerson(browser, "alba", "Alba Reyes", { pageErrors });
    const ben = await signUpPerson(browser, "ben", "Ben Okafor", { pageErrors });
    const composer = (page) => page.getByRole("textbox", { name: /^Message / });

    await alba.page.getByRole("button", { name: "New chat" }).click();
    const dialog = alba.page.getByRole("dialog", { name: "New conversation" });
    await dialog.getByLabel("Username").fill(ben.account.username);
    await dialog.getByRole("button", { name: "Start conversation" }).click();
    await alba.page.getByRole("heading", { level: 1, name: "Ben Okafor" }).waitFor();
    await composer(alba.page).fill("Hello from Alba");
    await composer(alba.page).press("Enter");

    await ben.page
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("link", { name: /^Alba Reyes/ })
      .click();
    const messages = ben.page.getByRole("list", { name: "Messages" });
    await messages.getByText("Hello from Alba").waitFor();
    const conversationUrl = ben.page.url();

    await alba.page.getByRole("button", { name: "Account menu for Alba Reyes" }).click();
    await alba.page.getByRole("menuitem", { name: "Account settings" }).click();
    await alba.page.getByRole("heading", { name: "Delete account" }).waitFor();
    await alba.page.getByLabel("Your password").nth(1).fill(alba.account.password);
    await alba.page.getByLabel('Type "delete my account" to confirm').fill("delete my account");
    await alba.page.getByRole("button", { name: "Delete my account" }).click();
    await alba.page.getByRole("heading", { name: "Welcome back" }).waitFor();

    await ben.page.goto(conversationUrl);
    await messages.getByText("Hello from Alba").waitFor();
    await ben.page.getByText("Deleted user").first().waitFor();
    assert.equal(await ben.page.getByText("Alba Reyes").count(), 0);
    // Nobody is left to write to: no composer, and the conversation says why.
    await ben.page
      .getByText("This person deleted their account. You can read this conversation, but not reply.")
      .waitFor();
    assert.equal(await composer(ben.page).count(), 0);
    await screenshot(ben.page, "deleted-user-conversation");
    assert.deepEqual(pageErrors, []);
  });
});
