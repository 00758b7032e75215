// Silent refresh in a real browser: the backend issues 20-second access tokens
// (E2E_ACCESS_TOKEN_TTL_SECONDS), the functions rotate refresh tokens and kill the session
// when a spent one is replayed. Two tabs of one session must both stay logged in.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { baseUrl, launchBrowser, newAccount } from "./browser.mjs";

const TTL_SECONDS = Number(process.env.E2E_ACCESS_TOKEN_TTL_SECONDS ?? 20);

describe("session refresh", () => {
  let browser;
  let context;
  const account = newAccount("tabs");

  before(async () => {
    browser = await launchBrowser();
    context = await browser.newContext({ reducedMotion: "reduce" });
  });

  after(async () => {
    await browser?.close();
  });

  const storedSession = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("flowchat.session") ?? "null"));

  test("two tabs share one session through several refreshes without spending a token twice", async () => {
    const first = await context.newPage();
    await first.goto(`${baseUrl}/signup`);
    await first.getByLabel("Email").fill(account.email);
    await first.getByLabel("Username").fill(account.username);
    await first.getByLabel("Display name").fill(account.displayName);
    await first.getByLabel("Password").fill(account.password);
    await first.getByRole("button", { name: "Create account" }).click();
    await first.getByText("No conversations yet").waitFor();

    const second = await context.newPage();
    await second.goto(baseUrl);
    await second.getByText("No conversations yet").waitFor();
    const initial = await storedSession(first);

    // Past two refresh points: both tabs' timers fire around the same moments.
    await first.waitForTimeout(TTL_SECONDS * 2 * 1000 + 2_000);

    const later = await storedSession(first);
    assert.ok(later, "the session was ended");
    assert.notEqual(later.refreshToken, initial.refreshToken, "no refresh happened");
    assert.equal((await storedSession(second))?.refreshToken, later.refreshToken);

    // Both tabs can still make authorised calls: open the profile page, which calls getProfile
    // for someone else's name (404 is an authorised answer; 401 would end the session).
    for (const page of [first, second]) {
      await page.goto(`${baseUrl}/u/nobody_by_this_name`);
      await page.getByText("No one on FlowChat goes by @nobody_by_this_name.").waitFor();
      assert.equal(new URL(page.url()).pathname, "/u/nobody_by_this_name");
    }
  });
});
