import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { MessageText } from "./message-text";

describe("MessageText", () => {
  it("bolds @mentions in a message that mentions someone", () => {
    const { container } = render(<MessageText text="@ana and @ben.o, see x@mail.com" hasMentions />);
    expect([...container.querySelectorAll("span.font-semibold")].map((span) => span.textContent)).toEqual(["@ana", "@ben.o"]);
    expect(container.textContent).toBe("@ana and @ben.o, see x@mail.com");
  });

  it("leaves other messages as they are", () => {
    const { container } = render(<MessageText text="ping @ana" hasMentions={false} />);
    expect(container.querySelector("span")).toBeNull();
    expect(container.textContent).toBe("ping @ana");
  });
});
