import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { Composer } from "./composer";

describe("Composer", () => {
  it("sends on Enter and clears the box", async () => {
    const onSend = vi.fn();
    render(<Composer roomName="#general" onSend={onSend} />);
    const box = screen.getByLabelText("Message #general");

    await userEvent.type(box, "Hello there{Enter}");

    expect(onSend).toHaveBeenCalledWith("Hello there");
    expect(box).toHaveValue("");
    expect(box).toHaveFocus();
  });

  it("adds a new line on Shift+Enter instead of sending", async () => {
    const onSend = vi.fn();
    render(<Composer roomName="#general" onSend={onSend} />);
    const box = screen.getByLabelText("Message #general");

    await userEvent.type(box, "line one{Shift>}{Enter}{/Shift}line two");

    expect(onSend).not.toHaveBeenCalled();
    expect(box).toHaveValue("line one\nline two");
    await userEvent.click(screen.getByRole("button", { name: "Send message" }));
    expect(onSend).toHaveBeenCalledWith("line one\nline two");
  });

  it("does not send blank messages", async () => {
    const onSend = vi.fn();
    render(<Composer roomName="#general" onSend={onSend} />);

    await userEvent.type(screen.getByLabelText("Message #general"), "   {Enter}");

    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Send message" })).toBeDisabled();
  });

  it("reports typing when text appears and stops after sending", async () => {
    const onTypingChange = vi.fn();
    render(<Composer roomName="#general" onSend={vi.fn()} onTypingChange={onTypingChange} />);

    await userEvent.type(screen.getByLabelText("Message #general"), "hi{Enter}");

    expect(onTypingChange.mock.calls).toEqual([[true], [false]]);
  });

  it("counts down near the 4,000-character limit and says why Send is off past it", async () => {
    const onSend = vi.fn();
    render(<Composer roomName="#general" onSend={onSend} />);
    const box = screen.getByLabelText("Message #general");
    const send = screen.getByRole("button", { name: "Send message" });

    await userEvent.click(box);
    await userEvent.paste("x".repeat(3499));
    expect(screen.queryByText(/characters left/)).toBeNull();
    await userEvent.paste("x");
    expect(screen.getByText("500 characters left")).toBeInTheDocument();
    await userEvent.paste("x".repeat(510));
    const reason = screen.getByText("10 characters over the 4,000 limit: shorten the message to send it.");
    expect(send).toBeDisabled();
    expect(box).toHaveAccessibleDescription(expect.stringContaining(reason.textContent!));
    await userEvent.keyboard("{Enter}");
    expect(onSend).not.toHaveBeenCalled();
  });
});
