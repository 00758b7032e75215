"""The documented examples of the Rules language reference, type by type.

Each expression is quoted from (or directly follows) the page named above its list,
under firebase.google.com/docs/reference/rules/, and must evaluate to exactly true.
"""

from __future__ import annotations

import datetime as dt

import pytest

from emulators.firestore.rules.values import Duration, RulesPath, RulesSet, Timestamp

# rules.String
STRING_EXAMPLES = [
    "'username' + '@domain.com' == 'username@domain.com'",
    "'abc'[0] == 'a'",
    "'abcdef'[0:3] == 'abc'",
    'string(true) == "true"',
    'string(1) == "1"',
    'string(2.0) == "2.0"',
    'string(null) == "null"',
    "'ABC'.lower() == 'abc'",
    "'ABC123'.lower() == 'abc123'",
    "'abc'.upper() == 'ABC'",
    "'abc123'.upper() == 'ABC123'",
    "'user@domain.com'.matches('.*@domain[.]com') == true",
    "'banana'.matches('.*@domain[.]com') == false",
    "'banana'.replace('a', 'o') == 'bonono'",
    "'banana'.replace('ana', 'ee') == 'beena'",
    # The reference shows 15 dashes; 'foo@test.com' has 12 characters, each replaced.
    "'foo@test.com'.replace('.', '-') == '------------'",
    "'a'.size() == 1",
    "'abc'.size() == 3",
    "'a/b/c'.split('/') == ['a', 'b', 'c']",
    "'€'.toUtf8() == b'\\xE2\\x82\\xAC'",
    "' a '.trim() == 'a'",
    "'abc' < 'abd' && 'b' > 'abc'",
]

# rules.List
LIST_EXAMPLES = [
    "[1, 2, 3] + [4, 5] == [1, 2, 3, 4, 5]",
    "[1, 2, 3, 4][1:3] == [2, 3]",
    "2 in [1, 2, 3]",
    "!(7 in [1, 2, 3])",
    "['a', 'b'].concat(['c', 'd']) == ['a', 'b', 'c', 'd']",
    "['a', 'b'].hasAll(['a', 'c']) == false",
    "['d', 'e', 'f'].hasAll(['d', 'e', 'f']) == true",
    "['a', 'b'].hasAny(['c', 'd']) == false",
    "['a', 'b'].hasAny(['a', 'c']) == true",
    "['a', 'b'].hasOnly(['a', 'c']) == false",
    "['a', 'b'].hasOnly(['a', 'b']) == true",
    "['b', 'b'].hasOnly(['a', 'b']) == true",
    "['a', 'b'].hasOnly(['a', 'b', 'c']) == true",
    "['a', 'b'].hasOnly(['b', 'a']) == true",
    "['a', 'a', 'b'].hasOnly(['a', 'b', 'b']) == true",
    "['a', 'a', 'b'].hasOnly(['a', 'b', 'b', 'c']) == true",
    "['a', 'b', 'c'].join(', ') == 'a, b, c'",
    "['a', 'b'].join('') == 'ab'",
    "[1, 1, 2].removeAll([1]) == [2]",
    "[1, 2, 3].size() == 3",
    "['a', 'b', 'a'].toSet() == ['a', 'b'].toSet()",
    "['a', 'b'][1] == 'b'",
]

# rules.Map
MAP_EXAMPLES = [
    "'a' in {'a': 1}",
    "!('b' in {'a': 1})",
    "{'a': 1}.size() == 1",
    "{'a': 1, 'b': 2}.keys() == ['a', 'b']",
    "{'a': 1, 'b': 2}.values() == [1, 2]",
    "{'a': 1}['a'] == 1",
    "{'a': 1}.a == 1",
    "{'a': 1}.get('b', 7) == 7",
    "{'a': {'b': 2}}.get(['a', 'b'], 0) == 2",
    "{'a': {'b': 2}}.get(['a', 'c'], 0) == 0",
    "{'a': {'b': 2}}.get(['x', 'b'], 'none') == 'none'",
    "{'a': 1, 'b': 2} == {'b': 2, 'a': 1}",
]

