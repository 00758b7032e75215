// The backend out of reach while the browser is online, as a firewall or an outage would
// make it: the page is reloaded with the Realtime Database refused (WebSocket and long-poll),
// then Firestore's requests are refused too. The connection banner shows, the other person is
// not claimed "Online", a message stays "Sending…" without "Seen"; once the backend answers
// again the SDKs reconnect on their own, the banner goes and the message is delivered.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { launchBrowser, signUpPerson } from "./browser.mjs";

const firestoreHost = process.env.E2E_FIRESTORE_EMULATOR_HOST;

describe("backend unreachable", () => {
  let browser;
  let ana;
  let ben;

  const messages = (page) => page.getByRole("list", { name: "Messages" });
  const composer = (page) => page.getByRole("textbox", { name: /^Message / });

  before(async () => {
    assert.ok(firestoreHost, "E2E_FIRESTORE_EMULATOR_HOST is set by e2e/run.mjs");
    browser = await launchBrowser();
    ana = await signUpPerson(browser, "ana", "Ana Lima");
    ben = await signUpPerson(browser, "ben", "Ben Ortiz");
    await ana.page.getByRole("button", { name: "New chat" }).click();
    const dialog = ana.page.getByRole("dialog", { name: "New conversation" });
    await dialog.getByLabel("Username").fill(ben.account.username);
    await dialog.getByRole("button", { name: "Start conversation" }).click();
    await ana.page.getByRole("heading", { level: 1, name: "Ben Ortiz" }).waitFor();
    await composer(ana.page).fill("Before the outage");
    await composer(ana.page).press("Enter");
    await ben.page
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("link", { name: /^Ana Lima/ })
      .click();
    await messages(ben.page).getByText("Before the outage").waitFor({ timeout: 15_000 });
    await ana.page.getByTestId("seen-by").waitFor({ timeout: 15_000 });
    await ana.page.getByTestId("peer-presence").filter({ hasText: "Online" }).waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
  });

  test("banner, no presence claimed, an honest Sending…, then recovery", async () => {
    const { context, page } = ana;
    // The Realtime Database out of reach from the start: its WebSocket closes on every try,
    // and its long-polling fallback is refused.
    await context.routeWebSocket(/\/\.ws\b/, (socket) => socket.close());
    await context.route(/\/\.lp\b/, (route) => route.abort("connectionrefused"));
    await page.reload();
    await messages(page).getByText("Before the outage").waitFor({ timeout: 30_000 });

    const banner = page.getByTestId("connection-banner");
    await banner.waitFor({ timeout: 30_000 });
    assert.equal(
      await banner.textContent(),
      "Can't reach FlowChat right now. Messages you send go out when the connection is back.",
    );
    assert.equal(await page.evaluate(() => navigator.onLine), true);
    assert.equal(await page.getByTestId("peer-presence").count(), 0, "Ben's presence is not claimed");

    // Firestore refused too: a message written now cannot go out.
    const firestore = new RegExp(`^https?://${firestoreHost.replace(/[.]/g, "\\.")}/`);
    await context.route(firestore, (route) => route.abort("connectionrefused"));
    await composer(page).fill("Sent during the outage");
    await composer(page).press("Enter");
    const pending = messages(page).getByTestId("message").filter({ hasText: "Sent during the outage" });
    await pending.getByText("Sending…").waitFor();
    await page.waitForTimeout(2_000);
    assert.equal(await pending.getByText("Sending…").count(), 1, "still Sending…, not pretending");
    assert.equal(await page.getByTestId("seen-by").count(), 0, "no Seen under a message that has not gone out");

    // The backend is back: the SDKs reconnect on their own, the message goes out.
    await context.unrouteAll();
    await messages(ben.page).getByText("Sent during the outage").waitFor({ timeout: 90_000 });
    await banner.waitFor({ state: "detached", timeout: 90_000 });
    await pending.getByText("Sending…").waitFor({ state: "detached", timeout: 30_000 });
  });
});
