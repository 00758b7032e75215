import { AlertCircleIcon } from "lucide-react";

export function FormAlert({ message }: { message: string | null }) {
  // The live region stays mounted so screen readers announce messages as they appear.
  return (
    <div role="alert" aria-live="assertive">
      {message ? (
        <p className="flex items-start gap-2 rounded-md border border-destructive/30 bg-destructive/10 px-3 py-2 text-sm text-destructive">
          <AlertCircleIcon className="mt-0.5 size-4 shrink-0" aria-hidden />
          <span>{message}</span>
        </p>
      ) : null}
    </div>
  );
}
