import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Button } from "./button";

describe("Button", () => {
  it("is disabled and shows a spinner before its label while busy", () => {
    const { rerender } = render(<Button busy>Save</Button>);
    const button = screen.getByRole("button", { name: "Save" });
    expect(button).toBeDisabled();
    expect(button).toHaveAttribute("aria-busy", "true");
    expect(button.querySelector("svg.animate-spin")).not.toBeNull();

    rerender(<Button busy={false}>Save</Button>);
    expect(button).toBeEnabled();
    expect(button).not.toHaveAttribute("aria-busy");
    expect(button.querySelector("svg")).toBeNull();
  });

  it("stays disabled when asked to, busy or not", () => {
    render(
      <Button busy={false} disabled>
        Save
      </Button>,
    );
    expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
  });

  it("as a child element, is that element alone", () => {
    render(
      <Button asChild>
        <a href="/rooms">Rooms</a>
      </Button>,
    );
    const link = screen.getByRole("link", { name: "Rooms" });
    expect(link).not.toHaveAttribute("disabled");
    expect(link.childElementCount).toBe(0);
  });
});
