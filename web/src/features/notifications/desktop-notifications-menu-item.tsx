import { BellOffIcon, BellRingIcon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { DropdownMenuItem } from "@/components/ui/dropdown-menu";
import {
  desktopNotificationsChosen,
  desktopPermission,
  enableDesktopNotifications,
  rememberDesktopNotifications,
} from "./desktop-notifications";

/** The account menu's switch for system notifications (nothing where they are unsupported). */
export function DesktopNotificationsMenuItem() {
  const [permission] = useState(desktopPermission);
  const [chosen] = useState(desktopNotificationsChosen);
  if (permission === "unsupported") return null;
  if (permission === "denied") {
    return (
      <DropdownMenuItem disabled>
        <BellOffIcon aria-hidden /> Desktop notifications blocked
      </DropdownMenuItem>
    );
  }
  if (permission === "granted" && chosen) {
    return (
      <DropdownMenuItem
        onSelect={() => {
          rememberDesktopNotifications(false);
          toast("Desktop notifications are off.");
        }}
      >
        <BellOffIcon aria-hidden /> Turn off desktop notifications
      </DropdownMenuItem>
    );
  }
  return (
    <DropdownMenuItem
      onSelect={() => {
        // Asked from the click itself: browsers want a user gesture for the prompt.
        enableDesktopNotifications()
          .then((result) => {
            if (result === "granted") toast("Desktop notifications are on while FlowChat is in the background.");
            else if (result === "denied") toast("Your browser blocks notifications from FlowChat.");
          })
          .catch(() => toast.error("Couldn't turn on desktop notifications."));
      }}
    >
      <BellRingIcon aria-hidden /> Enable desktop notifications
    </DropdownMenuItem>
  );
}
