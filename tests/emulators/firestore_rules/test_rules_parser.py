"""Parsing rules: what parses, and the line and column of what does not."""

from __future__ import annotations

import pytest

from emulators.firestore.rules import Ruleset, RulesSyntaxError, nodes
from emulators.firestore.rules.parser import parse, parse_expression

FULL_RULES = """\
rules_version = '2';

// Top-level function, outside any service.
function isSignedIn() {
  return request.auth != null;
}

service cloud.firestore {
  match /databases/{database}/documents {
    function isMember(roomId) {
      let members = /databases/$(database)/documents/rooms/$(roomId)/members;
      return exists(/databases/$(database)/documents/rooms/$(roomId)/members/$(request.auth.uid));
    }
    /* Rooms and their messages. */
    match /rooms/{roomId} {
      allow get, list: if isSignedIn() && isMember(roomId);
      allow create, update, delete: if false;
      match /messages/{messageId} {
        allow read;
        allow write: if request.resource.data.keys().hasOnly(['text', 'sender'])
                     && request.resource.data.sender == request.auth.uid;
      }
    }
    match /{path=**}/messages/{messageId} {
      allow list: if true
    }
  }
}
"""


def test_full_ruleset_parses_into_a_tree():
    rules = parse(FULL_RULES)
    assert rules.version == "2"
    assert list(rules.functions) == ["isSignedIn"]
    (service,) = rules.services
    assert service.name == "cloud.firestore"
    (root,) = service.matches
    assert root.pattern_text == "/databases/{database}/documents"
    assert list(root.functions) == ["isMember"]
    rooms, group = root.matches
    assert rooms.pattern_text == "/rooms/{roomId}"
    assert [a.methods for a in rooms.allows] == [("get", "list"), ("create", "update", "delete")]
    messages = rooms.matches[0]
    assert messages.allows[0].condition is None
    assert messages.allows[1].line == 20
    assert group.pattern[0] == nodes.PatternSegment(variable="path", recursive=True)


def test_function_lets_and_body_are_kept():
    decl = parse(FULL_RULES).services[0].matches[0].functions["isMember"]
    assert decl.params == ("roomId",)
    assert [name for name, _ in decl.lets] == ["members"]
    assert isinstance(decl.body, nodes.Call)
    assert decl.body.name == "exists"


def test_condition_text_is_kept_for_traces():
    allow = parse(FULL_RULES).services[0].matches[0].matches[0].allows[0]
    assert allow.condition_text == "isSignedIn() && isMember(roomId)"


def test_missing_version_means_version_1():
    rules = parse("service cloud.firestore { match /databases/{db}/documents { } }")
    assert rules.version == "1"


def test_operator_precedence():
    expr = parse_expression("a || b && c == d + e * f")
    assert isinstance(expr, nodes.Binary) and expr.op == "||"
    right = expr.right
    assert isinstance(right, nodes.Binary) and right.op == "&&"
    equality = right.right
    assert isinstance(equality, nodes.Binary) and equality.op == "=="
    assert isinstance(equality.right, nodes.Binary) and equality.right.op == "+"


def test_relational_binds_tighter_than_equality_and_in():
    expr = parse_expression("a < b == c in d")
    assert isinstance(expr, nodes.Binary) and expr.op == "=="
    assert isinstance(expr.left, nodes.Binary) and expr.left.op == "<"
    assert isinstance(expr.right, nodes.Binary) and expr.right.op == "in"


def test_ternary_is_loosest_and_right_associative():
    expr = parse_expression("a ? b : c ? d : e")
    assert isinstance(expr, nodes.Conditional)
    assert isinstance(expr.if_false, nodes.Conditional)


def test_postfix_chains():
    expr = parse_expression("request.resource.data.tags[0:2].size()")
    assert isinstance(expr, nodes.MethodCall) and expr.name == "size"
    assert isinstance(expr.target, nodes.Slice)


def test_comments_are_skipped_everywhere():
    expr = parse_expression("1 /* one */ + // plus\n 2")
    assert isinstance(expr, nodes.Binary) and expr.op == "+"


