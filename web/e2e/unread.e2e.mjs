// Unread counts in real browsers against the real backend, from the room-list rows alone
// (no count queries): Ben on a laptop and a phone sees the same badge, reading on one clears
// the other, his own messages never count, a rejoin counts from the rejoin, and a backlog of
// more than 1,000 messages is counted exactly.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { baseUrl, launchBrowser, screenshot, sessionUserId, signUpPerson } from "./browser.mjs";

const firestoreHost = process.env.E2E_FIRESTORE_EMULATOR_HOST;
const BACKLOG = 1_050;

/** Ana's backlog written straight into Firestore over REST as an admin, as a bulk import
 * would; the message trigger numbers each message as it would one sent from a browser. */
async function seedBacklog(roomId, senderId, count) {
  const database = "projects/demo-flowchat/databases/(default)";
  const start = Date.now();
  for (let first = 0; first < count; first += 400) {
    const writes = [];
    for (let index = first; index < Math.min(first + 400, count); index++) {
      writes.push({
        update: {
          name: `${database}/documents/rooms/${roomId}/messages/backlog${String(index).padStart(5, "0")}`,
          fields: {
            senderId: { stringValue: senderId },
            text: { stringValue: `Backlog message ${index + 1}` },
            createdAt: { timestampValue: new Date(start + index).toISOString() },
          },
        },
      });
    }
    const response = await fetch(`http://${firestoreHost}/v1/${database}/documents:commit`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer owner" },
      body: JSON.stringify({ writes }),
    });
    assert.equal(response.status, 200, await response.text());
  }
}

