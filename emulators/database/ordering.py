"""Sort keys that reproduce the Realtime Database's orderings.

Keys: 32-bit integer-looking keys first, numerically (ties: shorter string first), then
the other keys as strings. Values: missing < false < true < numbers < strings < objects.
Strings compare by UTF-16 code units, as JavaScript does.
"""

from __future__ import annotations

import re

from emulators.database import tree

MIN_NAME = "[MIN_NAME]"
MAX_NAME = "[MAX_NAME]"
_INTEGER_KEY = re.compile(r"^-?0*\d{1,10}$")


def utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def key_sort_key(name: str) -> tuple:
    if name == MIN_NAME:
        return (-1,)
    if name == MAX_NAME:
        return (3,)
    if _INTEGER_KEY.match(name):
        number = int(name)
        if -(2**31) <= number <= 2**31 - 1:
            return (0, number, len(name))
    return (1, utf16(name))


def value_sort_key(node: tree.Node) -> tuple:
    """Order of a node's value when indexed (by child, by value, or as a priority)."""
    if node is None:
        return (0,)
    if not tree.is_leaf(node):
        return (2,)
    value = tree.leaf_value(node)
    if isinstance(value, bool):
        return (1, 0, value)
    if isinstance(value, int | float):
        return (1, 1, value)
    return (1, 2, utf16(value))


def priority_sort_key(name: str, node: tree.Node) -> tuple:
    return (value_sort_key(tree.priority_of(node)), key_sort_key(name))


def js_number_text(number: float | int) -> str:
    """A number as JavaScript's String() writes it (for keys and string concatenation)."""
    if isinstance(number, bool):
        return "true" if number else "false"
    if isinstance(number, int):
        return str(number)
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return text
