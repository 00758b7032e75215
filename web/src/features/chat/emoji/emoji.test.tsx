import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { Composer } from "@/features/chat/components/composer";
import { isSingleEmoji, loadEmojiData, matchShortcodes, replaceShortcodes } from "./emoji-data";
import { shortcodeQueryAt } from "./shortcode-autocomplete";

// The picker itself needs a real browser (IntersectionObserver, shadow DOM layout): see e2e/rich.e2e.mjs.
describe("isSingleEmoji", () => {
  it.each([
    ["👍", true],
    ["👍🏽", true],
    ["❤️", true],
    ["👩🏽‍💻", true],
    ["👨‍👩‍👧‍👦", true],
    ["🇫🇷", true],
    ["🏴󠁧󠁢󠁳󠁣󠁴󠁿", true],
    ["1️⃣", true],
    ["👍👍", false],
    ["a", false],
    ["", false],
    ["1", false],
    ["ok", false],
    ["👍 ", false],
  ])("%s → %s", (text, expected) => {
    expect(isSingleEmoji(text)).toBe(expected);
  });
});

describe("matchShortcodes", () => {
  it("finds emoji by shortcode prefix first, then by a part of it, without repeats", async () => {
    const data = await loadEmojiData();
    const matches = matchShortcodes(data, "thumb");
    expect(matches.map((match) => match.native)).toContain("👍");
    expect(new Set(matches.map((match) => match.native)).size).toBe(matches.length);
    expect(matchShortcodes(data, "tada")).toEqual([{ shortcode: "tada", native: "🎉" }]);
    expect(matchShortcodes(data, "zzzznothing")).toEqual([]);
  });
});

describe("replaceShortcodes", () => {
  it.each([
    ["ship it :tada:", "ship it 🎉"],
    [":+1: (:smile:) done", "👍 (😄) done"],
    [":TADA:!", "🎉!"],
    ["at 12:30:45", "at 12:30:45"],
    [":nothing_like_this: stays", ":nothing_like_this: stays"],
    ["see http://x.y/:tada: there", "see http://x.y/:tada: there"],
    ["`:tada:` and :tada:", "`:tada:` and 🎉"],
    ["```\n:tada:\n``` :tada:", "```\n:tada:\n``` 🎉"],
  ])("%s", async (typed, sent) => {
    expect(replaceShortcodes(await loadEmojiData(), typed)).toBe(sent);
  });
});

describe("shortcodeQueryAt", () => {
  it.each([
    ["hi :ta", 6, { start: 3, query: "ta" }],
    [":+1", 3, { start: 0, query: "+1" }],
    ["(:smi", 5, { start: 1, query: "smi" }],
    ["hi :t", 5, null],
    ["at 12:30", 8, null],
    ["http://x", 8, null],
    ["hi :tada: ok", 12, null],
  ])("%s (caret %i)", (text, caret, expected) => {
    expect(shortcodeQueryAt(text, caret)).toEqual(expected);
  });
});

describe("shortcode completion in the composer", () => {
  it("suggests emoji for :query and Enter inserts the emoji instead of sending", async () => {
    const onSend = vi.fn();
    render(<Composer roomName="Design" onSend={onSend} />);
    const box = screen.getByRole("textbox", { name: "Message Design" });
    await userEvent.type(box, "party :tad");
    const list = await screen.findByRole("listbox", { name: "Emoji" }, { timeout: 5000 });
    expect(within(list).getAllByRole("option")[0]).toHaveTextContent("🎉:tada:");
    await userEvent.keyboard("{Enter}");
    expect(box).toHaveValue("party 🎉");
    expect(onSend).not.toHaveBeenCalled();
    await userEvent.keyboard("{Enter}");
    expect(onSend).toHaveBeenCalledWith("party 🎉");
  }, 15_000);

  it("sends a shortcode typed before the emoji data has loaded as its emoji, in order", async () => {
    const onSend = vi.fn();
    render(<Composer roomName="Design" onSend={onSend} />);
    const box = screen.getByRole("textbox", { name: "Message Design" });
    await userEvent.click(box);
    await userEvent.paste("ship it :tada:");
    await userEvent.keyboard("{Enter}");
    await userEvent.paste("and plain");
    await userEvent.keyboard("{Enter}");
    await vi.waitFor(() => expect(onSend).toHaveBeenCalledTimes(2));
    expect(onSend.mock.calls).toEqual([["ship it 🎉"], ["and plain"]]);
  }, 15_000);

  it("sends a shortcode typed out whole as its emoji", async () => {
    const onSend = vi.fn();
    render(<Composer roomName="Design" onSend={onSend} />);
    const box = screen.getByRole("textbox", { name: "Message Design" });
    await userEvent.type(box, "ship it :tad");
    await screen.findByRole("listbox", { name: "Emoji" }, { timeout: 5000 });
    await userEvent.type(box, "a: `:tada:`{Enter}");
    expect(onSend).toHaveBeenCalledWith("ship it 🎉 `:tada:`");
  }, 15_000);
});