describe("unread counts", { skip: !firestoreHost && "needs E2E_FIRESTORE_EMULATOR_HOST (npm run e2e)" }, () => {
  let browser;
  const pageErrors = [];
  let ana;
  let laptop;
  let phone;
  let joinLink;
  let roomId;

  const conversations = (page) => page.getByRole("navigation", { name: "Conversations" });
  const roomLink = (page) => conversations(page).getByRole("link", { name: /^Standup/ });
  const badge = (page) => roomLink(page).getByTestId("unread-badge");
  const composer = (page) => page.getByRole("textbox", { name: "Message Standup" });
  const home = (page) => page.getByRole("link", { name: "FlowChat" }).click();

  async function send(page, text) {
    await composer(page).fill(text);
    await composer(page).press("Enter");
    await page.getByRole("list", { name: "Messages" }).getByText(text).waitFor({ timeout: 15_000 });
  }

  before(async () => {
    browser = await launchBrowser();
    ana = await signUpPerson(browser, "ana", "Ana Unread", { pageErrors });
    laptop = await signUpPerson(browser, "ben", "Ben Unread", { pageErrors });

    // Ben's second device: the same account, logged in on a phone.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" });
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(`ben's phone: ${error.message}`));
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel("Email or username").fill(laptop.account.username);
    await page.getByLabel("Password").fill(laptop.account.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("No conversations yet").waitFor();
    phone = { context, page };

    // Ana opens a public group; Ben joins it by its link.
    await ana.page.getByRole("button", { name: "New group" }).click();
    const dialog = ana.page.getByRole("dialog", { name: "New group" });
    await dialog.getByLabel("Name").fill("Standup");
    await dialog.getByLabel("Private").uncheck();
    await dialog.getByRole("button", { name: "Create group" }).click();
    await ana.page.getByRole("heading", { level: 1, name: "Standup" }).waitFor({ timeout: 15_000 });
    await ana.page.getByRole("button", { name: "Conversation settings" }).click();
    joinLink = await ana.page.getByRole("dialog").getByLabel("Invite link").inputValue();
    roomId = joinLink.split("/").at(-1);
    await ana.page.keyboard.press("Escape");
    await laptop.page.goto(joinLink);
    await laptop.page.getByRole("heading", { level: 1, name: "Standup" }).waitFor({ timeout: 15_000 });
    await home(laptop.page);
    await roomLink(phone.page).waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
    assert.deepEqual(pageErrors, []);
  });

  test("both of Ben's devices show the same count; reading on one clears the other", async () => {
    for (const text of ["Morning all", "Build is green", "Demo at 3"]) await send(ana.page, text);
    await badge(laptop.page).getByText("3").waitFor({ timeout: 15_000 });
    await badge(phone.page).getByText("3").waitFor({ timeout: 15_000 });
    await screenshot(phone.page, "unread-two-devices");

    await roomLink(laptop.page).click();
    await laptop.page.getByRole("list", { name: "Messages" }).getByText("Demo at 3").waitFor({ timeout: 15_000 });
    await badge(laptop.page).waitFor({ state: "detached", timeout: 15_000 });
    await badge(phone.page).waitFor({ state: "detached", timeout: 15_000 });

    // The other way round: the phone reads what came while both were on the list.
    await home(laptop.page);
    await send(ana.page, "Who has the slides?");
    await badge(laptop.page).getByText("1").waitFor({ timeout: 15_000 });
    await badge(phone.page).getByText("1").waitFor({ timeout: 15_000 });
    await roomLink(phone.page).click();
    await phone.page
      .getByRole("list", { name: "Messages" })
      .getByText("Who has the slides?")
      .waitFor({ timeout: 15_000 });
    await badge(laptop.page).waitFor({ state: "detached", timeout: 15_000 });
    await home(phone.page);
    await roomLink(laptop.page).click();
  });

  test("Ben's own messages never count, on either device", async () => {
    await send(laptop.page, "I do");
    await roomLink(phone.page).getByText("You: I do").waitFor({ timeout: 15_000 });
    await home(laptop.page);
    await roomLink(laptop.page).getByText("You: I do").waitFor({ timeout: 15_000 });
    // The row has moved past Ben's message and stays clear after it settles.
    await phone.page.waitForTimeout(1_500);
    assert.equal(await badge(phone.page).count(), 0);
    assert.equal(await badge(laptop.page).count(), 0);
  });

  test("after leaving and rejoining, only what came after the rejoin counts", async () => {
    await roomLink(laptop.page).click();
    await laptop.page.getByRole("button", { name: "Conversation settings" }).click();
    const settings = laptop.page.getByRole("dialog", { name: "Standup settings" });
    await settings.getByRole("button", { name: "Leave room" }).click();
    await settings.getByRole("button", { name: "Leave", exact: true }).click();
    await laptop.page.getByText("You left Standup.").waitFor({ timeout: 15_000 });
    await roomLink(phone.page).waitFor({ state: "detached", timeout: 15_000 });

    await send(ana.page, "Ben left, carrying on");
    await send(ana.page, "Slides are in the drive");
    await laptop.page.goto(joinLink);
    await laptop.page.getByRole("heading", { level: 1, name: "Standup" }).waitFor({ timeout: 15_000 });
    await home(laptop.page);
    await roomLink(phone.page)
      .getByText(/Slides are in the drive/)
      .waitFor({ timeout: 15_000 });
    assert.equal(await badge(phone.page).count(), 0, "what was sent while Ben was away is not unread");

    await send(ana.page, "Welcome back");
    await badge(phone.page).getByText("1").waitFor({ timeout: 15_000 });
    await badge(laptop.page).getByText("1").waitFor({ timeout: 15_000 });
  });

  test(`a backlog of ${BACKLOG} messages is counted exactly`, async () => {
    // Ben reads first, so the count is the backlog alone.
    await roomLink(laptop.page).click();
    await laptop.page.getByRole("list", { name: "Messages" }).getByText("Welcome back").waitFor({ timeout: 15_000 });
    await badge(phone.page).waitFor({ state: "detached", timeout: 15_000 });
    await home(laptop.page);

    const anaId = await sessionUserId(ana.page);
    await seedBacklog(roomId, anaId, BACKLOG);
    const exact = new RegExp(`^Standup\\W+${BACKLOG} unread`);
    // The triggers number about 50 messages a second here.
    await conversations(phone.page).getByRole("link", { name: exact }).waitFor({ timeout: 120_000 });
    await conversations(laptop.page).getByRole("link", { name: exact }).waitFor({ timeout: 15_000 });
    assert.equal(await badge(phone.page).textContent(), "99+");
    await screenshot(phone.page, "unread-backlog");

    await roomLink(phone.page).click();
    await phone.page
      .getByRole("list", { name: "Messages" })
      .getByText(`Backlog message ${BACKLOG}`)
      .waitFor({ timeout: 15_000 });
    await badge(laptop.page).waitFor({ state: "detached", timeout: 15_000 });
  });
});
