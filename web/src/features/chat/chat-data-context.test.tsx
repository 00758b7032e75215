import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { InMemoryChatSource } from "@/test/in-memory-chat-source";
import { ChatDataProvider, useRooms } from "./chat-data-context";

function RoomCount({ label }: { label: string }) {
  const rooms = useRooms();
  return <p>{`${label}: ${rooms.status === "ready" ? rooms.rooms.length : rooms.status}`}</p>;
}

describe("useRooms", () => {
  it("shares one watchRooms subscription among all its callers", () => {
    const source = new InMemoryChatSource({ id: "alice", displayName: "Alice" });
    const watchRooms = vi.spyOn(source, "watchRooms");
    const { unmount } = render(
      <ChatDataProvider source={source}>
        <RoomCount label="shell" />
        <RoomCount label="page" />
        <RoomCount label="dialog" />
      </ChatDataProvider>,
    );
    expect(screen.getByText("shell: 0")).toBeInTheDocument();
    expect(screen.getByText("dialog: 0")).toBeInTheDocument();
    expect(watchRooms).toHaveBeenCalledTimes(1);
    unmount();
  });

  it("is an empty list without a data source", () => {
    render(
      <ChatDataProvider source={null}>
        <RoomCount label="shell" />
      </ChatDataProvider>,
    );
    expect(screen.getByText("shell: 0")).toBeInTheDocument();
  });
});
