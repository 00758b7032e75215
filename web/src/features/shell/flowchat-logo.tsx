import { cn } from "@/lib/utils";

export function FlowChatLogo({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden className={cn("size-7 shrink-0", className)}>
      <rect width="32" height="32" rx="8" className="fill-primary" />
      <path
        d="M9 11.5C9 10.1 10.1 9 11.5 9h9c1.4 0 2.5 1.1 2.5 2.5v6c0 1.4-1.1 2.5-2.5 2.5H15l-4 3.5V20h.5A2.5 2.5 0 0 1 9 17.5z"
        className="fill-primary-foreground"
      />
    </svg>
  );
}
