// Chat in real browsers against the real backend: Firestore (rules enforced), the RTDB for
// presence, the functions (rooms, triggers, signUpload) and the local Cloudinary.
// Two people in two browser contexts start a direct conversation by username and talk.
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { accessibilityViolations, baseUrl, launchBrowser, screenshot, signUpPerson } from "./browser.mjs";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A noisy RGB picture (about 1 MB, so the upload takes long enough to show its progress). */
function photoPng(width = 640, height = 480) {
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const noise = Math.floor(Math.random() * 60);
      row[1 + x * 3] = Math.min(255, 40 + Math.floor((x / width) * 160) + noise);
      row[2 + x * 3] = Math.min(255, 90 + Math.floor((y / height) * 120) + noise);
      row[3 + x * 3] = Math.min(255, 170 + noise);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(Buffer.concat(rows), { level: 1 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

async function assertAccessible(page, screen) {
  const violations = await accessibilityViolations(page);
  assert.deepEqual(violations, [], `${screen}: axe found ${JSON.stringify(violations, null, 2)}`);
}

describe("chat", () => {
  let browser;
  const people = {};
  const pageErrors = [];
  let roomPath;

  const signUp = (label, displayName) => signUpPerson(browser, label, displayName, { pageErrors });

  const conversations = (page) => page.getByRole("navigation", { name: "Conversations" });
  const messages = (page) => page.getByRole("list", { name: "Messages" });
  async function send(page, text) {
    const box = page.getByRole("textbox", { name: /^Message / });
    await box.fill(text);
    await box.press("Enter");
  }

  before(async () => {
    browser = await launchBrowser();
    people.ana = await signUp("ana", "Ana Lima");
    people.ben = await signUp("ben", "Ben Okafor");
  });

  after(async () => {
    await browser?.close();
  });

  test("Ana starts a direct conversation with Ben by username", async () => {
    const { page } = people.ana;
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New conversation" });
    await dialog.getByLabel("Name or username").fill(`@${people.ben.account.username}`);
    await screenshot(page, "chat-new-conversation");
    await assertAccessible(page, "new conversation dialog");
    await dialog.getByRole("button", { name: "Start conversation" }).click();
    await page.getByRole("heading", { level: 1, name: "Ben Okafor" }).waitFor();
    roomPath = new URL(page.url()).pathname;
    assert.match(roomPath, /^\/rooms\/[0-9a-f-]{36}$/);
    await page.getByText("No messages yet. Say hello!").waitFor();
    // Ben is signed in in another browser: online.
    await page.getByTestId("peer-presence").getByText("Online").waitFor({ timeout: 15_000 });
  });

  test("a message arrives live, with an unread badge until Ben reads it, and Ana sees it was seen", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    await ana.getByLabel("Message Ben Okafor").fill("Hi Ben! Are we still on for the design review at 3?");
    await ana.keyboard.press("Enter");
    await messages(ana).getByText("Hi Ben! Are we still on for the design review at 3?").waitFor();

    // Ben's list shows the new conversation with one unread message.
    const roomLink = conversations(ben).getByRole("link", { name: /^Ana Lima/ });
    await roomLink.waitFor({ timeout: 15_000 });
    await roomLink.getByTestId("unread-badge").getByText("1").waitFor({ timeout: 15_000 });
    await ben.getByText("Ana Lima").first().waitFor();
    await screenshot(ben, "chat-unread-badge");

    await roomLink.click();
    await messages(ben).getByText("Hi Ben! Are we still on for the design review at 3?").waitFor();
    // Reading clears the badge and Ana sees "Seen".
    await roomLink.getByTestId("unread-badge").waitFor({ state: "detached", timeout: 15_000 });
    await ana.getByTestId("seen-by").getByText("Seen").waitFor({ timeout: 15_000 });
  });

  test("Ana sees Ben typing, then his reply in real time", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    const box = ben.getByLabel("Message Ana Lima");
    await box.click();
    await box.pressSequentially("Yes, see you th", { delay: 20 });
    await ana.getByText("Ben Okafor is typing…").waitFor({ timeout: 15_000 });
    await screenshot(ana, "chat-typing");
    await box.pressSequentially("ere. I'll bring the prototypes.", { delay: 5 });
    await ben.keyboard.press("Enter");
    await messages(ana).getByText("Yes, see you there. I'll bring the prototypes.").waitFor({ timeout: 15_000 });
    // Sending clears the typing state.
    await ana.getByText("Ben Okafor is typing…").waitFor({ state: "detached", timeout: 15_000 });
  });

  test("Ben can stop sharing read receipts, and share them again", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    const receipts = ben.getByRole("dialog").getByLabel("Share read receipts");
    await ben.getByRole("button", { name: "Conversation settings" }).click();
    await receipts.uncheck();
    await ben.keyboard.press("Escape");

    await send(ana, "Did you get the slides?");
    await messages(ben).getByText("Did you get the slides?").waitFor({ timeout: 15_000 });
    await ana.waitForTimeout(2_000);
    assert.equal(await ana.getByTestId("seen-by").count(), 0, "Ben's marker is private now");

    await ben.getByRole("button", { name: "Conversation settings" }).click();
    await receipts.check();
    await ben.keyboard.press("Escape");
    await ana.getByTestId("seen-by").getByText("Seen").waitFor({ timeout: 15_000 });
  });

  test("Ana shares a picture: a progress bar while it uploads, the verified preview on Ben's side", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    const progress = ana.getByRole("progressbar", { name: "Uploading mockup.png" });
    const sawProgress = progress.waitFor({ timeout: 15_000 }).then(() => true);
    await ana
      .getByTestId("attachment-input")
      .setInputFiles({ name: "mockup.png", mimeType: "image/png", buffer: photoPng() });
    assert.equal(await sawProgress, true);
    await progress.waitFor({ state: "detached", timeout: 30_000 });

    const picture = messages(ben).getByRole("img", { name: "mockup.png" });
    await picture.waitFor({ timeout: 15_000 });
    // Once the function has verified the upload, the bubble shows its preview transformation.
    await ben.waitForFunction(
      () =>
        [...document.querySelectorAll('img[alt="mockup.png"]')].some(
          (img) => img.src.includes("c_limit") && img.complete && img.naturalWidth > 0,
        ),
      null,
      { timeout: 30_000 },
    );
    // Ben has the conversation open: the picture leaves no unread notification in his bell,
    // however late its trigger writes one.
    await ben.waitForTimeout(3_000);
    await ben.getByRole("button", { name: "Notifications", exact: true }).waitFor({ timeout: 15_000 });
    await screenshot(ben, "chat-conversation");
    await screenshot(ana, "chat-conversation-sender");
    await assertAccessible(ben, "conversation");
  });

  test("Ben opens the picture in the lightbox: the full-size original, closed again with Esc", async () => {
    const ben = people.ben.page;
    const thumbnail = messages(ben).getByRole("button", { name: "Open image mockup.png" });
    await thumbnail.click();
    const lightbox = ben.getByRole("dialog", { name: "mockup.png" });
    await lightbox.getByText("640 × 480").waitFor();
    const original = await lightbox.getByRole("link", { name: "Open original" }).getAttribute("href");
    assert.match(original, /^https?:\/\/.*\/image\/upload\//);
    assert.doesNotMatch(original, /c_limit/, "the original, not the preview transformation");
    const picture = lightbox.getByRole("img", { name: "mockup.png" });
    assert.equal(await picture.getAttribute("src"), original);
    // It has really loaded from the local Cloudinary, and the spinner has gone.
    await ben.waitForFunction(
      (src) =>
        [...document.querySelectorAll('[role="dialog"] img')].some(
          (img) => img.src === src && img.complete && img.naturalWidth > 0,
        ),
      original,
      { timeout: 15_000 },
    );
    await lightbox.getByRole("status").waitFor({ state: "detached" });
    await screenshot(ben, "chat-lightbox");
    await assertAccessible(ben, "image lightbox");
    await ben.setViewportSize({ width: 390, height: 844 });
    await ben.emulateMedia({ colorScheme: "dark" });
    await screenshot(ben, "chat-lightbox-phone-dark");
    await ben.emulateMedia({ colorScheme: "light" });
    await ben.setViewportSize({ width: 1280, height: 800 });

    await ben.keyboard.press("Escape");
    await lightbox.waitFor({ state: "detached" });
    assert.equal(
      await thumbnail.evaluate((button) => button === document.activeElement),
      true,
      "focus is back on the thumbnail",
    );
  });

  test("Ben drops a text file on the conversation; Ana gets a link to it", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    await ben.getByRole("region", { name: "Conversation: Ana Lima" }).evaluate((region) => {
      const data = new DataTransfer();
      data.items.add(new File(["Agenda\n1. Mockups\n2. Prototypes\n"], "agenda.txt", { type: "text/plain" }));
      for (const type of ["dragover", "drop"]) {
        region.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      }
    });
    const link = messages(ana).getByRole("link", { name: /agenda\.txt/ });
    await link.waitFor({ timeout: 30_000 });
    const href = await link.getAttribute("href");
    const response = await fetch(href);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Prototypes/);
    // The room summary (written by the message trigger) moves on to the file.
    await conversations(ana)
      .getByRole("link", { name: /Ben Okafor/ })
      .getByText(/^Ben Okafor: .*Attachment$/)
      .waitFor({ timeout: 15_000 });
  });

  test("a hidden tab shows as away", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    await ben.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await ana.getByTestId("peer-presence").getByText("Away").waitFor({ timeout: 15_000 });
    await ben.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await ana.getByTestId("peer-presence").getByText("Online").waitFor({ timeout: 15_000 });
  });

  test("blocking closes the conversation for posting; unblocking opens it again", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    const settings = ana.getByRole("dialog", { name: "Conversation with Ben Okafor" });
    await ana.getByRole("button", { name: "Conversation settings" }).click();
    await settings.getByRole("button", { name: "Block Ben Okafor" }).click();
    await settings.getByRole("button", { name: "Unblock Ben Okafor" }).waitFor({ timeout: 15_000 });
    await ana.keyboard.press("Escape");
    // The membership mirror says neither may post: the composer is closed, and so are the rules.
    await ana.getByText("You can't send messages in this conversation", { exact: false }).waitFor({ timeout: 15_000 });
    assert.equal(await ana.getByLabel("Message Ben Okafor").isDisabled(), true);
    await ben.getByText("You can't send messages in this conversation", { exact: false }).waitFor({ timeout: 15_000 });
    await screenshot(ben, "chat-blocked");

    await ana.getByRole("button", { name: "Conversation settings" }).click();
    await settings.getByRole("button", { name: "Unblock Ben Okafor" }).click();
    await settings.getByRole("button", { name: "Block Ben Okafor" }).waitFor({ timeout: 15_000 });
    await ana.keyboard.press("Escape");
    await ana.getByLabel("Message Ben Okafor").fill("Sorry, wrong button!");
    await ana.keyboard.press("Enter");
    await messages(ben).getByText("Sorry, wrong button!").waitFor({ timeout: 15_000 });
  });

  test("a third person cannot open the conversation", async () => {
    const cy = await signUp("cy", "Cy Tran");
    try {
      await cy.page.goto(`${baseUrl}${roomPath}`);
      await cy.page.getByRole("heading", { name: "Conversation not found" }).waitFor();
      await assert.rejects(messages(cy.page).waitFor({ timeout: 1_000 }), "the third person must not see the messages");
    } finally {
      await cy.context.close();
    }
  });

  test("when Ben leaves, Ana sees him go offline", async () => {
    const ana = people.ana.page;
    await people.ben.context.close();
    await ana
      .getByTestId("peer-presence")
      .getByText(/Offline|Last seen/)
      .waitFor({ timeout: 30_000 });
    await screenshot(ana, "chat-peer-offline");
    assert.deepEqual(pageErrors, []);
  });
});