# rules.MapDiff
MAP_DIFF_EXAMPLES = [
    "{'a': 1}.diff({}).addedKeys() == ['a'].toSet()",
    "({'a': 0, 'c': 0, 'u': 0}).diff({'r': 0, 'c': 1, 'u': 0}).affectedKeys()"
    " == ['a', 'r', 'c'].toSet()",
    "{'a': 0}.diff({'a': 1, 'b': 4}).changedKeys() == ['a'].toSet()",
    "{}.diff({'a': 1}).removedKeys() == ['a'].toSet()",
    "{'a': 0}.diff({'a': 0}).unchangedKeys() == ['a'].toSet()",
    # An int and a float of equal value do not count as a change.
    "{'a': 1}.diff({'a': 1.0}).changedKeys().size() == 0",
]

# rules.Set
SET_EXAMPLES = [
    "['a', 'b'].toSet().difference(['a', 'c'].toSet()) == ['b'].toSet()",
    "['a', 'b'].toSet().hasAll(['a', 'c']) == false",
    "['d', 'e', 'f'].toSet().hasAll(['d', 'e']) == true",
    "['a', 'b'].toSet().hasAny(['c', 'd'].toSet()) == false",
    "['a', 'b'].toSet().hasAny(['a', 'c'].toSet()) == true",
    "['a', 'b'].toSet().hasOnly(['a', 'c']) == false",
    "['a', 'b'].toSet().hasOnly(['a', 'b']) == true",
    "['a', 'b'].toSet().intersection(['a', 'c'].toSet()) == ['a'].toSet()",
    "['a', 'b'].toSet().union(['a', 'c'].toSet()) == ['a', 'b', 'c'].toSet()",
    "['a', 'b'].toSet().size() == 2",
    "'a' in ['a', 'b'].toSet()",
]

# rules.Bytes
BYTES_EXAMPLES = [
    "b'*' == b'\\x2A'",
    "b'*' == b'\\052'",
    "b'€' == b'\\342\\202\\254'",
    "b'€' == b'\\xE2\\x82\\xAC'",
    "b'\\xFF\\xFF'.size() == 2",
    "b'a'.size() == 1",
    "b'€'.size() == 3",
    "b'\\xFB\\xEF\\xBE'.toBase64() == '----'",
    "b'\\x2A'.toHexString() == '2A'",
    "b'**'.toHexString() == '2A2A'",
    "b'€'.toHexString() == 'E282AC'",
]

# rules.math
MATH_EXAMPLES = [
    "math.abs(-1) == 1",
    "math.abs(1) == 1",
    "math.ceil(2.0) == 2",
    "math.ceil(2.1) == 3",
    "math.ceil(2.7) == 3",
    "math.floor(1.9) == 1",
    "math.floor(2.0) == 2",
    "math.floor(2.7) == 2",
    "math.isInfinite(1.0 / 0.0) == true",
    "math.isInfinite(100) == false",
    "math.isNaN(0.0 / 0.0) == true",
    "math.isNaN(100) == false",
    "math.pow(2, 2) == 4",
    "math.pow(1.5, 2) == 2.25",
    "math.pow(4, 0.5) == 2",
    "math.round(1.9) == 2",
    "math.round(2.4) == 2",
    "math.round(2.5) == 3",
    "math.sqrt(4) == 2.0",
    "math.sqrt(2.25) == 1.5",
]

# rules.Integer / rules.Float / rules.Boolean / rules.Null and conversions
NUMBER_EXAMPLES = [
    "1 == 1.0",
    "int(2.9) == 2",
    "int(-2.9) == -2",
    "int('42') == 42",
    "float(1) == 1.0",
    "float('1.5') == 1.5",
    "7 / 2 == 3",
    "-7 / 2 == -3",
    "-7 % 3 == -1",
    "7.0 / 2 == 3.5",
    "1 + 2 * 3 == 7",
    "(1 + 2) * 3 == 9",
    "0x1F == 31",
    "1e3 == 1000.0",
    "1 < 1.5 && 2.5 > 2",
    "true != false",
    "null == null",
]

