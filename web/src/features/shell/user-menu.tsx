import { KeyboardIcon, LogOutIcon, MonitorIcon, MoonIcon, PaletteIcon, PencilIcon, SunIcon, UserIcon } from "lucide-react";
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
import { useTheme, type Theme } from "@/features/theme/theme-provider";
import type { User } from "@/lib/api";

interface UserMenuProps {
  user: User;
  onEditProfile: () => void;
  onShowShortcuts: () => void;
  onLogOut: () => void;
}

export function UserMenu({ user, onEditProfile, onShowShortcuts, onLogOut }: UserMenuProps) {
  const navigate = useNavigate();
  const { theme, setTheme } = useTheme();
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
