"""The node hash the JS SDK sends with transaction writes (``h``).

The SDK hashes its cached value and the server refuses the write ("datastale") unless the
hash of its own current value is the same, so this must follow the SDK bit for bit: a
base64 SHA-1 over a text built from type tags, IEEE-754 hex for numbers (computed the way
the SDK computes it), priorities, and children in priority order.
"""

from __future__ import annotations

import base64
import hashlib
import math

from emulators.database import ordering, tree


def node_hash(node: tree.Node) -> str:
    if node is None:
        return ""
    priority = tree.priority_of(node)
    text = ""
    if tree.is_leaf(node):
        if priority is not None:
            text += "priority:" + _priority_text(priority) + ":"
        value = tree.leaf_value(node)
        if isinstance(value, bool):
            text += "boolean:" + ("true" if value else "false")
        elif isinstance(value, int | float):
            text += "number:" + double_hex(value)
        else:
            text += "string:" + value
        return _sha1(text)
    if priority is not None:
        text += "priority:" + _priority_text(priority) + ":"
    kids = tree.children(node)
    for key in sorted(kids, key=lambda name: ordering.priority_sort_key(name, kids[name])):
        child_hash = node_hash(kids[key])
        if child_hash:
            text += ":" + key + ":" + child_hash
    return _sha1(text) if text else ""


def _priority_text(priority: str | int | float) -> str:
    if isinstance(priority, int | float):
        return "number:" + double_hex(priority)
    return "string:" + priority


def _sha1(text: str) -> str:
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()
    return base64.b64encode(digest).decode("ascii")


def double_hex(number: float | int) -> str:
    """Hex of the 64-bit IEEE-754 form, derived with the SDK's own arithmetic (a log2
    estimate of the exponent) rather than struct.pack, so both sides agree even where
    that estimate is off by one."""
    value = float(number)
    exponent_bits, fraction_bits = 11, 52
    bias = (1 << (exponent_bits - 1)) - 1
    if value == 0:
        sign = 1 if math.copysign(1.0, value) < 0 else 0
        exponent = fraction = 0
    else:
        sign = 1 if value < 0 else 0
        value = abs(value)
        if value >= 2 ** (1 - bias):
            estimate = min(math.floor(math.log(value) / math.log(2)), bias)
            exponent = estimate + bias
            fraction = _js_round(value * 2 ** (fraction_bits - estimate) - 2**fraction_bits)
        else:
            exponent = 0
            fraction = _js_round(value / 2 ** (1 - bias - fraction_bits))
    bits: list[int] = []
    for _ in range(fraction_bits):
        bits.append(int(fraction % 2))
        fraction = math.floor(fraction / 2)
    for _ in range(exponent_bits):
        bits.append(int(exponent % 2))
        exponent = math.floor(exponent / 2)
    bits.append(sign)
    bits.reverse()
    word = "".join(str(bit) for bit in bits)
    return "".join(f"{int(word[i : i + 8], 2):02x}" for i in range(0, 64, 8))


def _js_round(value: float) -> float:
    """JavaScript's Math.round (halves go up), not Python's banker's rounding."""
    return math.floor(value + 0.5)
