// Avatars and presence in real browsers against the real backend: Ana uploads a profile
// picture through the crop dialog (signUpload → the local Cloudinary → its notification to
// cloudinaryNotification → avatarUrl), Ben sees the 256×256 thumbnail in their conversation;
// Ana appears offline and back online, and Ben sees "Last seen" and "Online".
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { accessibilityViolations, baseUrl, launchBrowser, screenshot, signUpPerson } from "./browser.mjs";

/** An 800×600 PNG drawn by the browser itself. */
async function drawnPng(page) {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 800;
    canvas.height = 600;
    const context = canvas.getContext("2d");
    const gradient = context.createLinearGradient(0, 0, 800, 600);
    gradient.addColorStop(0, "#0ea5e9");
    gradient.addColorStop(1, "#a855f7");
    context.fillStyle = gradient;
    context.fillRect(0, 0, 800, 600);
    context.fillStyle = "#fde68a";
    context.beginPath();
    context.arc(400, 260, 150, 0, Math.PI * 2);
    context.fill();
    return canvas.toDataURL("image/png");
  });
  return Buffer.from(dataUrl.split(",")[1], "base64");
}

/** The natural size of an image URL, loaded in the page. */
function imageSize(page, url) {
  return page.evaluate(
    (src) =>
      new Promise((resolve, reject) => {
        const image = new Image();
        image.onload = () => resolve({ width: image.naturalWidth, height: image.naturalHeight });
        image.onerror = () => reject(new Error(`could not load ${src}`));
        image.src = src;
      }),
    url,
  );
}

