// Loaded on demand after sign-in: opens Firestore and the Realtime Database for this user.
import { getFirestoreDb, getRealtimeDb } from "@/lib/firebase";
import { FirestoreChatSource } from "./firestore-chat-source";
import { CallableRoomActions } from "./room-functions";

export async function connectChat(uid: string): Promise<{ source: FirestoreChatSource; actions: CallableRoomActions }> {
  const [db, rtdb] = await Promise.all([getFirestoreDb(), getRealtimeDb()]);
  return { source: new FirestoreChatSource(db, rtdb, uid), actions: new CallableRoomActions() };
}
