"""Recursive-descent parser: rules source text -> ``nodes.RulesFile``.

Operator precedence, loosest first: ``?:``, ``||``, ``&&``, ``== !=``,
``< <= > >= in is``, ``+ -``, ``* / %``, unary ``! -``, then member access, indexing,
slicing and calls.
"""

from __future__ import annotations

from emulators.firestore.rules import nodes
from emulators.firestore.rules.checks import check_names
from emulators.firestore.rules.errors import RulesSyntaxError
from emulators.firestore.rules.lexer import Lexer, Token
from emulators.firestore.rules.values import INT64_MAX, INT64_MIN, TYPE_NAMES

ALLOW_METHODS = frozenset({"read", "write", "get", "list", "create", "update", "delete"})
RESERVED_WORDS = frozenset({"true", "false", "null", "in", "is", "if", "let", "return"})
MAX_FUNCTION_ARGS = 7  # Google's limit on function parameters


def parse(text: str) -> nodes.RulesFile:
    parser = Parser(text)
    try:
        rules = parser.parse_file()
        check_names(rules)
    except RecursionError:
        line, column = parser.lexer.location(parser.lexer.pos)
        raise RulesSyntaxError("expression nested too deeply", line, column) from None
    return rules


def parse_expression(text: str) -> nodes.Expr:
    """One standalone expression (used by tests and tools)."""
    parser = Parser(text)
    expr = parser.expression()
    parser.expect_eof()
    return expr


class Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lexer = Lexer(text)
        self.version = "1"
        self._lookahead: Token | None = None

    # Token plumbing -------------------------------------------------------------------

    def peek(self) -> Token:
        if self._lookahead is None:
            self._lookahead = self.lexer.next_token()
        return self._lookahead

    def advance(self) -> Token:
        token = self.peek()
        self._lookahead = None
        return token

    def rewind_lookahead(self) -> None:
        """Give the lookahead token back so the lexer can read characters from there."""
        if self._lookahead is not None:
            self.lexer.pos = self._lookahead.offset
            self._lookahead = None

    def error(self, message: str, token: Token | None = None) -> RulesSyntaxError:
        token = token or self.peek()
        return RulesSyntaxError(message, token.line, token.column)

    def expect_op(self, op: str, context: str = "") -> Token:
        token = self.peek()
        if not token.is_op(op):
            where = f" {context}" if context else ""
            raise self.error(f"expected '{op}'{where}, found {token.describe()}")
        return self.advance()

    def expect_word(self, word: str, message: str | None = None) -> Token:
        token = self.peek()
        if not token.is_word(word):
            raise self.error(message or f"expected '{word}', found {token.describe()}")
        return self.advance()

    def expect_name(self, what: str) -> Token:
        token = self.peek()
        if token.kind != "ident" or token.value in RESERVED_WORDS:
            raise self.error(f"expected {what}, found {token.describe()}")
        return self.advance()

    def expect_eof(self) -> None:
        token = self.peek()
        if token.kind != "eof":
            raise self.error(f"unexpected {token.describe()}")

    def skip_semicolons(self) -> None:
        while self.peek().is_op(";"):
            self.advance()

    # Declarations ---------------------------------------------------------------------

    def parse_file(self) -> nodes.RulesFile:
        if self.peek().is_word("rules_version"):
            self.advance()
            self.expect_op("=")
            token = self.peek()
            if token.kind != "string":
                raise self.error("rules_version must be a string such as '2'")
            if token.value not in ("1", "2"):
                raise self.error(f"unsupported rules_version '{token.value}'")
            self.advance()
            self.version = token.value
            self.skip_semicolons()
        rules = nodes.RulesFile(version=self.version)
        while True:
            token = self.peek()
            if token.kind == "eof":
                break
            if token.is_word("service"):
                rules.services.append(self.service())
            elif token.is_word("function"):
                self.add_function(rules.functions, self.function())
            elif token.is_word("rules_version"):
                raise self.error("rules_version must come first")
            else:
                raise self.error(f"expected 'service' or 'function', found {token.describe()}")
            self.skip_semicolons()
        if not rules.services:
            raise RulesSyntaxError("no service declaration", *self.lexer.location(0))
        return rules

    def add_function(self, table: dict[str, nodes.FunctionDecl], decl: nodes.FunctionDecl) -> None:
        if decl.name in table:
            raise RulesSyntaxError(
                f"function '{decl.name}' is declared twice", decl.line, decl.column
            )
        table[decl.name] = decl

    def service(self) -> nodes.Service:
        keyword = self.advance()
        parts = [self.expect_name("a service name").value]
        while self.peek().is_op("."):
            self.advance()
            parts.append(self.expect_name("a service name").value)
        service = nodes.Service(".".join(parts), keyword.line, keyword.column)
        self.expect_op("{", "after the service name")
        while not self.peek().is_op("}"):
            token = self.peek()
            if token.is_word("match"):
                service.matches.append(self.match())
            elif token.is_word("function"):
                self.add_function(service.functions, self.function())
            elif token.kind == "eof":
                raise self.error("missing '}' at the end of the service block")
            else:
                raise self.error(f"expected 'match' or 'function', found {token.describe()}")
            self.skip_semicolons()
        self.advance()
        return service

    def match(self) -> nodes.MatchBlock:
        keyword = self.advance()
        block = nodes.MatchBlock(self.match_pattern(), keyword.line, keyword.column)
        self.expect_op("{", "after the match path")
        while not self.peek().is_op("}"):
            token = self.peek()
            if token.is_word("match"):
                block.matches.append(self.match())
            elif token.is_word("allow"):
                block.allows.append(self.allow())
            elif token.is_word("function"):
                self.add_function(block.functions, self.function())
            elif token.kind == "eof":
                raise self.error("missing '}' at the end of the match block")
            else:
                raise self.error(
                    f"expected 'allow', 'match' or 'function', found {token.describe()}"
                )
            self.skip_semicolons()
        self.advance()
        return block

    def match_pattern(self) -> tuple[nodes.PatternSegment, ...]:
        self.rewind_lookahead()
        lexer = self.lexer
        lexer.skip_space()
        if lexer.peek_char() != "/":
            raise lexer.error("a match path must start with '/'")
        segments: list[nodes.PatternSegment] = []
        while lexer.peek_char() == "/":
            lexer.pos += 1
            segment_offset = lexer.pos
            if lexer.peek_char() == "{":
                lexer.pos += 1
                name = lexer.read_identifier()
                recursive = False
                if lexer.text.startswith("=**", lexer.pos):
                    lexer.pos += 3
                    recursive = True
                if lexer.peek_char() != "}":
                    raise lexer.error("expected '}' closing the path variable")
                lexer.pos += 1
                segment = nodes.PatternSegment(variable=name, recursive=recursive)
            else:
                text = lexer.read_path_segment_text()
                if not text:
                    raise lexer.error("empty segment in match path", segment_offset)
                segment = nodes.PatternSegment(text=text)
            segments.append(segment)
            if segment.recursive:
                recursive_offset = segment_offset
        recursive_count = sum(1 for s in segments if s.recursive)
        if recursive_count > 1:
            raise lexer.error("at most one recursive wildcard per match path", recursive_offset)
        if recursive_count and self.version == "1" and not segments[-1].recursive:
            raise lexer.error(
                "with rules_version '1' a recursive wildcard must end the path", recursive_offset
            )
        names = [s.variable for s in segments if s.variable]
        if len(names) != len(set(names)):
            raise lexer.error("a path variable is repeated in the match path")
        return tuple(segments)

    def allow(self) -> nodes.Allow:
        keyword = self.advance()
        methods = []
        while True:
            token = self.peek()
            if token.kind != "ident" or token.value not in ALLOW_METHODS:
                raise self.error(
                    "expected a method (read, write, get, list, create, update, delete), "
                    f"found {token.describe()}"
                )
            methods.append(self.advance().value)
            if not self.peek().is_op(","):
                break
            self.advance()
        condition = None
        condition_text = ""
        if self.peek().is_op(":"):
            self.advance()
            self.expect_word("if", "missing 'if' before the condition")
            start = self.peek().offset
            condition = self.expression()
            condition_text = self.text[start : self.peek().offset].strip()
        token = self.peek()
        if not token.is_op(";", "}"):
            raise self.error(f"expected ';' after the allow statement, found {token.describe()}")
        self.skip_semicolons()
        return nodes.Allow(tuple(methods), condition, condition_text, keyword.line, keyword.column)

    def function(self) -> nodes.FunctionDecl:
        keyword = self.advance()
        name = self.expect_name("a function name").value
        self.expect_op("(", "after the function name")
        params: list[str] = []
        if not self.peek().is_op(")"):
            while True:
                param = self.expect_name("a parameter name")
                if param.value in params:
                    raise self.error(f"parameter '{param.value}' is repeated", param)
                params.append(param.value)
                if not self.peek().is_op(","):
                    break
                self.advance()
        if len(params) > MAX_FUNCTION_ARGS:
            raise self.error(f"a function takes at most {MAX_FUNCTION_ARGS} parameters", keyword)
        self.expect_op(")", "closing the parameter list")
        self.expect_op("{", "opening the function body")
        lets: list[tuple[str, nodes.Expr]] = []
        while self.peek().is_word("let"):
            self.advance()
            variable = self.expect_name("a variable name").value
            self.expect_op("=", "in the let binding")
            lets.append((variable, self.expression()))
            self.expect_op(";", "after the let binding")
        self.expect_word("return", "a function body must end with 'return <expression>'")
        body = self.expression()
        self.skip_semicolons()
        self.expect_op("}", "closing the function body")
        return nodes.FunctionDecl(
            name, tuple(params), tuple(lets), body, keyword.line, keyword.column
        )

    # Expressions ----------------------------------------------------------------------

    def expression(self) -> nodes.Expr:
        condition = self.logical_or()
        token = self.peek()
        if token.is_op("?"):
            self.advance()
            if_true = self.expression()
            self.expect_op(":", "in the conditional expression")
            if_false = self.expression()
            return nodes.Conditional(token.line, token.column, condition, if_true, if_false)
        return condition

    def logical_or(self) -> nodes.Expr:
        left = self.logical_and()
        while self.peek().is_op("||"):
            token = self.advance()
            left = nodes.Binary(token.line, token.column, "||", left, self.logical_and())
        return left

    def logical_and(self) -> nodes.Expr:
        left = self.equality()
        while self.peek().is_op("&&"):
            token = self.advance()
            left = nodes.Binary(token.line, token.column, "&&", left, self.equality())
        return left

    def equality(self) -> nodes.Expr:
        left = self.relation()
        while self.peek().is_op("==", "!="):
            token = self.advance()
            left = nodes.Binary(token.line, token.column, token.value, left, self.relation())
        return left

    def relation(self) -> nodes.Expr:
        left = self.additive()
        while True:
            token = self.peek()
            if token.is_op("<", "<=", ">", ">="):
                self.advance()
                left = nodes.Binary(token.line, token.column, token.value, left, self.additive())
            elif token.is_word("in"):
                self.advance()
                left = nodes.Binary(token.line, token.column, "in", left, self.additive())
            elif token.is_word("is"):
                self.advance()
                type_token = self.peek()
                if type_token.kind != "ident" or type_token.value not in TYPE_NAMES:
                    raise self.error(f"unknown type {type_token.describe()} after 'is'", type_token)
                self.advance()
                left = nodes.IsType(token.line, token.column, left, type_token.value)
            else:
                return left

    def additive(self) -> nodes.Expr:
        left = self.multiplicative()
        while self.peek().is_op("+", "-"):
            token = self.advance()
            left = nodes.Binary(token.line, token.column, token.value, left, self.multiplicative())
        return left

    def multiplicative(self) -> nodes.Expr:
        left = self.unary()
        while self.peek().is_op("*", "/", "%"):
            token = self.advance()
            left = nodes.Binary(token.line, token.column, token.value, left, self.unary())
        return left

    def unary(self) -> nodes.Expr:
        token = self.peek()
        if token.is_op("!", "-"):
            self.advance()
            # A bare literal is range-checked after folding, so -9223372036854775808 parses.
            operand = self.unary() if self.peek().is_op("!", "-") else self.postfix()
            if (
                token.value == "-"
                and isinstance(operand, nodes.Literal)
                and isinstance(operand.value, (int, float))
                and not isinstance(operand.value, bool)
            ):
                value = -operand.value
                if isinstance(value, int) and value < INT64_MIN:
                    raise self.error("integer literal out of range", token)
                return nodes.Literal(token.line, token.column, value)
            self.check_int_literal(operand)
            return nodes.Unary(token.line, token.column, token.value, operand)
        expr = self.postfix()
        self.check_int_literal(expr)
        return expr

    def check_int_literal(self, expr: nodes.Expr) -> None:
        if (
            isinstance(expr, nodes.Literal)
            and isinstance(expr.value, int)
            and not isinstance(expr.value, bool)
            and expr.value > INT64_MAX
        ):
            raise RulesSyntaxError("integer literal out of range", expr.line, expr.column)

    def postfix(self) -> nodes.Expr:
        expr = self.primary()
        while True:
            token = self.peek()
            if token.is_op("."):
                self.advance()
                name = self.peek()
                if name.kind != "ident":
                    raise self.error(f"expected a name after '.', found {name.describe()}")
                self.advance()
                if self.peek().is_op("("):
                    args = self.arguments()
                    expr = nodes.MethodCall(name.line, name.column, expr, name.value, args)
                else:
                    expr = nodes.Member(name.line, name.column, expr, name.value)
            elif token.is_op("["):
                self.advance()
                start = None if self.peek().is_op(":") else self.expression()
                if self.peek().is_op(":"):
                    self.advance()
                    end = None if self.peek().is_op("]") else self.expression()
                    self.expect_op("]", "closing the range")
                    expr = nodes.Slice(token.line, token.column, expr, start, end)
                else:
                    self.expect_op("]", "closing the index")
                    assert start is not None
                    expr = nodes.Index(token.line, token.column, expr, start)
            else:
                return expr

    def arguments(self) -> tuple[nodes.Expr, ...]:
        self.expect_op("(")
        args: list[nodes.Expr] = []
        if not self.peek().is_op(")"):
            while True:
                args.append(self.expression())
                if not self.peek().is_op(","):
                    break
                self.advance()
        self.expect_op(")", "closing the argument list")
        return tuple(args)

    def primary(self) -> nodes.Expr:
        token = self.peek()
        if token.kind in ("int", "float", "string", "bytes"):
            self.advance()
            return nodes.Literal(token.line, token.column, token.value)
        if token.kind == "ident":
            if token.value in ("true", "false"):
                self.advance()
                return nodes.Literal(token.line, token.column, token.value == "true")
            if token.value == "null":
                self.advance()
                return nodes.Literal(token.line, token.column, None)
            if token.value in RESERVED_WORDS:
                raise self.error(f"unexpected '{token.value}'")
            self.advance()
            if self.peek().is_op("("):
                return nodes.Call(token.line, token.column, token.value, self.arguments())
            return nodes.Name(token.line, token.column, token.value)
        if token.is_op("("):
            self.advance()
            expr = self.expression()
            self.expect_op(")", "closing the parenthesis")
            return expr
        if token.is_op("["):
            self.advance()
            items: list[nodes.Expr] = []
            while not self.peek().is_op("]"):
                items.append(self.expression())
                if not self.peek().is_op(","):
                    break
                self.advance()
            self.expect_op("]", "closing the list")
            return nodes.ListLiteral(token.line, token.column, tuple(items))
        if token.is_op("{"):
            self.advance()
            entries: list[tuple[nodes.Expr, nodes.Expr]] = []
            while not self.peek().is_op("}"):
                key = self.expression()
                self.expect_op(":", "between a map key and its value")
                entries.append((key, self.expression()))
                if not self.peek().is_op(","):
                    break
                self.advance()
            self.expect_op("}", "closing the map")
            return nodes.MapLiteral(token.line, token.column, tuple(entries))
        if token.is_op("/"):
            return self.path_literal(token)
        raise self.error(f"unexpected {token.describe()}")

    def path_literal(self, slash: Token) -> nodes.PathLiteral:
        self.rewind_lookahead()
        lexer = self.lexer
        segments: list[tuple[str | nodes.Expr, ...]] = []
        while lexer.peek_char() == "/":
            lexer.pos += 1
            segment_offset = lexer.pos
            parts: list[str | nodes.Expr] = []
            while True:
                if lexer.text.startswith("$(", lexer.pos):
                    lexer.pos += 2
                    parts.append(self.expression())
                    self.expect_op(")", "closing '$('")
                    self.rewind_lookahead()
                    continue
                text = lexer.read_path_segment_text()
                if not text:
                    break
                parts.append(text)
            if not parts:
                raise lexer.error("empty segment in path", segment_offset)
            segments.append(tuple(parts))
        return nodes.PathLiteral(slash.line, slash.column, tuple(segments))
