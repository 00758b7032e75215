// Chat in real browsers against the real backend: Firestore (rules enforced), the RTDB for
// presence, the functions (rooms, triggers, signUpload) and the local Cloudinary.
// Two people in two browser contexts start a direct conversation by username and talk.
import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { accessibilityViolations, baseUrl, launchBrowser, newAccount, screenshot } from "./browser.mjs";

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

  async function signUp(label, displayName) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light", reducedMotion: "reduce" });
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(`${label}: ${error.message}`));
    const account = { ...newAccount(label), displayName };
    await page.goto(`${baseUrl}/signup`);
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Username").fill(account.username);
    await page.getByLabel("Display name").fill(account.displayName);
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("No conversations yet").waitFor();
    return { context, page, account };
  }

  const conversations = (page) => page.getByRole("navigation", { name: "Conversations" });
  const messages = (page) => page.getByRole("list", { name: "Messages" });

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
    await dialog.getByLabel("Username").fill(`@${people.ben.account.username}`);
    await screenshot(page, "chat-new-conversation");
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

  test("Ana shares a picture: a progress bar while it uploads, the verified preview on Ben's side", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    const progress = ana.getByRole("progressbar", { name: "Uploading mockup.png" });
    const sawProgress = progress.waitFor({ timeout: 15_000 }).then(() => true);
    await ana.getByTestId("attachment-input").setInputFiles({ name: "mockup.png", mimeType: "image/png", buffer: photoPng() });
    assert.equal(await sawProgress, true);
    await progress.waitFor({ state: "detached", timeout: 30_000 });

    const picture = messages(ben).getByRole("img", { name: "mockup.png" });
    await picture.waitFor({ timeout: 15_000 });
    // Once the function has verified the upload, the bubble shows its preview transformation.
    await ben.waitForFunction(
      () => [...document.querySelectorAll('img[alt="mockup.png"]')].some((img) => img.src.includes("c_limit") && img.complete && img.naturalWidth > 0),
      null,
      { timeout: 30_000 },
    );
    await screenshot(ben, "chat-conversation");
    await screenshot(ana, "chat-conversation-sender");
    await assertAccessible(ben, "conversation");
  });

  test("a third person cannot open the conversation", async () => {
    const cy = await signUp("cy", "Cy Tran");
    try {
      await cy.page.goto(`${baseUrl}${roomPath}`);
      await cy.page.getByRole("heading", { name: "Conversation not found" }).waitFor();
      await assert.rejects(
        messages(cy.page).waitFor({ timeout: 1_000 }),
        "the third person must not see the messages",
      );
    } finally {
      await cy.context.close();
    }
  });

  test("when Ben leaves, Ana sees him go offline", async () => {
    const ana = people.ana.page;
    await people.ben.context.close();
    await ana.getByTestId("peer-presence").getByText(/Offline|Last seen/).waitFor({ timeout: 30_000 });
    await screenshot(ana, "chat-peer-offline");
    assert.deepEqual(pageErrors, []);
  });
});
