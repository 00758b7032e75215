// What a screen shows instead of loading forever: what did not load, why (as far as the
// browser can tell), and a way to try again.
import { RefreshCwIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { useSession } from "@/features/auth/session-context";
import { useOnline } from "@/features/shell/use-online";
import { cn } from "@/lib/utils";

/** The likeliest reason something does not load, in words for people. */
export function useLoadProblemReason(): string {
  const online = useOnline();
  const { firebase } = useSession();
  if (!online) return "You're offline.";
  if (firebase === "unavailable") return "FlowChat can't connect to live updates right now.";
  return "FlowChat's servers are not answering, or answering slowly.";
}

interface LoadProblemProps {
  title: string;
  /** Why, when known (an error's message); otherwise the connection's state is shown. */
  reason?: string;
  onRetry: () => void;
  className?: string;
}

export function LoadProblem({ title, reason, onRetry, className }: LoadProblemProps) {
  const guessed = useLoadProblemReason();
  return (
    <div role="alert" className={cn("grid place-items-center gap-2 p-6 text-center", className)}>
      <p className="text-sm font-medium">{title}</p>
      <p className="text-xs text-muted-foreground">{reason || guessed}</p>
      <Button variant="outline" size="sm" onClick={onRetry}>
        <RefreshCwIcon aria-hidden />
        Try again
      </Button>
    </div>
  );
}