def test_string_escapes_and_raw_strings():
    assert parse_expression("'a\\nb'").value == "a\nb"
    assert parse_expression('"\\u00e9"').value == "é"
    assert parse_expression("r'\\d+'").value == "\\d+"
    assert parse_expression("b'\\xff\\000'").value == b"\xff\x00"


def test_path_literal_segments():
    expr = parse_expression("/databases/$(database)/documents/users/$(request.auth.uid)")
    assert isinstance(expr, nodes.PathLiteral)
    assert expr.segments[0] == ("databases",)
    assert isinstance(expr.segments[1][0], nodes.Name)
    assert isinstance(expr.segments[4][0], nodes.Member)


def test_path_literal_inside_a_call_stops_at_the_parenthesis():
    expr = parse_expression("get(/databases/(default)/documents/a/$(b)).data.x")
    assert isinstance(expr, nodes.Member)
    call = expr.target.target
    assert isinstance(call, nodes.Call)
    (path,) = call.args
    assert isinstance(path, nodes.PathLiteral)
    assert path.segments[1] == ("(default)",)
    assert len(path.segments) == 5


def test_ruleset_from_file(tmp_path):
    path = tmp_path / "firestore.rules"
    path.write_text(FULL_RULES, encoding="utf-8")
    assert Ruleset.from_file(path).version == "2"


@pytest.mark.parametrize(
    ("source", "line", "column", "fragment"),
    [
        # Missing 'if' after the colon.
        (
            "service cloud.firestore {\n  match /a/{b} {\n    allow read: true;\n  }\n}",
            3,
            17,
            "missing 'if'",
        ),
        # Unknown method name.
        (
            "service cloud.firestore {\n  match /a/{b} {\n    allow reed: if true;\n  }\n}",
            3,
            11,
            "expected a method",
        ),
        # Unclosed match block.
        ("service cloud.firestore {\n  match /a/{b} {\n    allow read;\n", 4, 1, "missing '}'"),
        # Unterminated string.
        ("service cloud.firestore {\n  match /a {\n    allow read: if 'abc;\n", 3, 20, "string"),
        # Bad character.
        ("service cloud.firestore {\n  match /a {\n    allow read: if #;\n  }\n}", 3, 20, "#"),
        # Dangling operator.
        ("service cloud.firestore {\n  match /a {\n    allow read: if 1 + ;\n  }\n}", 3, 24, "';'"),
        # Match path without a leading slash.
        ("service cloud.firestore {\n  match a/b {\n  }\n}", 2, 9, "start with '/'"),
        # Two recursive wildcards.
        ("rules_version = '2';\nservice s {\n  match /{a=**}/{b=**} {\n  }\n}", 3, 17, "recursive"),
        # Version 1 needs the recursive wildcard at the end.
        ("service s {\n  match /{a=**}/b {\n  }\n}", 2, 10, "end the path"),
        # Unknown type after 'is'.
        ("service s {\n  match /a {\n    allow read: if 1 is integer;\n  }\n}", 3, 25, "type"),
        # Function without return.
        ("service s {\n  function f() {\n    let a = 1;\n  }\n}", 4, 3, "return"),
        # Unsupported version.
        ("rules_version = '3';\nservice s {}", 1, 17, "unsupported"),
        # Nothing but a function.
        ("function f() { return true; }", 1, 1, "no service"),
        # Stray word at the top.
        ("allow read;", 1, 1, "expected 'service'"),
        # let without a semicolon.
        ("service s {\n  function f() {\n    let a = 1\n    return a;\n  }\n}", 4, 5, "';'"),
        # Duplicate function.
        (
            "service s {\n  function f() { return 1; }\n  function f() { return 2; }\n}",
            3,
            3,
            "twice",
        ),
        # Integer literal too large.
        (
            "service s {\n  match /a {\n    allow read: if 9223372036854775808 > 1;\n  }\n}",
            3,
            20,
            "range",
        ),
        # Unterminated comment.
        ("service s {\n  /* never closed\n}", 2, 3, "comment"),
    ],
)
def test_syntax_errors_report_line_and_column(source, line, column, fragment):
    with pytest.raises(RulesSyntaxError) as caught:
        Ruleset.parse(source)
    error = caught.value
    assert fragment in error.message
    assert (error.line, error.column) == (line, column)
    assert str(error).startswith(f"{line}:{column}: ")


