import { useCallback, useEffect, useState } from "react";
import { ApiError } from "@/lib/api";

export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

/** Seconds left until `until` (epoch ms), ticking once a second; 0 when passed.
 * Read against the clock at render: a time kept from an earlier render would show one
 * second too many right after `until` is set. */
export function useSecondsUntil(until: number | null): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (until === null || until <= Date.now()) return;
    const timer = setInterval(() => {
      setTick((tick) => tick + 1);
      if (Date.now() >= until) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - Date.now()) / 1000));
}

export function throttleMessage(seconds: number): string {
  if (seconds <= 0) return "Too many attempts. You can try again now.";
  const wait = seconds < 60 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
  return `Too many attempts. Try again in ${wait}.`;
}

/**
 * Submission state shared by the log-in and sign-up forms: server errors land on the field
 * the server named, or on the form; a 429 disables submitting until Retry-After has passed.
 */
export function useAuthForm<Field extends string>(fields: readonly Field[], aliases: Record<string, Field> = {}) {
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<Field>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [throttledUntil, setThrottledUntil] = useState<number | null>(null);
  const throttleSeconds = useSecondsUntil(throttledUntil);
  const throttled = throttledUntil !== null && throttleSeconds > 0;

  const submit = useCallback(
    async (action: () => Promise<unknown>): Promise<Field | null | "ok"> => {
      setSubmitting(true);
      setFieldErrors({});
      setFormError(null);
      setThrottledUntil(null);
      try {
        await action();
        return "ok";
      } catch (error) {
        if (!(error instanceof ApiError)) {
          setFormError("Something went wrong. Please try again.");
          return null;
        }
        // Retry-After is unreadable cross-origin unless the server exposes it; the server's
        // own message (which names the wait) is the fallback.
        if (error.code === "RESOURCE_EXHAUSTED" && error.retryAfterSeconds !== null) {
          setThrottledUntil(Date.now() + error.retryAfterSeconds * 1000);
          return null;
        }
        const named = error.field ? (aliases[error.field] ?? error.field) : null;
        const field = named && (fields as readonly string[]).includes(named) ? (named as Field) : null;
        if (field) {
          setFieldErrors({ [field]: capitalise(error.fieldMessage) } as FieldErrors<Field>);
          return field;
        }
        setFormError(capitalise(error.message));
        return null;
      } finally {
        setSubmitting(false);
      }
    },
    [aliases, fields],
  );

  const clearFieldError = useCallback((field: Field) => {
    setFieldErrors((current) => (current[field] ? { ...current, [field]: undefined } : current));
  }, []);

  return {
    fieldErrors,
    formError: throttledUntil !== null ? throttleMessage(throttleSeconds) : formError,
    submitting,
    throttled,
    submit,
    clearFieldError,
  };
}

/** Focuses the form's input named `name` (each field's input is named after the field). */
export function focusField(form: HTMLFormElement | null, name: string): void {
  const input = form?.elements.namedItem(name);
  if (input instanceof HTMLInputElement) input.focus();
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