# rules.timestamp, rules.Timestamp, rules.duration, rules.Duration
TIME_EXAMPLES = [
    "timestamp.date(1984, 1, 2) == timestamp.value(441849600000)",
    "timestamp.value(441849600000).year() == 1984",
    "timestamp.value(441849600000).month() == 1",
    "timestamp.value(441849600000).day() == 2",
    "timestamp.value(441849600000).dayOfWeek() == 1",
    "timestamp.date(2024, 12, 31).dayOfYear() == 366",
    "timestamp.value(1500).toMillis() == 1500",
    "timestamp.value(1500).nanos() == 500000000",
    "timestamp.value(1500).seconds() == 1",
    "timestamp.value(3723000).hours() == 1",
    "timestamp.value(3723000).minutes() == 2",
    "timestamp.value(3723000).time() == duration.time(1, 2, 3, 0)",
    "timestamp.value(90000000).date() == timestamp.date(1970, 1, 2)",
    "timestamp.date(2020, 1, 1) + duration.value(1, 'd') == timestamp.date(2020, 1, 2)",
    "timestamp.date(2020, 1, 2) - duration.value(24, 'h') == timestamp.date(2020, 1, 1)",
    "timestamp.date(2020, 1, 2) - timestamp.date(2020, 1, 1) == duration.value(1, 'd')",
    "timestamp.date(2020, 1, 1) < timestamp.date(2020, 1, 2)",
    "duration.value(1, 'w') == duration.value(7, 'd')",
    "duration.value(1500, 'ms').seconds() == 1",
    "duration.value(1500, 'ms').nanos() == 500000000",
    "duration.value(90, 's') == duration.value(1, 'm') + duration.value(30, 's')",
    "duration.time(1, 0, 0, 5).nanos() == 5",
    "duration.abs(duration.value(-5, 's')) == duration.value(5, 's')",
    "duration.value(1, 'm') > duration.value(59, 's')",
]

# rules.LatLng / rules.latlng
LATLNG_EXAMPLES = [
    "latlng.value(10.5, -20.25).latitude() == 10.5",
    "latlng.value(10.5, -20.25).longitude() == -20.25",
    "latlng.value(0, 0).distance(latlng.value(0, 0)) == 0",
    # One degree of latitude is about 111.2 km.
    "math.abs(latlng.value(0, 0).distance(latlng.value(1, 0)) - 111195) < 100",
]

# rules.hashing
HASHING_EXAMPLES = [
    "hashing.md5('').toHexString() == 'D41D8CD98F00B204E9800998ECF8427E'",
    "hashing.md5('').size() == 16",
    "hashing.md5('abc') == hashing.md5(b'abc')",
    "hashing.sha256('abc').toHexString()"
    " == 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD'",
    "hashing.crc32('123456789').toHexString() == 'CBF43926'",
    "hashing.crc32c('123456789').toHexString() == 'E3069283'",
    "hashing.crc32('abc').size() == 4",
]

# rules.Path and path()
PATH_EXAMPLES = [
    "(/path/$(foo)/$(bar)).bind({'foo': 'something', 'bar': 'another'}) == /path/something/another",
    "path('path/to/resource') == /path/to/resource",
    "/a/b/c[1] == 'b'",
    "string(/a/b) == '/a/b'",
]

