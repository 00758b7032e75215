import { ArrowLeftIcon } from "lucide-react";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";

/** On phones, where the room list and a page take turns, the way back to the list. */
export function BackToConversations() {
  return (
    <Button asChild variant="ghost" size="icon" className="md:hidden">
      <Link to="/" aria-label="Back to conversations">
        <ArrowLeftIcon aria-hidden />
      </Link>
    </Button>
  );
}
