"""Mail: rendered from templates, queued in PostgreSQL with the change that asks for it,
sent by a function through SMTP (the mail emulator locally)."""
