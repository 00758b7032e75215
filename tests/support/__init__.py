"""Helpers the test suites share: emulator processes, databases, free ports."""
