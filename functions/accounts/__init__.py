"""Accounts: passwords, tokens, input rules and the login throttle."""
