import { describe, expect, it } from "vitest";
import type { TimestampLike } from "./documents";
import { readSeqToWrite, unreadCount } from "./unread";

function at(millis: number): TimestampLike {
  return { toDate: () => new Date(millis), toMillis: () => millis };
}

describe("unreadCount", () => {
  it("is the room's sequence minus how far the person read", () => {
    expect(unreadCount({ seq: 12, readSeq: 9 })).toBe(3);
    expect(unreadCount({ seq: 12, readSeq: 12 })).toBe(0);
  });

  it("counts everything since joining before the first read", () => {
    expect(unreadCount({ seq: 12 })).toBe(12);
    expect(unreadCount({ seq: 12, joinedSeq: 10 })).toBe(2);
  });

  it("counts from a rejoin, not from a read position before it", () => {
    expect(unreadCount({ seq: 40, readSeq: 5, joinedSeq: 38 })).toBe(2);
  });

  it("is exact for backlogs over 1,000 (no 99+ cap here; the badge caps its label)", () => {
    expect(unreadCount({ seq: 1_250, readSeq: 150 })).toBe(1_100);
  });

  it("never goes negative, and ignores values that are not whole counts", () => {
    expect(unreadCount({ seq: 3, readSeq: 7 })).toBe(0);
    expect(unreadCount({})).toBe(0);
    expect(unreadCount({ seq: 5, readSeq: 2.5 })).toBe(5);
    expect(unreadCount({ seq: Number.NaN, readSeq: 1 })).toBe(0);
    expect(unreadCount({ seq: 5, readSeq: -3 })).toBe(5);
  });
});

describe("readSeqToWrite", () => {
  const row = { seq: 20, readSeq: 15, lastMessageAt: at(1_000) };

  it("is the row's sequence once its newest message has been read", () => {
    expect(readSeqToWrite(row, 1_000)).toBe(20);
    expect(readSeqToWrite(row, 5_000)).toBe(20);
  });

  it("is null while the row counts messages sent after what was read and nothing says how many", () => {
    expect(readSeqToWrite(row, 999)).toBeNull();
    expect(readSeqToWrite(row, 500, [800, 900, 1_000])).toBeNull(); // the window starts after the read point
  });

  it("subtracts what the row counts beyond the read point when the open room's window shows it", () => {
    // Read up to 700; the row already counts two later messages (900, 1,000): 18.
    expect(readSeqToWrite(row, 700, [600, 700, 900, 1_000])).toBe(18);
    // A message newer than the row's is not counted by it yet, so not subtracted either.
    expect(readSeqToWrite(row, 700, [700, 900, 1_000, 1_100])).toBe(18);
  });

  it("is null when nothing moves forward", () => {
    expect(readSeqToWrite({ ...row, readSeq: 20 }, 1_000)).toBeNull();
    expect(readSeqToWrite({ seq: 20, joinedSeq: 20, lastMessageAt: at(1_000) }, 1_000)).toBeNull();
    expect(readSeqToWrite({ seq: 0 }, 1_000)).toBeNull();
  });
});
