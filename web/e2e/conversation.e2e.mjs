// Reading and writing in a long conversation, in real browsers against the real backend:
// "jump to latest" with a count of what arrived while the person read older messages, read
// markers that wait until those messages are on screen, and drafts kept per room across
// room switches and reloads, shown in the room list, and forgotten on logout; an offline
// banner, and a message sent while offline that goes out on reconnection.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { launchBrowser, screenshot, signUpPerson } from "./browser.mjs";

describe("conversation", () => {
  let browser;
  const pageErrors = [];
  let cleo;
  let dev;

  const conversations = (page) => page.getByRole("navigation", { name: "Conversations" });
  const messages = (page) => page.getByRole("list", { name: "Messages" });
  const composer = (page) => page.getByRole("textbox", { name: /^Message / });

  before(async () => {
    browser = await launchBrowser();
    cleo = await signUpPerson(browser, "cleo", "Cleo Park", { pageErrors });
    dev = await signUpPerson(browser, "dev", "Dev Anand", { pageErrors });

    // Cleo starts a direct conversation and fills it with more than a screenful.
    const { page } = cleo;
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New conversation" });
    await dialog.getByLabel("Name or username").fill(dev.account.username);
    await dialog.getByRole("button", { name: "Start conversation" }).click();
    await page.getByRole("heading", { level: 1, name: "Dev Anand" }).waitFor();
    for (let index = 1; index <= 30; index++) {
      await composer(page).fill(`Update ${index} of 30 on the launch checklist`);
      await composer(page).press("Enter");
    }
    await messages(page).getByText("Update 30 of 30 on the launch checklist").waitFor();
  });

  after(async () => {
    await browser?.close();
    assert.deepEqual(pageErrors, []);
  });

  test("Dev reads older messages, is told what arrives meanwhile, and jumps back to it", async () => {
    const { page } = dev;
    const room = conversations(page).getByRole("link", { name: /^Cleo Park/ });
    await room.click();
    await messages(page).getByText("Update 30 of 30 on the launch checklist").waitFor({ timeout: 15_000 });
    await room.getByTestId("unread-badge").waitFor({ state: "detached", timeout: 15_000 });
    assert.equal(
      await page.getByRole("button", { name: "Jump to latest" }).count(),
      0,
      "at the bottom, there is nothing to jump to",
    );

    await messages(page).hover();
    await page.mouse.wheel(0, -10_000);
    await page.getByRole("button", { name: "Jump to latest" }).waitFor();

    await composer(cleo.page).fill("Are you there?");
    await composer(cleo.page).press("Enter");
    await composer(cleo.page).fill("The venue called back");
    await composer(cleo.page).press("Enter");
    const jump = page.getByRole("button", { name: "2 new messages" });
    await jump.waitFor({ timeout: 15_000 });
    // Not read yet: the list counts them while Dev is up in the history.
    await room.getByTestId("unread-badge").getByText("2").waitFor({ timeout: 15_000 });
    await messages(page).getByText("The venue called back").waitFor();
    assert.equal(
      onScreen(page, await messages(page).getByText("The venue called back").boundingBox()),
      false,
      "Dev stays where he was reading",
    );
    await screenshot(page, "conversation-jump-to-latest");

    await jump.click();
    await page.waitForFunction(() => {
      const last = [...document.querySelectorAll("[data-testid=message]")].at(-1);
      const box = last?.getBoundingClientRect();
      return box !== undefined && box.bottom <= window.innerHeight && box.top >= 0;
    });
    await jump.waitFor({ state: "detached" });
    await room.getByTestId("unread-badge").waitFor({ state: "detached", timeout: 15_000 });
    assert.equal(await composer(page).evaluate((box) => box === document.activeElement), true, "back to writing");
  });

  test("Dev's half-written reply survives leaving the room and a reload, and goes once sent", async () => {
    const { page } = dev;
    await composer(page).fill("Tell them we need the hall from 9, and");
    await page.getByRole("link", { name: "FlowChat" }).click();
    const room = conversations(page).getByRole("link", { name: /^Cleo Park/ });
    await room.getByText("Draft: Tell them we need the hall from 9, and").waitFor();
    await screenshot(page, "conversation-draft-in-list");

    await page.reload();
    await room.getByText("Draft: Tell them we need the hall from 9, and").waitFor({ timeout: 15_000 });
    await room.click();
    assert.equal(await composer(page).inputValue(), "Tell them we need the hall from 9, and");

    await composer(page).press("End");
    await composer(page).pressSequentially(" the projector.");
    await composer(page).press("Enter");
    await messages(cleo.page)
      .getByText("Tell them we need the hall from 9, and the projector.")
      .waitFor({ timeout: 15_000 });
    await page.getByRole("link", { name: "FlowChat" }).click();
    await room.getByText("You: Tell them we need the hall from 9, and the projector.").waitFor({ timeout: 15_000 });
    assert.equal(await room.getByText(/^Draft:/).count(), 0);
  });

  test("offline, Dev is told so; what he sends meanwhile goes out when he is back", async () => {
    const { page, context } = dev;
    await conversations(page)
      .getByRole("link", { name: /^Cleo Park/ })
      .click();
    await context.setOffline(true);
    const banner = page.getByRole("status").filter({ hasText: "You're offline" });
    await banner.waitFor();
    await composer(page).fill("Sent from the tunnel");
    await composer(page).press("Enter");
    await messages(page)
      .getByTestId("message")
      .filter({ hasText: "Sent from the tunnel" })
      .getByText("Sending…")
      .waitFor();
    await screenshot(page, "conversation-offline");

    await context.setOffline(false);
    await banner.waitFor({ state: "detached" });
    await messages(cleo.page).getByText("Sent from the tunnel").waitFor({ timeout: 30_000 });
    await messages(page).getByText("Sending…").waitFor({ state: "detached", timeout: 30_000 });
  });

  test("logging out forgets this person's drafts on the device", async () => {
    const { page } = dev;
    await conversations(page)
      .getByRole("link", { name: /^Cleo Park/ })
      .click();
    await composer(page).fill("Something private I did not send");
    await page.getByRole("button", { name: "Account menu for Dev Anand" }).click();
    await page.getByRole("menuitem", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Welcome back" }).waitFor();

    const stored = await page.evaluate(() =>
      Object.keys(localStorage).filter((key) => key.startsWith("flowchat.draft.")),
    );
    assert.deepEqual(stored, []);
  });
});

/** Whether a bounding box lies (at least partly) inside the page's viewport. */
function onScreen(page, box) {
  return box !== null && box.y < page.viewportSize().height && box.y + box.height > 0;
}
