import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { NotificationSettingsCard } from "./notification-settings-card";
import { browserTimeZone, type NotificationSettings, type NotificationSettingsApi } from "./notification-settings";

function fakeApi(stored: NotificationSettings) {
  const api = {
    get: vi.fn(async () => stored),
    update: vi.fn(async (settings: NotificationSettings) => settings),
  };
  return api satisfies NotificationSettingsApi;
}

describe("NotificationSettingsCard", () => {
  it("shows the stored settings and saves quiet hours in the browser's time zone by default", async () => {
    const api = fakeApi({ emailMissedMessages: true, quietHours: null });
    render(<NotificationSettingsCard api={api} />);
    const email = await screen.findByRole("checkbox", { name: /Email me mentions/ });
    await waitFor(() => expect(email).toBeEnabled());
    expect(email).toBeChecked();
    const quiet = screen.getByRole("checkbox", { name: /Quiet hours/ });
    expect(quiet).not.toBeChecked();
    expect(screen.queryByLabelText("From")).not.toBeInTheDocument();

    const user = userEvent.setup();
    await user.click(email);
    await user.click(quiet);
    expect(screen.getByLabelText("From")).toHaveValue("22:00");
    expect(screen.getByLabelText("Until")).toHaveValue("07:00");
    expect(screen.getByLabelText("Time zone")).toHaveValue(browserTimeZone());
    await user.click(screen.getByRole("button", { name: "Save notification settings" }));

    expect(await screen.findByRole("status")).toHaveTextContent("Notification settings saved.");
    expect(api.update).toHaveBeenCalledWith({
      emailMissedMessages: false,
      quietHours: { start: "22:00", end: "07:00", timeZone: browserTimeZone() },
    });
  });

  it("shows stored quiet hours and turns them off", async () => {
    const api = fakeApi({
      emailMissedMessages: false,
      quietHours: { start: "23:15", end: "06:45", timeZone: "Asia/Tokyo" },
    });
    render(<NotificationSettingsCard api={api} />);
    expect(await screen.findByLabelText("From")).toHaveValue("23:15");
    expect(screen.getByLabelText("Until")).toHaveValue("06:45");
    expect(screen.getByLabelText("Time zone")).toHaveValue("Asia/Tokyo");
    expect(screen.getByRole("checkbox", { name: /Email me mentions/ })).not.toBeChecked();

    const user = userEvent.setup();
    await user.click(screen.getByRole("checkbox", { name: /Quiet hours/ }));
    await user.click(screen.getByRole("button", { name: "Save notification settings" }));
    await waitFor(() => expect(api.update).toHaveBeenCalledWith({ emailMissedMessages: false, quietHours: null }));
  });

  it("refuses equal start and end, and says when saving fails", async () => {
    const api = fakeApi({ emailMissedMessages: true, quietHours: null });
    api.update.mockRejectedValueOnce(new Error("offline"));
    render(<NotificationSettingsCard api={api} />);
    const user = userEvent.setup();
    const quiet = await screen.findByRole("checkbox", { name: /Quiet hours/ });
    await waitFor(() => expect(quiet).toBeEnabled());
    await user.click(quiet);
    const until = screen.getByLabelText("Until");
    await user.clear(until);
    await user.type(until, "22:00");
    await user.click(screen.getByRole("button", { name: "Save notification settings" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Quiet hours need different start and end times.");
    expect(api.update).not.toHaveBeenCalled();

    await user.clear(until);
    await user.type(until, "06:00");
    await user.click(screen.getByRole("button", { name: "Save notification settings" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Couldn't save your notification settings.");
  });

  it("says when the settings cannot be loaded", async () => {
    const api = fakeApi({ emailMissedMessages: true, quietHours: null });
    api.get.mockRejectedValueOnce(new Error("offline"));
    render(<NotificationSettingsCard api={api} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Couldn't load your notification settings.");
  });
});
