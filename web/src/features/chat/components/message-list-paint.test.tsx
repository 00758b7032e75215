import { render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { message } from "@/test/chat-fixtures";
import { FIRST_MESSAGES_PAINT_MARK, MessageList } from "./message-list";

const marks = () => performance.getEntriesByName(FIRST_MESSAGES_PAINT_MARK, "mark");

describe("MessageList first-paint mark (scripts/first-paint.mjs)", () => {
  afterEach(() => performance.clearMarks(FIRST_MESSAGES_PAINT_MARK));

  it("is not set for an empty list, and set once when messages first render", async () => {
    const { rerender } = render(<MessageList messages={[]} currentUserId="u1" />);
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect(marks()).toHaveLength(0);

    rerender(
      <MessageList
        messages={[message({ id: "m1", createdAt: new Date("2026-03-02T10:00:00Z") })]}
        currentUserId="u1"
      />,
    );
    await waitFor(() => expect(marks()).toHaveLength(1));
    rerender(
      <MessageList
        messages={[
          message({ id: "m1", createdAt: new Date("2026-03-02T10:00:00Z") }),
          message({ id: "m2", createdAt: new Date("2026-03-02T10:00:00Z") }),
        ]}
        currentUserId="u1"
      />,
    );
    render(
      <MessageList
        messages={[message({ id: "m3", createdAt: new Date("2026-03-02T10:00:00Z") })]}
        currentUserId="u1"
      />,
    );
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect(marks()).toHaveLength(1);
  });
});
