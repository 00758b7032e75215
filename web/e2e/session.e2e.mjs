// Silent refresh in a real browser: the backend issues 20-second access tokens
// (E2E_ACCESS_TOKEN_TTL_SECONDS), the functions rotate refresh tokens and kill the session
// when a spent one is replayed. Two tabs of one session must both stay logged in.
//
// The test follows the refreshes it can see (the rotated token in localStorage) rather than
// sleeping for a fixed time. A sleep of 2 × TTL ends within a few seconds of the third refresh
// point (refreshes come every ¾ TTL), so on a slow machine the page loads below could abort a
// refresh in flight: the server has rotated, the tab never stores the answer, and the next
// refresh replays the spent token, which ends the session. Right after a rotation the next
// refresh is ¾ TTL away.
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

  /** Waits until the stored session holds a refresh token other than `previous`; null if it ended. */
  const nextRotation = async (page, previous) => {
    const handle = await page.waitForFunction(
      (spent) => {
        const session = JSON.parse(localStorage.getItem("flowchat.session") ?? "null");
        if (!session) return { ended: true };
        return session.refreshToken !== spent ? session : false;
      },
      previous,
      // A refresh is due three quarters into a token's life; the rest is slack for a loaded machine.
      { polling: 100, timeout: TTL_SECONDS * 1000 + 30_000 },
    );
    const session = await handle.jsonValue();
    return session.ended ? null : session;
  };

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

    // Two refresh points: both tabs' timers fire around the same moments.
    let later = initial;
    for (let refresh = 1; refresh <= 2; refresh += 1) {
      later = await nextRotation(first, later.refreshToken);
      assert.ok(later, `the session was ended at refresh ${refresh}`);
    }
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
