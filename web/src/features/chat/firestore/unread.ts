// Unread counts from one room-list row (`users/{uid}/rooms/{roomId}`), with no count query:
// the functions number each delivered message of a room (`seq`, the room's count so far),
// record where that number stood when the person joined (`joinedSeq`), and the person writes
// how far they have read (`readSeq`). Sending a message moves the sender's readSeq past it.
import type { TimestampLike } from "./documents";

/** The fields of a row that unread counts come from. */
export interface ReadPosition {
  seq?: number;
  readSeq?: number;
  joinedSeq?: number;
  /** When the newest message the row counts was sent. */
  lastMessageAt?: TimestampLike | null;
}

function count(value: number | undefined): number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** Where the person's reading starts: nothing before their (last) join is unread. */
function readFrom(row: ReadPosition): number {
  return Math.max(count(row.readSeq), count(row.joinedSeq));
}

export function unreadCount(row: ReadPosition): number {
  return Math.max(0, count(row.seq) - readFrom(row));
}

/**
 * The readSeq to write once the person has read every message up to one sent at
 * `readUpToMillis`. When the row's newest message is not newer, that is the row's `seq`.
 * When it is newer (the row skipped past what was read: it is written at most once a
 * second), `sentTimes` — the send times of the open room's newest messages, a window that
 * reaches back to what was read — says how many of the counted messages came after it.
 * Null when it cannot be known yet, or nothing would move forward.
 */
export function readSeqToWrite(
  row: ReadPosition,
  readUpToMillis: number,
  sentTimes: readonly number[] = [],
): number | null {
  const newest = row.lastMessageAt?.toMillis();
  if (newest === undefined) return null;
  let target = count(row.seq);
  if (newest > readUpToMillis) {
    const coversReadPoint = sentTimes.some((time) => time <= readUpToMillis);
    if (!coversReadPoint) return null;
    target -= sentTimes.filter((time) => time > readUpToMillis && time <= newest).length;
  }
  return target > readFrom(row) ? target : null;
}
