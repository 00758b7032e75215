"""Developer commands behind the Makefile: ``make dev``, ``make migrate``."""