# Operators of rules-language: `is`, ternary, debug
OPERATOR_EXAMPLES = [
    "'a' is string",
    "1 is int && 1 is number && !(1 is float)",
    "1.5 is float && 1.5 is number",
    "null is null",
    "[1] is list && {'a': 1} is map && ['a'].toSet() is set",
    "b'a' is bytes && true is bool",
    "timestamp.value(0) is timestamp && duration.value(1, 's') is duration",
    "/a/b is path && latlng.value(1, 2) is latlng",
    "{'a': 1}.diff({}) is map_diff",
    "(1 < 2 ? 'yes' : 'no') == 'yes'",
    "debug(1 + 1) == 2",
]


@pytest.mark.parametrize(
    "expression",
    STRING_EXAMPLES
    + LIST_EXAMPLES
    + MAP_EXAMPLES
    + MAP_DIFF_EXAMPLES
    + SET_EXAMPLES
    + BYTES_EXAMPLES
    + MATH_EXAMPLES
    + NUMBER_EXAMPLES
    + TIME_EXAMPLES
    + LATLNG_EXAMPLES
    + HASHING_EXAMPLES
    + PATH_EXAMPLES
    + OPERATOR_EXAMPLES,
)
def test_reference_example_holds(holds, expression):
    holds(expression)


def test_string_size_counts_utf16_code_units(value):
    # Google's evaluator counts UTF-16 code units: an emoji outside the BMP is 2
    # (FACTS.md; hidane-rules parity notes on docs.rs).
    assert value("'😀'.size()") == 2
    assert value("'héllo'.size()") == 5
    assert value("s.size()", s="a😀b") == 4


def test_matches_is_a_full_match(value):
    # rules.String#matches: "Performs a regular expression match on the whole string."
    assert value("'abc'.matches('b')") is False
    assert value("'abc'.matches('a.c')") is True
    assert value("'abcd'.matches('a.c')") is False


def test_matches_uses_re2_syntax(value, fails):
    assert value("'aaa'.matches('a{3}')") is True
    # Backreferences are not RE2: a bad pattern is an error, not false.
    assert "regular expression" in fails("'aa'.matches('(a)\\\\1')")


def test_replace_can_refer_to_groups(value):
    assert value("'john smith'.replace('(\\\\w+) (\\\\w+)', '\\\\2 \\\\1')") == "smith john"


def test_values_convert_from_documents(value):
    when = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)
    result = value("t", t=when)
    assert result == Timestamp.from_datetime(when)
    assert value("t.toMillis()", t=when) == int(when.timestamp() * 1000)
    assert value("t.nanos()", t=when) == 123456000


def test_set_and_duration_values(value):
    assert isinstance(value("[1, 1.0, 2].toSet()"), RulesSet)
    assert value("[1, 1.0, 2].toSet().size()") == 2
    assert value("duration.value(2, 'h')") == Duration(7200 * 10**9)
    assert value("/databases/x/documents/a") == RulesPath(("databases", "x", "documents", "a"))


def test_path_literal_interpolates_expressions(value):
    path = value("/databases/$(db)/documents/users/$(uid)", db="(default)", uid="alice")
    assert str(path) == "/databases/(default)/documents/users/alice"
    assert value("/databases/(default)/documents/a/b") == path.__class__(
        ("databases", "(default)", "documents", "a", "b")
    )


def test_mixed_int_and_float_arithmetic_gives_a_float(value):
    assert value("1 + 0.5") == 1.5
    assert value("(2 * 1.0) is float")
    assert value("(2 * 1) is int")


def test_int_and_float_stay_distinct_types(value):
    assert value("1 is int") is True
    assert value("1.0 is int") is False
    assert value("1 == 1.0") is True
    assert value("[1, 2] == [1.0, 2.0]") is True
    assert value("{'a': 1} == {'a': 1.0}") is True


def test_string_index_and_range_count_utf16_units_like_size(value):
    # size() counts UTF-16 code units, so indexes and ranges do too: s[0:s.size()] == s.
    assert value("s[0:s.size()] == s", s="a😀b") is True
    assert value("s[1:3] == '😀'", s="a😀b") is True
    assert value("s[3]", s="a😀b") == "b"
    assert value("'é'[0] == 'é'") is True
