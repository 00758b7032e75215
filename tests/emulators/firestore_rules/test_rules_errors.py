"""Error semantics of Google's evaluator.

An error inside a condition makes that allow statement false, but ``&&``/``||`` absorb
an error when the other side decides: ``false && error`` and ``error && false`` are
false, ``true || error`` and ``error || true`` are true (documented by the hidane-rules
parity measurements on docs.rs and in /work/shared/FACTS.md).
"""

from __future__ import annotations

import pytest

MISSING = "{'a': 1}.missing"  # reading a missing key is an error


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (f"false && {MISSING}", False),
        (f"{MISSING} && false", False),
        (f"true || {MISSING}", True),
        (f"{MISSING} || true", True),
        (f"({MISSING} == 1) || true", True),
        (f"!({MISSING} == 1) && false", False),
    ],
)
def test_boolean_operators_absorb_errors_in_both_orders(value, expression, expected):
    assert value(expression) is expected


@pytest.mark.parametrize(
    "expression",
    [
        f"true && {MISSING}",
        f"{MISSING} && true",
        f"false || {MISSING}",
        f"{MISSING} || false",
        f"{MISSING} || {MISSING}",
        f"{MISSING} && {MISSING}",
        f"!{MISSING}",
        f"{MISSING} ? true : false",
    ],
)
def test_errors_propagate_when_the_other_side_does_not_decide(fails, expression):
    fails(expression)


def test_missing_map_key_is_an_error_not_null(fails, value):
    assert "undefined" in fails("{'a': 1}.b")
    assert "undefined" in fails("{'a': 1}['b']")
    # get() with a default is the documented way to read an optional key.
    assert value("{'a': 1}.get('b', null)") is None


def test_member_of_null_is_an_error(fails):
    # request.auth is null for unauthenticated requests: request.auth.uid is an error.
    fails("auth.uid", auth=None)


def test_null_equals_only_null(value):
    assert value("null == null") is True
    assert value("null == false") is False
    assert value("null == 0") is False
    assert value("null == ''") is False
    assert value("null != []") is True


def test_values_of_different_types_are_unequal_not_errors(value):
    assert value("1 == '1'") is False
    assert value("true == 1") is False
    assert value("[1] == {'a': 1}") is False


@pytest.mark.parametrize(
    "expression",
    [
        "1 < 'a'",
        "'a' + 1",
        "1 + true",
        "[1] < [{'a': 1}]",
        "null < 1",
        "true > false",
        "!1",
        "-'a'",
        "1 && true",
        "'a' || false",
        "2 in 'abc'",
        "{'a': 1}.size(1)",
        "'abc'.nope()",
        "math.nope(1)",
        "unknownVariable",
        "unknownFunction(1)",
        "int('1.5')",
        "int(true)",
        "float('x')",
        "string([1])",
        "'a'.matches(1)",
        "['a', 1].join(',')",
        "['a'].join()",
        "timestamp.date(2021, 2, 30)",
        "duration.value(1, 'y')",
        "latlng.value(91, 0)",
        "{1: 'a'}",
    ],
)
def test_type_mismatches_and_bad_calls_are_errors(fails, expression):
    fails(expression)


@pytest.mark.parametrize(
    "expression",
    [
        "[1, 2][2]",
        "[1, 2][-1]",
        "[1, 2][1.0]",
        "'ab'[5]",
        "[1, 2, 3][2:1]",
        "[1, 2, 3][0:4]",
        "/a/b[2]",
    ],
)
def test_out_of_range_indexes_are_errors(fails, expression):
    fails(expression)


def test_integer_arithmetic_is_64_bit_and_checked(value, fails):
    assert value("9223372036854775807") == 2**63 - 1
    assert value("-9223372036854775808") == -(2**63)
    assert "overflow" in fails("9223372036854775807 + 1")
    assert "overflow" in fails("-9223372036854775808 - 1")
    assert "overflow" in fails("4611686018427387904 * 2")
    assert "zero" in fails("1 / 0")
    assert "zero" in fails("1 % 0")


def test_float_division_by_zero_gives_infinity(value):
    assert value("1.0 / 0") == float("inf")
    assert value("-1.0 / 0") == float("-inf")


def test_nan_is_not_equal_to_itself(value, fails):
    assert value("(0.0 / 0.0) == (0.0 / 0.0)") is False
    fails("(0.0 / 0.0) < 1")


def test_timestamp_out_of_range_is_an_error(fails):
    fails("timestamp.date(9999, 12, 31) + duration.value(1, 'd')")
    fails("timestamp.value(0) - duration.value(800000, 'd')")


def test_path_variable_left_unbound_is_an_error_until_bind(value, fails):
    fails("/a/$(nothing)[1]")
    assert value("(/a/$(nothing)).bind({'nothing': 'b'})[1]") == "b"


@pytest.mark.parametrize(
    "expression",
    [
        "math.ceil(1.0 / 0)",
        "math.floor(0.0 / 0.0)",
        "math.round(-1.0 / 0)",
        "duration.value(1.0 / 0, 's')",
        "timestamp.date(9223372036854775807, 1, 1)",
        "int(1.0 / 0)",
    ],
)
def test_infinite_and_out_of_range_conversions_are_errors(fails, expression):
    fails(expression)


def test_float_modulo_of_infinity_is_nan(value):
    assert value("math.isNaN((1.0 / 0) % 2)") is True


def test_path_literal_with_parenthesised_segment_and_method_call(value):
    # (default) is part of a segment; a path literal needs parentheses before a method.
    assert value("(/databases/(default)/documents/a).bind({})[1]") == "(default)"
