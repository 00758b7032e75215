import { describe, expect, it } from "vitest";
import { initials } from "./user-avatar";

describe("initials", () => {
  it.each([
    ["Ana Lima", "AL"],
    ["ana", "AN"],
    ["Weekend trip 🏕️", "WT"],
    ["🏕️ camp", "CA"],
    ["🏕️", "🏕️"],
    ["👩🏽‍💻 dev", "DE"],
    ["👩🏽‍💻", "👩🏽‍💻"],
    ["Émile Zola", "ÉZ"],
    ["E\u0301mile", "E\u0301M"],
    ["Ab\u0301c", "AB\u0301"],
    ["x", "X"],
    ["  ", "?"],
    ["محمد علي", "مع"],
  ])("%s → %s", (name, expected) => {
    expect(initials(name)).toBe(expected);
  });
});