describe("groups", () => {
  let browser;
  const people = {};
  const pageErrors = [];

  const signUp = (label, displayName) => signUpPerson(browser, label, displayName, { pageErrors });

  const messages = (page) => page.getByRole("list", { name: "Messages" });
  const message = (page, text) => messages(page).getByTestId("message").filter({ hasText: text });

  async function send(page, box, text) {
    await box.fill(text);
    await box.press("Enter");
  }

  async function messageAction(page, text, from, action) {
    // The first match: replies quote the message they answer.
    const bubble = message(page, text).first();
    await bubble.hover();
    await bubble.getByRole("button", { name: `Actions for message from ${from}` }).click();
    await page.getByRole("menuitem", { name: action }).click();
  }

  before(async () => {
    browser = await launchBrowser();
    people.dee = await signUp("dee", "Dee Nguyen");
    people.eli = await signUp("eli", "Eli Berg");
  });

  after(async () => {
    await browser?.close();
  });

  test("Dee creates a private group and invites Eli, who accepts", async () => {
    const dee = people.dee.page;
    const eli = people.eli.page;
    await dee.getByRole("button", { name: "New group" }).click();
    const dialog = dee.getByRole("dialog", { name: "New group" });
    await dialog.getByLabel("Name").fill("Design team");
    await dialog.getByLabel("Topic (optional)").fill("Reviews, mockups and the odd meme");
    await dialog.getByLabel("Invite people (optional)").fill(`@${people.eli.account.username}`);
    await screenshot(dee, "chat-new-group");
    await assertAccessible(dee, "new group dialog");
    await dialog.getByRole("button", { name: "Create group" }).click();
    await dee.getByRole("heading", { level: 1, name: "Design team" }).waitFor({ timeout: 15_000 });

    // Invites come from a callable; a reload asks for them at once.
    await eli.reload();
    await eli
      .getByRole("region", { name: /Invites/ })
      .getByText("Design team")
      .waitFor({ timeout: 15_000 });
    await screenshot(eli, "chat-invite");
    await assertAccessible(eli, "invites");
    await eli.getByRole("button", { name: "Accept the invite to Design team" }).click();
    await eli.getByRole("heading", { level: 1, name: "Design team" }).waitFor({ timeout: 15_000 });
  });

  test("an @mention marks the room for Eli until he reads it", async () => {
    const dee = people.dee.page;
    const eli = people.eli.page;
    await eli.getByRole("link", { name: "FlowChat" }).click();
    // "@" suggests the members; picking one inserts the username.
    const box = dee.getByLabel("Message Design team");
    await box.pressSequentially("@eli", { delay: 20 });
    const suggestion = dee.getByRole("listbox", { name: "Mention someone" }).getByRole("option", { name: /Eli Berg/ });
    await suggestion.waitFor({ timeout: 15_000 });
    await screenshot(dee, "chat-mention-suggestions");
    await assertAccessible(dee, "mention suggestions");
    await suggestion.click();
    await box.pressSequentially("can you review the mockups?", { delay: 5 });
    assert.equal(await box.inputValue(), `@${people.eli.account.username} can you review the mockups?`);
    await box.press("Enter");
    await message(dee, "can you review the mockups?").getByText(`@${people.eli.account.username}`).waitFor();
    const list = eli.getByRole("navigation", { name: "Conversations" });
    const mentioned = list.getByRole("link", { name: /Design team.*1 unread.*mentions you/ });
    await mentioned.waitFor({ timeout: 15_000 });
    await screenshot(eli, "chat-mention");
    await mentioned.click();
    await message(eli, "can you review the mockups?").waitFor();
    await list.getByRole("link", { name: /mentions you/ }).waitFor({ state: "detached", timeout: 15_000 });
  });

  test("reactions, replies, edits and deletes reach the other member", async () => {
    const dee = people.dee.page;
    const eli = people.eli.page;
    await send(dee, dee.getByLabel("Message Design team"), "Morning all");
    await message(eli, "Morning all").waitFor({ timeout: 15_000 });

    await messageAction(eli, "Morning all", "Dee Nguyen", "React with 👍");
    await message(dee, "Morning all").getByRole("button", { name: /👍 1/ }).waitFor({ timeout: 15_000 });

    await messageAction(eli, "Morning all", "Dee Nguyen", "Reply");
    await send(eli, eli.getByLabel("Message Design team"), "Morning! Coffee first.");
    const reply = message(dee, "Morning! Coffee first.");
    await reply.waitFor({ timeout: 15_000 });
    await reply.getByText("Morning all").waitFor();

    await messageAction(dee, "Morning all", "you", "Edit");
    const editor = dee.getByLabel("Edit message");
    await editor.fill("Morning all, standup in 5");
    await editor.press("Enter");
    const edited = message(eli, "Morning all, standup in 5").first();
    await edited.waitFor({ timeout: 15_000 });
    await edited.getByText("Edited").waitFor();

    await send(dee, dee.getByLabel("Message Design team"), "Oops, wrong room");
    await message(eli, "Oops, wrong room").waitFor({ timeout: 15_000 });
    await messageAction(dee, "Oops, wrong room", "you", "Delete");
    await dee.getByRole("dialog", { name: "Delete this message?" }).getByRole("button", { name: "Delete" }).click();
    await message(eli, "Oops, wrong room").waitFor({ state: "detached", timeout: 15_000 });
    await messages(eli).getByText("This message was deleted").waitFor();
    await screenshot(eli, "chat-group");
  });

  test("history loads on scroll up", async () => {
    const dee = people.dee.page;
    const eli = people.eli.page;
    const box = dee.getByLabel("Message Design team");
    for (let n = 1; n <= 55; n++) await send(dee, box, `Note ${n}`);
    await message(eli, "Note 55").waitFor({ timeout: 30_000 });
    await eli.reload();
    await message(eli, "Note 55").waitFor({ timeout: 15_000 });
    assert.equal(await message(eli, "Morning all, standup in 5").count(), 0, "older messages wait for a scroll");
    await messages(eli).evaluate((list) => list.closest(".overflow-y-auto")?.scrollTo({ top: 0 }));
    await message(eli, "Morning all, standup in 5").first().waitFor({ timeout: 15_000 });
  });

  test("the owner renames the room and makes Eli an admin; Eli leaves", async () => {
    const dee = people.dee.page;
    const eli = people.eli.page;
    await dee.getByRole("button", { name: "Conversation settings" }).click();
    const settings = dee.getByRole("dialog");
    await settings.getByRole("heading", { name: "Design team settings" }).waitFor();
    await settings.getByLabel("Role of Eli Berg").waitFor({ timeout: 15_000 });
    await settings.getByLabel("Name", { exact: true }).fill("Design crew");
    await settings.getByRole("button", { name: "Save changes" }).click();
    await dee.getByText("Room updated.").waitFor({ timeout: 15_000 });
    await settings.getByLabel("Role of Eli Berg").selectOption("admin");
    await dee.getByText("Eli Berg is now admin.").waitFor({ timeout: 15_000 });
    assert.equal(await settings.getByLabel("Role of Eli Berg").inputValue(), "admin");
    await screenshot(dee, "chat-room-settings");
    await assertAccessible(dee, "room settings");
    await dee.keyboard.press("Escape");
    await eli.getByRole("heading", { level: 1, name: "Design crew" }).waitFor({ timeout: 15_000 });

    await eli.getByRole("button", { name: "Conversation settings" }).click();
    const eliSettings = eli.getByRole("dialog", { name: "Design crew settings" });
    await eliSettings.getByRole("button", { name: "Leave room" }).click();
    await eliSettings.getByRole("button", { name: "Leave", exact: true }).click();
    await eli.getByText("You left Design crew.").waitFor({ timeout: 15_000 });
    await eli.getByText("No conversations yet").waitFor({ timeout: 15_000 });
    assert.deepEqual(pageErrors, []);
  });

  test("the owner archives the room: still readable, closed for posting", async () => {
    const dee = people.dee.page;
    await dee.getByRole("button", { name: "Conversation settings" }).click();
    const settings = dee.getByRole("dialog");
    await settings.getByRole("button", { name: "Archive room" }).click();
    await settings.getByRole("button", { name: "Archive", exact: true }).click();
    await dee.getByText("Design crew is archived.").waitFor({ timeout: 15_000 });
    await dee.keyboard.press("Escape");
    await dee.getByText("This room is archived. You can read it, but not post.").waitFor({ timeout: 15_000 });
    assert.equal(await dee.getByLabel("Message Design crew").isDisabled(), true);
    await message(dee, "Note 55").waitFor();
  });

  test("a public group is joined by its link", async () => {
    const dee = people.dee.page;
    const eli = people.eli.page;
    await dee.getByRole("button", { name: "New group" }).click();
    const dialog = dee.getByRole("dialog", { name: "New group" });
    await dialog.getByLabel("Name").fill("Open house");
    await dialog.getByLabel("Private").uncheck();
    await dialog.getByRole("button", { name: "Create group" }).click();
    await dee.getByRole("heading", { level: 1, name: "Open house" }).waitFor({ timeout: 15_000 });
    await dee.getByRole("button", { name: "Conversation settings" }).click();
    const link = await dee.getByRole("dialog").getByLabel("Invite link").inputValue();
    assert.match(link, /\/join\/[0-9a-f-]{36}$/);
    await dee.keyboard.press("Escape");

    await eli.goto(link);
    await eli.getByRole("heading", { level: 1, name: "Open house" }).waitFor({ timeout: 15_000 });
    await send(eli, eli.getByLabel("Message Open house"), "Hello from the link!");
    await message(dee, "Hello from the link!").waitFor({ timeout: 15_000 });
  });

  test("on a phone the conversation takes the whole screen", async () => {
    const dee = people.dee.page;
    await dee.setViewportSize({ width: 390, height: 844 });
    await dee.getByRole("link", { name: "Back to conversations" }).waitFor();
    await screenshot(dee, "chat-group-phone");
    await dee.emulateMedia({ colorScheme: "dark" });
    await dee.setViewportSize({ width: 1280, height: 800 });
    await screenshot(dee, "chat-group-dark");
    await assertAccessible(dee, "group conversation, dark");
  });
});
