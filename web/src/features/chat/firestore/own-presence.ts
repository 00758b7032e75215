// This tab's presence in the Realtime Database: one child of `status/{uid}` per connection,
// removed by the server when the connection drops (onDisconnect). A function folds the
// children into `users/{uid}.presence` in Firestore, which is what others read. The room
// open and focused in this tab goes to `focus/{uid}/{connection}` beside it: only the
// functions read that (no push for it meanwhile), so nobody else learns where one is.
import {
  goOffline,
  goOnline,
  onDisconnect,
  onValue,
  push,
  ref,
  remove,
  serverTimestamp,
  set,
  type Database,
  type DatabaseReference,
} from "firebase/database";
import type { PresenceState } from "../types";
import { reportBackend } from "@/lib/backend-connection";

/** Sources using the (shared) RTDB connection; it goes offline only when none is left. */
let activePresences = 0;

export class OwnPresence {
  private state: PresenceState = "online";
  /** The room open and focused in this tab: the notifier sends no push for it meanwhile. */
  private focusRoom: string | null = null;
  private connection: DatabaseReference | null = null;
  private stopConnected: (() => void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly uid: string,
  ) {}

  private started = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    activePresences += 1;
    goOnline(this.db);
    this.stopConnected = onValue(ref(this.db, ".info/connected"), (snapshot) => {
      reportBackend("realtime", snapshot.val() === true);
      if (snapshot.val() !== true) {
        this.connection = null;
        return;
      }
      // A new node for every (re)connection: the server removed the old one on disconnect.
      const connection = push(ref(this.db, `status/${this.uid}`));
      this.connection = connection;
      Promise.all([onDisconnect(connection).remove(), onDisconnect(this.focusOf(connection)).remove()])
        .then(() => Promise.all([this.write(), this.writeFocus()]))
        .catch((error: unknown) => console.warn("presence: could not register onDisconnect", error));
    });
  }

  async setState(state: PresenceState): Promise<void> {
    if (state === this.state) return;
    this.state = state;
    await this.write();
  }

  async setFocusRoom(roomId: string | null): Promise<void> {
    if (roomId === this.focusRoom) return;
    this.focusRoom = roomId;
    await this.writeFocus();
  }

  private focusOf(connection: DatabaseReference): DatabaseReference {
    return ref(this.db, `focus/${this.uid}/${connection.key}`);
  }

  private async writeFocus(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    const focus = this.focusOf(connection);
    await (this.focusRoom ? set(focus, this.focusRoom) : remove(focus));
  }

  private async write(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    await set(connection, {
      state: this.state,
      lastChanged: serverTimestamp(),
    });
  }

  /** Removes this connection's node and disconnects (the server runs onDisconnect too). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    activePresences -= 1;
    this.stopConnected?.();
    this.stopConnected = null;
    const connection = this.connection;
    this.connection = null;
    if (connection) await Promise.all([remove(connection), remove(this.focusOf(connection))]).catch(() => {});
    if (activePresences === 0) goOffline(this.db);
  }
}
