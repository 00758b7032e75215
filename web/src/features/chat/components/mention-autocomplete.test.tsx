import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { Composer } from "./composer";
import { matchMentionCandidates, mentionQueryAt, type MentionCandidate } from "./mention-autocomplete";

const people: MentionCandidate[] = [
  { userId: "u_eli", username: "eli_berg", displayName: "Eli Berg" },
  { userId: "u_ena", username: "ena", displayName: "Ena Sato" },
  { userId: "u_bob", username: "bob", displayName: "Bob Elmore" },
];

describe("mention suggestions", () => {
  it("finds the @query before the caret, not in e-mail addresses", () => {
    expect(mentionQueryAt("hi @el", 6)).toEqual({ start: 3, query: "el" });
    expect(mentionQueryAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionQueryAt("mail x@el", 9)).toBeNull();
    expect(mentionQueryAt("hi @el there", 12)).toBeNull();
  });

  it("matches usernames and words of names", () => {
    expect(matchMentionCandidates(people, "el").map((person) => person.userId)).toEqual(["u_eli", "u_bob"]);
    expect(matchMentionCandidates(people, "E", 2)).toHaveLength(2);
  });

  it("inserts the picked username in the composer instead of sending", async () => {
    const onSend = vi.fn();
    render(<Composer roomName="Design" onSend={onSend} mentionCandidates={people} />);
    const box = screen.getByLabelText("Message Design");

    await userEvent.type(box, "thanks @en");
    expect(screen.getByRole("listbox", { name: "Mention someone" })).toBeInTheDocument();
    expect(screen.getByRole("option", { name: /Ena Sato/ })).toHaveAttribute("aria-selected", "true");
    await userEvent.keyboard("{Enter}");

    expect(onSend).not.toHaveBeenCalled();
    expect(box).toHaveValue("thanks @ena ");
    await userEvent.type(box, "see above{Enter}", { skipClick: true });
    expect(onSend).toHaveBeenCalledWith("thanks @ena see above");
  });

  it("closes on Escape and then sends on Enter", async () => {
    const onSend = vi.fn();
    render(<Composer roomName="Design" onSend={onSend} mentionCandidates={people} />);
    await userEvent.type(screen.getByLabelText("Message Design"), "@bo{Escape}");
    expect(screen.queryByRole("listbox")).not.toBeInTheDocument();
    await userEvent.keyboard("{Enter}");
    expect(onSend).toHaveBeenCalledWith("@bo");
  });
});
