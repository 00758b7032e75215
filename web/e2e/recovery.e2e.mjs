// Issue 12: Firestore loses everything (a wiped emulator) while PostgreSQL keeps the rooms.
// An old room link opens the conversation again instead of "Conversation not found", and the
// same two people starting their conversation again land in the same room and can talk.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { baseUrl, launchBrowser, screenshot, signUpPerson } from "./browser.mjs";

const firestoreHost = process.env.E2E_FIRESTORE_EMULATOR_HOST;

async function wipeFirestore() {
  const url = `http://${firestoreHost}/emulator/v1/projects/demo-flowchat/databases/(default)/documents`;
  const response = await fetch(url, { method: "DELETE" });
  assert.equal(response.status, 200, await response.text());
}

describe(
  "a Firestore that lost its data",
  { skip: !firestoreHost && "needs E2E_FIRESTORE_EMULATOR_HOST (npm run e2e)" },
  () => {
    let browser;
    const people = {};
    const pageErrors = [];
    let roomPath;

    const messages = (page) => page.getByRole("list", { name: "Messages" });
    async function send(page, label, text) {
      await page.getByLabel(label).fill(text);
      await page.keyboard.press("Enter");
      await messages(page).getByText(text).waitFor();
    }

    before(async () => {
      browser = await launchBrowser();
      people.ana = await signUpPerson(browser, "ana", "Ana Restored", { pageErrors });
      people.ben = await signUpPerson(browser, "ben", "Ben Restored", { pageErrors });
      const { page } = people.ana;
      await page.getByRole("button", { name: "New chat" }).click();
      const dialog = page.getByRole("dialog", { name: "New conversation" });
      await dialog.getByLabel("Username").fill(people.ben.account.username);
      await dialog.getByRole("button", { name: "Start conversation" }).click();
      await page.getByRole("heading", { level: 1, name: "Ben Restored" }).waitFor();
      roomPath = new URL(page.url()).pathname;
      await send(page, "Message Ben Restored", "Before the wipe");
    });

    after(async () => {
      await browser?.close();
    });

    test("an old room link opens the conversation again, its documents restored from PostgreSQL", async () => {
      await wipeFirestore();
      const { page } = people.ana;
      await page.goto(`${baseUrl}${roomPath}`);
      // The room list no longer has it; the page asks the functions, which restore it.
      await page.getByRole("heading", { level: 1, name: "Ben Restored" }).waitFor({ timeout: 20_000 });
      assert.equal(await page.getByText("Conversation not found").count(), 0);
      await page
        .getByRole("navigation", { name: "Conversations" })
        .getByRole("link", { name: /^Ben Restored/ })
        .waitFor();
      // Messages live only in Firestore: the wipe took them, the conversation goes on.
      await page.getByText("No messages yet. Say hello!").waitFor();
      await send(page, "Message Ben Restored", "After the wipe");
      await screenshot(page, "recovery-room-restored");
    });

    test("starting the same conversation again opens the same room, and both can talk", async () => {
      const { page } = people.ben;
      await page.goto(`${baseUrl}/`);
      await page.getByRole("button", { name: "New chat" }).click();
      const dialog = page.getByRole("dialog", { name: "New conversation" });
      await dialog.getByLabel("Username").fill(people.ana.account.username);
      await dialog.getByRole("button", { name: "Start conversation" }).click();
      await page.getByRole("heading", { level: 1, name: "Ana Restored" }).waitFor({ timeout: 20_000 });
      assert.equal(new URL(page.url()).pathname, roomPath);
      await messages(page).getByText("After the wipe").waitFor();
      await send(page, "Message Ana Restored", "Still here");
      await messages(people.ana.page).getByText("Still here").waitFor({ timeout: 15_000 });
    });

    test("a room that is not theirs is not found, after the functions say so", async () => {
      const { page } = people.ana;
      await page.goto(`${baseUrl}/rooms/${randomUUID()}`);
      await page.getByRole("heading", { name: "Conversation not found" }).waitFor({ timeout: 20_000 });
      assert.deepEqual(pageErrors, []);
    });
  },
);
