// The client's addresses for rooms and messages, built in one place so links that people
// copy, notifications, search results and pushes all agree.

export function roomPath(roomId: string): string {
  return `/rooms/${encodeURIComponent(roomId)}`;
}

/** A message's permalink: opens its conversation at that message, however old. */
export function messagePath(roomId: string, messageId: string): string {
  return `/r/${encodeURIComponent(roomId)}/m/${encodeURIComponent(messageId)}`;
}
