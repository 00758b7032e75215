"""``make bench``: each module here measures one capability and prints its own table.

A module exposes ``main() -> None``; ratios are measured side by side in one run because
the machines are shared and noisy.
"""
