// This tab's presence in the Realtime Database: one child of `status/{uid}` per connection,
// removed by the server when the connection drops (onDisconnect). A function folds the
// children into `users/{uid}.presence` in Firestore, which is what others read.
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

/** Sources using the (shared) RTDB connection; it goes offline only when none is left. */
let activePresences = 0;

export class OwnPresence {
  private state: PresenceState = "online";
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
      if (snapshot.val() !== true) {
        this.connection = null;
        return;
      }
      // A new node for every (re)connection: the server removed the old one on disconnect.
      const connection = push(ref(this.db, `status/${this.uid}`));
      this.connection = connection;
      onDisconnect(connection)
        .remove()
        .then(() => this.write())
        .catch((error: unknown) => console.warn("presence: could not register onDisconnect", error));
    });
  }

  async setState(state: PresenceState): Promise<void> {
    if (state === this.state) return;
    this.state = state;
    await this.write();
  }

  private async write(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    await set(connection, { state: this.state, lastChanged: serverTimestamp() });
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
    if (connection) await remove(connection).catch(() => {});
    if (activePresences === 0) goOffline(this.db);
  }
}