describe("profile: avatar and presence", () => {
  let browser;
  const people = {};
  const pageErrors = [];

  const signUp = (label, displayName) => signUpPerson(browser, label, displayName, { pageErrors });

  async function openStatusMenu(page) {
    await page.getByRole("button", { name: /Account menu for/ }).click();
    const status = page.getByRole("menuitem", { name: /^Status: / });
    await status.hover();
    await status.press("ArrowRight");
  }

  before(async () => {
    browser = await launchBrowser();
    people.ana = await signUp("ava", "Ana Avatar");
    people.ben = await signUp("bea", "Ben Presence");
    // A direct conversation with one message from Ana, open on both sides.
    const ana = people.ana.page;
    await ana.getByRole("button", { name: "New chat" }).click();
    const dialog = ana.getByRole("dialog", { name: "New conversation" });
    await dialog.getByLabel("Name or username").fill(people.ben.account.username);
    await dialog.getByRole("button", { name: "Start conversation" }).click();
    await ana.getByRole("heading", { level: 1, name: "Ben Presence" }).waitFor();
    const box = ana.getByRole("textbox", { name: "Message Ben Presence" });
    await box.fill("Hello from Ana");
    await box.press("Enter");
    const ben = people.ben.page;
    await ben
      .getByRole("navigation", { name: "Conversations" })
      .getByRole("link", { name: /^Ana Avatar/ })
      .click({ timeout: 15_000 });
    await ben.getByRole("list", { name: "Messages" }).getByText("Hello from Ana").waitFor({ timeout: 15_000 });
  });

  after(async () => {
    await browser?.close();
  });

  test("Ana crops and uploads a picture; Ben sees her 256×256 avatar", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    const png = await drawnPng(ana);

    await ana.getByRole("button", { name: /Account menu for/ }).click();
    await ana.getByRole("menuitem", { name: "Edit profile" }).click();
    await ana.getByRole("dialog", { name: "Edit profile" }).getByRole("button", { name: "Add picture" }).click();
    const dialog = ana.getByRole("dialog", { name: "Profile picture" });
    await dialog.getByRole("button", { name: /Choose an image/ }).waitFor();

    // A file of the wrong type is refused inline.
    await ana
      .getByTestId("avatar-file-input")
      .setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
    await dialog.getByText("Choose a JPEG, PNG, GIF or WebP image.").waitFor();

    await ana
      .getByTestId("avatar-file-input")
      .setInputFiles({ name: "holiday.png", mimeType: "image/png", buffer: png });
    const crop = dialog.getByTestId("avatar-crop-area");
    await crop.waitFor();
    await dialog.getByLabel("Zoom", { exact: true }).fill("1.5");
    const area = await crop.boundingBox();
    await ana.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
    await ana.mouse.down();
    await ana.mouse.move(area.x + area.width / 2 + 40, area.y + area.height / 2 + 20, { steps: 5 });
    await ana.mouse.up();
    await screenshot(ana, "profile-avatar-crop");
    const violations = await accessibilityViolations(ana);
    assert.deepEqual(violations, [], `crop dialog: axe found ${JSON.stringify(violations, null, 2)}`);

    await dialog.getByRole("button", { name: "Save picture" }).click();
    await ana.getByText("Profile picture updated").waitFor({ timeout: 45_000 });
    await dialog.waitFor({ state: "detached" });
    // The profile dialog now shows it, and offers to change or remove it.
    const profileDialog = ana.getByRole("dialog", { name: "Edit profile" });
    await profileDialog.locator('img[src*="c_thumb"]').waitFor({ timeout: 15_000 });
    await profileDialog.getByRole("button", { name: "Remove picture" }).waitFor();
    await ana.keyboard.press("Escape");
    await profileDialog.waitFor({ state: "detached" });

    // Ana's header shows the thumbnail the function set.
    const headerImage = ana.getByRole("button", { name: /Account menu for/ }).locator("img");
    await headerImage.waitFor({ timeout: 15_000 });
    const avatarUrl = await headerImage.getAttribute("src");
    assert.match(avatarUrl, /c_thumb,g_face,w_256,h_256/);
    assert.match(avatarUrl, /avatars\//);

    // What was uploaded is the cropped square: 600 px short side at zoom 1.5 → 400×400.
    const original = avatarUrl.replace(/\/upload\/[^/]*c_thumb[^/]*\//, "/upload/");
    assert.deepEqual(await imageSize(ana, original), { width: 400, height: 400 });

    // Ben sees it next to Ana's message, in the conversation header and in his room list.
    const benMessageAvatar = ben.getByRole("list", { name: "Messages" }).locator(`img[src="${avatarUrl}"]`).first();
    await benMessageAvatar.waitFor({ timeout: 20_000 });
    const size = await benMessageAvatar.evaluate((image) => ({
      width: image.naturalWidth,
      height: image.naturalHeight,
    }));
    assert.deepEqual(size, { width: 256, height: 256 });
    await ben
      .getByRole("navigation", { name: "Conversations" })
      .locator(`img[src="${avatarUrl}"]`)
      .first()
      .waitFor({ timeout: 15_000 });
    await ben.locator("header").locator(`img[src="${avatarUrl}"]`).first().waitFor({ timeout: 15_000 });
    await screenshot(ben, "profile-avatar-seen-by-peer");
  });

  test("Ana appears offline: Ben sees 'Last seen'; back online: 'Online'", async () => {
    const ana = people.ana.page;
    const ben = people.ben.page;
    const presence = ben.getByTestId("peer-presence");
    await presence.getByText("Online").waitFor({ timeout: 15_000 });

    await openStatusMenu(ana);
    await ana.getByRole("menuitemradio", { name: "Appear offline" }).click();
    await presence.getByText(/^Last seen/).waitFor({ timeout: 20_000 });
    assert.equal(await ana.evaluate(() => localStorage.getItem("flowchat.presence")), "offline");

    // Ana is still connected: she keeps receiving messages.
    const benBox = ben.getByRole("textbox", { name: "Message Ana Avatar" });
    await benBox.fill("Are you there?");
    await benBox.press("Enter");
    await ana.getByRole("list", { name: "Messages" }).getByText("Are you there?").waitFor({ timeout: 15_000 });

    // Her profile page says so too.
    await ben.goto(`${baseUrl}/u/${people.ana.account.username}`);
    await ben
      .getByTestId("profile-presence")
      .getByText(/^Last seen/)
      .waitFor({ timeout: 20_000 });
    await screenshot(ben, "profile-last-seen");

    // The choice survives a reload.
    await ana.reload();
    await ana.getByRole("button", { name: /Account menu for/ }).waitFor();
    await ana.waitForTimeout(1_500);
    assert.match(await ben.getByTestId("profile-presence").innerText(), /Last seen/);

    await openStatusMenu(ana);
    await ana.getByRole("menuitemradio", { name: "Online" }).click();
    await ben.getByTestId("profile-presence").getByText("Online").waitFor({ timeout: 20_000 });
    await ben.goBack();
    await presence.getByText("Online").waitFor({ timeout: 20_000 });
  });

  test("no uncaught page errors", () => {
    assert.deepEqual(pageErrors, []);
  });
});
