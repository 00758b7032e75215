import { Link, useParams } from "react-router";
import { useSession } from "@/features/auth/session-context";
import { useChatData, useRooms } from "./chat-data-context";
import { LiveConversation } from "./live-conversation";

/** /rooms/:roomId — the room must be one of the user's rooms. */
export function ConversationPage() {
  const { roomId = "" } = useParams();
  const source = useChatData();
  const rooms = useRooms();
  const { user } = useSession();

  if (rooms.status === "loading") return null;
  const room = rooms.status === "ready" ? rooms.rooms.find((candidate) => candidate.id === roomId) : undefined;
  if (!source || !room || !user) {
    return (
      <div className="grid h-full place-content-center gap-2 p-8 text-center">
        <h1 className="text-lg font-semibold">Conversation not found</h1>
        <p className="text-sm text-muted-foreground">It may have been deleted, or you are no longer a member.</p>
        <Link to="/" className="text-sm text-primary underline-offset-4 hover:underline">
          Back to your conversations
        </Link>
      </div>
    );
  }
  return <LiveConversation key={room.id} source={source} room={room} currentUserId={user.id} />;
}