def test_unknown_function_is_a_compile_error():
    source = (
        "service cloud.firestore {\n"
        "  match /databases/{database}/documents {\n"
        "    function isOwner() { return true; }\n"
        "    match /a/{b} { allow read: if isOwnr(); }\n"
        "  }\n"
        "}\n"
    )
    with pytest.raises(RulesSyntaxError) as caught:
        Ruleset.parse(source)
    assert caught.value.message == "unknown function 'isOwnr'"
    assert (caught.value.line, caught.value.column) == (4, 35)


def test_unknown_variable_is_a_compile_error():
    source = (
        "service cloud.firestore {\n"
        "  match /databases/{database}/documents {\n"
        "    match /a/{b} { allow read: if c == 1; }\n"
        "  }\n"
        "}\n"
    )
    with pytest.raises(RulesSyntaxError) as caught:
        Ruleset.parse(source)
    assert caught.value.message == "unknown variable 'c'"
    assert (caught.value.line, caught.value.column) == (3, 35)


def test_names_resolve_through_enclosing_scopes():
    Ruleset.parse(
        """
        function top(x) { return x; }
        service cloud.firestore {
          function svc() { return top(1) == 1 && math.abs(-1) == 1; }
          match /databases/{database}/documents {
            function outer(id) { return database == '(default)' && id != null; }
            match /a/{b} {
              match /c/{d} {
                function inner() { let v = b + d; return outer(v) && svc(); }
                allow read: if inner() && later() && (/x/$(unbound)).bind({'unbound': 'y'}) != null;
              }
              function later() { return request.auth != null && resource == null; }
            }
          }
        }
        """
    )


def wrap_condition(condition: str) -> str:
    return (
        "service cloud.firestore {\n"
        "  match /databases/{database}/documents {\n"
        f"    match /a/{{b}} {{ allow read: if {condition}; }}\n"
        "  }\n"
        "}\n"
    )


@pytest.mark.parametrize(
    ("condition", "message", "column"),
    [
        ("math.flor(1.5) == 1", "unknown function 'math.flor'", 40),
        ("math.pow(2) == 4", "math.pow() takes 2 arguments, 1 given", 40),
        ("exists() == true", "exists() takes 1 argument, 0 given", 35),
        ("int('1', 2) == 1", "int() takes 1 argument, 2 given", 35),
        (
            "duration.value(1) > duration.value(0, 's')",
            "duration.value() takes 2 arguments, 1 given",
            44,
        ),
    ],
)
def test_calls_are_checked_at_compile_time(condition, message, column):
    with pytest.raises(RulesSyntaxError) as caught:
        Ruleset.parse(wrap_condition(condition))
    assert caught.value.message == message
    assert (caught.value.line, caught.value.column) == (3, column)


def test_a_variable_named_like_a_namespace_hides_it():
    # {math} is a path variable here: math.size() is a string method, decided at run time.
    Ruleset.parse(
        "service cloud.firestore {\n"
        "  match /databases/{database}/documents {\n"
        "    match /a/{math} { allow read: if math.size() > 0; }\n"
        "  }\n"
        "}\n"
    )


def test_command_line_check(tmp_path, capsys):
    from emulators.firestore.rules.__main__ import main

    good = tmp_path / "good.rules"
    good.write_text(FULL_RULES, encoding="utf-8")
    bad = tmp_path / "bad.rules"
    bad.write_text("service cloud.firestore {\n  match /a {\n    allow read: true;\n  }\n}\n")
    assert main([str(good)]) == 0
    assert main([str(good), str(bad)]) == 1
    output = capsys.readouterr().out
    assert f"{good}: ok (rules_version '2')" in output
    assert f"{bad}:3:17: missing 'if' before the condition" in output


def test_absurdly_deep_nesting_is_a_syntax_error():
    condition = "(" * 5000 + "true" + ")" * 5000
    with pytest.raises(RulesSyntaxError) as caught:
        Ruleset.parse(wrap_condition(condition))
    assert caught.value.message == "expression nested too deeply"
