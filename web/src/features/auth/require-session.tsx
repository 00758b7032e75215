import { Loader2Icon } from "lucide-react";
import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { useSession } from "./session-context";

function Restoring() {
  return (
    <div className="flex h-dvh items-center justify-center" role="status" aria-label="Loading FlowChat">
      <Loader2Icon className="size-6 animate-spin text-muted-foreground" aria-hidden />
    </div>
  );
}

/** Renders children for signed-in users; sends everyone else to the log-in screen. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const location = useLocation();
  if (status === "restoring") return <Restoring />;
  if (status === "signed-out") {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  return children;
}

/**
 * The log-in and sign-up screens. Signed-in users go to the app, or back to the page that
 * sent them to log in, which is also how a successful log-in leaves these screens.
 */
export function SignedOutOnly({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const location = useLocation();
  if (status === "restoring") return <Restoring />;
  if (status === "signed-in") {
    const from = (location.state as { from?: unknown } | null)?.from;
    return <Navigate to={typeof from === "string" && from.startsWith("/") ? from : "/"} replace />;
  }
  return children;
}
