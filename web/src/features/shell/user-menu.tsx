import {
  CircleIcon,
  KeyboardIcon,
  LogOutIcon,
  MonitorIcon,
  MoonIcon,
  PaletteIcon,
  PencilIcon,
  ShieldIcon,
  SunIcon,
  UserIcon,
} from "lucide-react";
import { useNavigate } from "react-router";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuSub,
  DropdownMenuSubContent,
  DropdownMenuSubTrigger,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { DesktopNotificationsMenuItem } from "@/features/notifications/desktop-notifications-menu-item";
import { UserAvatar } from "@/features/people/user-avatar";
import { PRESENCE_CHOICES, usePresenceChoice, type PresenceChoice } from "@/features/presence/presence-choice";
import { useTheme, type Theme } from "@/features/theme/theme-provider";
import type { User } from "@/lib/api";

const PRESENCE_DOT: Record<PresenceChoice, string> = {
  online: "fill-online text-online",
  away: "fill-away text-away",
  offline: "fill-muted-foreground/50 text-muted-foreground",
};

interface UserMenuProps {
  user: User;
  onEditProfile: () => void;
  onShowShortcuts: () => void;
  onLogOut: () => void;
}

export function UserMenu({ user, onEditProfile, onShowShortcuts, onLogOut }: UserMenuProps) {
  const navigate = useNavigate();
  const { theme, setTheme } = useTheme();
  const [presenceChoice, setPresenceChoice] = usePresenceChoice();
  const presenceLabel = PRESENCE_CHOICES.find((choice) => choice.value === presenceChoice)?.label ?? "Online";
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" className="h-10 gap-2 px-1.5 sm:px-2">
          <UserAvatar name={user.displayName} seed={user.id} avatarUrl={user.avatarUrl} className="size-8" />
          <span className="sr-only">Account menu for {user.displayName}</span>
          <span aria-hidden className="hidden max-w-40 truncate text-sm font-medium sm:inline">
            {user.displayName}
          </span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-60">
        <DropdownMenuLabel className="grid gap-0.5">
          <span className="truncate">{user.displayName}</span>
          <span className="truncate text-xs font-normal text-muted-foreground">@{user.username}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => navigate(`/u/${encodeURIComponent(user.username)}`)}>
          <UserIcon aria-hidden /> Your profile
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={onEditProfile}>
          <PencilIcon aria-hidden /> Edit profile
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => navigate("/settings/account")}>
          <ShieldIcon aria-hidden /> Account settings
        </DropdownMenuItem>
        <DropdownMenuSub>
          <DropdownMenuSubTrigger>
            <CircleIcon aria-hidden className={PRESENCE_DOT[presenceChoice]} /> Status: {presenceLabel}
          </DropdownMenuSubTrigger>
          <DropdownMenuSubContent>
            <DropdownMenuRadioGroup
              value={presenceChoice}
              onValueChange={(value) => setPresenceChoice(value as PresenceChoice)}
            >
              {PRESENCE_CHOICES.map((choice) => (
                <DropdownMenuRadioItem key={choice.value} value={choice.value}>
                  <CircleIcon aria-hidden className={PRESENCE_DOT[choice.value]} /> {choice.label}
                </DropdownMenuRadioItem>
              ))}
            </DropdownMenuRadioGroup>
          </DropdownMenuSubContent>
        </DropdownMenuSub>
        <DropdownMenuSub>
          <DropdownMenuSubTrigger>
            <PaletteIcon aria-hidden /> Theme
          </DropdownMenuSubTrigger>
          <DropdownMenuSubContent>
            <DropdownMenuRadioGroup value={theme} onValueChange={(value) => setTheme(value as Theme)}>
              <DropdownMenuRadioItem value="light">
                <SunIcon aria-hidden /> Light
              </DropdownMenuRadioItem>
              <DropdownMenuRadioItem value="dark">
                <MoonIcon aria-hidden /> Dark
              </DropdownMenuRadioItem>
              <DropdownMenuRadioItem value="system">
                <MonitorIcon aria-hidden /> System
              </DropdownMenuRadioItem>
            </DropdownMenuRadioGroup>
          </DropdownMenuSubContent>
        </DropdownMenuSub>
        <DropdownMenuItem onSelect={onShowShortcuts}>
          <KeyboardIcon aria-hidden /> Keyboard shortcuts
        </DropdownMenuItem>
        <DesktopNotificationsMenuItem />
        <DropdownMenuSeparator />
        <DropdownMenuItem variant="destructive" onSelect={onLogOut}>
          <LogOutIcon aria-hidden /> Log out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
