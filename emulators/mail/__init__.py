"""A local mail catcher: SMTP in, every message kept, Mailpit's HTTP API and an inbox page out."""
