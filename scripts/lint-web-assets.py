#!/usr/bin/env python3
"""Lints the web app's script and stylesheet (Sources/MinnowServer/Web/Assets), as `make test` does.

JavaScript: each file and the served concatenation parse as ECMAScript 2017 scripts (esprima);
each file runs in strict mode; nothing the Content-Security-Policy would block at run time
(`eval`, `new Function`, timers given a string). CSS: every rule and declaration parses
(tinycss2), braces balance, no empty values, no property set twice in one rule, no URLs to other
origins. Prints `path:line:column: message` for each problem and exits 1 if there is one.
Usage: scripts/lint-web-assets.py [FILE ...]   (default: every .js and .css under the folder)
"""
import pathlib
import re
import sys

import esprima
import tinycss2

ROOT = pathlib.Path(__file__).resolve().parent.parent
ASSETS = ROOT / "Sources/MinnowServer/Web/Assets"
# Served order of /assets/app.js (Assets.scriptParts in Assets.swift).
SCRIPT_PARTS = ["script/main.js", "script/training.js", "script/try-it.js"]


def lint_script(name, source):
    problems = []

    def visit(node, meta):
        line, column = meta.start.line, meta.start.column + 1
        callee = getattr(node, "callee", None)
        if node.type == "CallExpression" and callee is not None and callee.type == "Identifier":
            if callee.name == "eval":
                problems.append((line, column, "eval() is blocked by the Content-Security-Policy"))
            arguments = node.arguments or []
            if callee.name in ("setTimeout", "setInterval") and arguments and arguments[0].type == "Literal" \
                    and isinstance(arguments[0].value, str):
                problems.append((line, column, f"{callee.name} with a string is blocked by the Content-Security-Policy"))
        if node.type == "NewExpression" and callee is not None and callee.type == "Identifier" and callee.name == "Function":
            problems.append((line, column, "new Function() is blocked by the Content-Security-Policy"))

    try:
        program = esprima.parseScript(source, {"loc": True}, visit)
    except esprima.Error as error:
        message = re.sub(r"^Line \d+: ", "", str(error))
        return [(error.lineNumber, error.column, f"syntax: {message}")]
    if not strict(program):
        problems.append((1, 1, 'not in strict mode: start with "use strict"; or an IIFE that does'))
    return problems


def strict(program):
    """True when the script, or the one function expression it calls, opens with "use strict"."""
    body = program.body
    if body and directive(body[0]):
        return True
    calls = [s for s in body if s.type == "ExpressionStatement" and s.expression.type == "CallExpression"]
    functions = [c.expression.callee for c in calls if c.expression.callee.type in ("FunctionExpression", "ArrowFunctionExpression")]
    return bool(functions) and all(f.body.type == "BlockStatement" and f.body.body and directive(f.body.body[0]) for f in functions)


def directive(statement):
    return statement.type == "ExpressionStatement" and getattr(statement, "directive", None) == "use strict"


def lint_stylesheet(name, source):
    problems = []
    problems += braces(source)
    rules = tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True)
    lint_rules(rules, problems)
    return problems


def lint_rules(rules, problems):
    for rule in rules:
        if rule.type == "error":
            problems.append((rule.source_line, rule.source_column, f"syntax: {rule.message}"))
        elif rule.type == "qualified-rule":
            if not any(t.type != "whitespace" for t in rule.prelude):
                problems.append((rule.source_line, rule.source_column, "rule without a selector"))
            lint_declarations(rule.content, problems)
        elif rule.type == "at-rule":
            outside(rule.prelude, problems)
            if rule.lower_at_keyword == "import":
                problems.append((rule.source_line, rule.source_column, "@import: the stylesheet is served as one file"))
            elif rule.content is not None and rule.lower_at_keyword in ("media", "supports", "layer", "container"):
                lint_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), problems)
            elif rule.content is not None:
                lint_declarations(rule.content, problems)


def lint_declarations(content, problems):
    seen = set()
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if item.type == "error":
            problems.append((item.source_line, item.source_column, f"syntax: {item.message}"))
        elif item.type == "declaration":
            if not any(t.type not in ("whitespace", "comment") for t in item.value):
                problems.append((item.source_line, item.source_column, f"{item.name}: empty value"))
            if item.lower_name in seen:
                problems.append((item.source_line, item.source_column, f"{item.name} set twice in one rule"))
            seen.add(item.lower_name)
            outside(item.value, problems)
        elif item.type == "qualified-rule":
            problems.append((item.source_line, item.source_column, "syntax: a rule inside a rule (missing `:` or `}`?)"))


def outside(tokens, problems):
    """Flags url(...) to another origin: the Content-Security-Policy allows only 'self' and data:."""
    for token in tokens:
        url = None
        if token.type == "url":
            url = token.value
        elif token.type == "function" and token.lower_name == "url":
            url = "".join(t.value for t in token.arguments if t.type == "string")
        if url and re.match(r"^[a-z][a-z0-9+.-]*:|^//", url, re.I) and not url.startswith("data:"):
            problems.append((token.source_line, token.source_column, f"url({url}) is blocked by the Content-Security-Policy"))


def braces(source):
    """Unclosed or stray braces, which CSS parsers otherwise close or skip without a word."""
    stripped = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group()), source, flags=re.S)
    stripped = re.sub(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', lambda m: " " * len(m.group()), stripped)
    opened = []
    for line_number, line in enumerate(stripped.split("\n"), 1):
        for column, character in enumerate(line, 1):
            if character == "{":
                opened.append((line_number, column))
            elif character == "}":
                if not opened:
                    return [(line_number, column, "`}` closes nothing")]
                opened.pop()
    return [(line, column, "`{` is never closed") for line, column in opened[:1]]


def main(arguments):
    files = [pathlib.Path(a) for a in arguments] or sorted(p for p in ASSETS.rglob("*") if p.suffix in (".js", ".css"))
    problems = []
    for path in files:
        source = path.read_text(encoding="utf-8")
        lint = lint_script if path.suffix == ".js" else lint_stylesheet
        problems += [(path, *problem) for problem in lint(path.name, source)]
    if not arguments:  # the parts are served as one script: together they must parse too
        served = "".join((ASSETS / part).read_text(encoding="utf-8") for part in SCRIPT_PARTS)
        problems += [("/assets/app.js", *problem) for problem in lint_script("app.js", served) if problem[2].startswith("syntax")]
    for path, line, column, message in problems:
        shown = path.relative_to(ROOT) if isinstance(path, pathlib.Path) and path.is_relative_to(ROOT) else path
        print(f"{shown}:{line}:{column}: {message}")
    print(f"web assets: {len(files)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
