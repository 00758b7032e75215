// Public profiles (`users/{uid}`), one live listener per person however many views show
// them. Presence of others arrives here too: a function mirrors it from the RTDB.
import { doc, onSnapshot, type Firestore } from "firebase/firestore";
import type { ProfileDocument } from "./documents";

interface Entry {
  data: ProfileDocument | undefined;
  listeners: Set<() => void>;
  stop: () => void;
}

export class ProfileDirectory {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly db: Firestore) {}

  get(uid: string): ProfileDocument | undefined {
    return this.entries.get(uid)?.data;
  }

  /** Calls `onChange` whenever this person's profile changes; the first load included. */
  watch(uid: string, onChange: () => void): () => void {
    let entry = this.entries.get(uid);
    if (!entry) {
      const created: Entry = { data: undefined, listeners: new Set(), stop: () => {} };
      created.stop = onSnapshot(
        doc(this.db, "users", uid),
        (snapshot) => {
          created.data = (snapshot.data() as ProfileDocument | undefined) ?? {};
          for (const listener of created.listeners) listener();
        },
        () => {
          // Unreadable (signed out meanwhile): keep what we had.
        },
      );
      this.entries.set(uid, created);
      entry = created;
    }
    const current = entry;
    current.listeners.add(onChange);
    return () => {
      current.listeners.delete(onChange);
      if (current.listeners.size === 0) {
        current.stop();
        this.entries.delete(uid);
      }
    };
  }

  /** Follows a changing set of people; `onChange` fires when any of their profiles changes. */
  group(onChange: () => void): ProfileGroup {
    return new ProfileGroup(this, onChange);
  }

  stopAll(): void {
    for (const entry of this.entries.values()) entry.stop();
    this.entries.clear();
  }
}

export class ProfileGroup {
  private readonly watching = new Map<string, () => void>();

  constructor(
    private readonly directory: ProfileDirectory,
    private readonly onChange: () => void,
  ) {}

  /** Starts following the ones not followed yet (never drops any: lists only grow in a view). */
  follow(uids: Iterable<string>): void {
    for (const uid of uids) {
      if (!uid || this.watching.has(uid)) continue;
      this.watching.set(uid, this.directory.watch(uid, this.onChange));
    }
  }

  get(uid: string): ProfileDocument | undefined {
    return this.directory.get(uid);
  }

  loaded(uid: string): boolean {
    return this.directory.get(uid) !== undefined;
  }

  stop(): void {
    for (const stop of this.watching.values()) stop();
    this.watching.clear();
  }
}
