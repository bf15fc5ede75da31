#!/usr/bin/env python3
"""Parses every Swift file of the iOS app and the bindings with tree-sitter-swift.

No Swift compiler runs on the machines Tincan is developed on, so this is the check
that runs here (through bindings/tests/swift_syntax.rs, part of `cargo test
--workspace`): a file that does not parse fails with file:line:column of each ERROR
or MISSING node. It is a syntax check only — names, types and API use are checked by
Xcode (.github/workflows/ios.yml) and by reading.

It also checks the shell's own words: every `word("…")` key in the Swift sources (and
`String(localized: "…")`, whose `\\(count)` is the catalog's `%lld`) is in
ios/TincanKit/Sources/TincanKit/Resources/Localizable.xcstrings and every key there is
used, the catalog is valid JSON with an English value for each key, and no SwiftUI
view takes a bare string literal (shell words go through `Shell`, everything else
comes from the core's view).

Known grammar limitations (tree-sitter-swift 0.7.4 rejects these valid constructs; the
UniFFI-generated bindings use both). Each is rewritten to a same-length form the
grammar accepts, so line and column numbers stay true, and the count is printed:

1. `#if <condition>` / attribute lines only / `#endif`, applying the attributes to the
   declaration after `#endif` (SE-0367's conditional attributes, e.g. UniFFI's
   `#if swift(>=5.8)` `@_documentation(visibility: private)` `#endif`). The `#if` and
   `#endif` lines are blanked; the attributes and the declaration are still parsed.
2. `{ () }` — a closure whose body is the empty tuple (UniFFI's `writeReturn` for a
   callback returning nothing). The grammar cannot parse `()` as an expression; it is
   checked as `{ [] }`.

Usage: swift_syntax.py [--min-files N] [ROOT ...]   (default roots: ios/ and bindings/)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "ios/TincanKit/Sources/TincanKit/Resources/Localizable.xcstrings"
SKIP_DIRS = {".build", "build", "DerivedData", ".swiftpm", "node_modules", "target", "Frameworks"}

try:
    import tree_sitter_swift
    from tree_sitter import Language, Parser
except ImportError as e:  # pragma: no cover - the message is the point
    sys.exit(
        f"swift_syntax: cannot import tree-sitter ({e}). Install the parser and the Swift "
        "grammar: `python3 -m pip install --user tree-sitter==0.26.1 tree-sitter-swift==0.7.4` "
        "(Debian 12: add --break-system-packages), or run scripts/setup."
    )


def _blank(text: bytes) -> bytes:
    return re.sub(rb"[^\n]", b" ", text)


COND_ATTRIBUTES = re.compile(
    rb"^([ \t]*#if[^\n]*)\n((?:[ \t]*@[A-Za-z_][\w.]*(?:\([^\n]*\))?[ \t]*\n)+)([ \t]*#endif[^\n]*)$",
    re.M,
)
EMPTY_TUPLE_CLOSURE = re.compile(rb"\{ \(\) \}")

# (name, pattern, replacement): see the module docstring. Replacements keep lengths.
GRAMMAR_LIMITS = [
    (
        "attributes alone inside #if … #endif",
        COND_ATTRIBUTES,
        lambda m: _blank(m.group(1)) + b"\n" + m.group(2) + _blank(m.group(3)),
    ),
    ("closure returning the empty tuple `{ () }`", EMPTY_TUPLE_CLOSURE, lambda m: b"{ [] }"),
]

# SwiftUI initialisers and modifiers whose first argument is text a person reads.
BARE_LITERAL = re.compile(
    r"\b(Text|Label|Button|TextField|SecureField|Toggle|Section|Menu|Link|Picker|"
    r"navigationTitle|accessibilityLabel|accessibilityHint|accessibilityValue|"
    r"confirmationDialog|alert|SharePreview)\(\s*\""
)
# `word("…")`, and `String(localized: "…")` whose `\(count)` interpolations are `%lld`.
WORD = re.compile(r'\bword\(\s*"((?:[^"\\]|\\.)*)"')
LOCALIZED = re.compile(r'\bString\(localized:\s*"((?:[^"\\]|\\.)*)"')


def swift_files(roots: list[Path]) -> tuple[list[Path], list[str]]:
    files, problems = [], []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".xcodeproj"))
            for name in sorted(filenames):
                if not name.endswith(".swift"):
                    continue
                path = Path(dirpath) / name
                if path.is_symlink() and not path.exists():
                    problems.append(f"{rel(path)}: broken symlink to {os.readlink(path)}")
                    continue
                files.append(path)
    return files, problems


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)


def syntax_problems(parser: Parser, path: Path, source: bytes) -> tuple[list[str], dict[str, int]]:
    applied: dict[str, int] = {}
    for name, pattern, replace in GRAMMAR_LIMITS:
        source, n = pattern.subn(replace, source)
        if n:
            applied[name] = n
    tree = parser.parse(source)
    lines = source.decode("utf-8", "replace").splitlines()
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            row, col = node.start_point
            what = f"missing `{node.type}`" if node.is_missing else "syntax error"
            text = lines[row].strip() if row < len(lines) else ""
            found.append((row, col, f"{rel(path)}:{row + 1}:{col + 1}: {what}: {text[:100]}"))
            if node.is_error:
                continue
        stack.extend(node.children)
    return [m for _, _, m in sorted(found)], applied


def catalog_problems(files: list[Path]) -> tuple[list[str], int]:
    problems = []
    if not CATALOG.is_file():
        return [f"{rel(CATALOG)}: the string catalog is missing"], 0
    try:
        catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        return [f"{rel(CATALOG)}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}"], 0
    if catalog.get("sourceLanguage") != "en" or not isinstance(catalog.get("strings"), dict):
        problems.append(f"{rel(CATALOG)}: needs \"sourceLanguage\": \"en\" and a \"strings\" object")
        return problems, 0
    strings = catalog["strings"]
    for key, entry in strings.items():
        value = (((entry or {}).get("localizations") or {}).get("en") or {}).get("stringUnit", {}).get("value")
        if not value:
            problems.append(f"{rel(CATALOG)}: \"{key}\" has no English value")
    used: dict[str, str] = {}
    for path in files:
        if REPO / "ios" not in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (WORD, LOCALIZED):
            for m in pattern.finditer(text):
                line_start = text.rfind("\n", 0, m.start()) + 1
                if text[line_start:m.start()].lstrip().startswith("//"):
                    continue
                key = re.sub(r"\\\([^)]*\)", "%lld", m.group(1))
                key = key.replace('\\"', '"').replace("\\\\", "\\")
                used.setdefault(key, f"{rel(path)}:{text.count(chr(10), 0, m.start()) + 1}")
        for n, line in enumerate(text.splitlines(), 1):
            m = BARE_LITERAL.search(line)
            if m and not line.lstrip().startswith("//"):
                problems.append(
                    f"{rel(path)}:{n}:{m.start() + 1}: `{m.group(1)}(\"…\")` with a bare string: shell words "
                    "go through Shell (Localizable.xcstrings); the core's words are passed as values"
                )
    for key, where in sorted(used.items()):
        if key not in strings:
            problems.append(f"{where}: word(\"{key}\") is not in {rel(CATALOG)}")
    for key in sorted(set(strings) - set(used)):
        problems.append(f"{rel(CATALOG)}: \"{key}\" is not used by any word(\"…\")")
    return problems, len(strings)


def installed(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--min-files", type=int, default=1)
    args.add_argument("roots", nargs="*", type=Path)
    opts = args.parse_args()
    roots = [r.resolve() for r in opts.roots] or [REPO / "ios", REPO / "bindings"]

    parser = Parser(Language(tree_sitter_swift.language()))
    files, problems = swift_files(roots)
    # Real files first, so a symlink is reported as pointing at the file it shows.
    files.sort(key=lambda p: p.is_symlink())
    seen: dict[Path, Path] = {}
    lines = 0
    for path in files:
        real = path.resolve()
        if real in seen:
            print(f"swift_syntax: {rel(path)} -> {rel(seen[real])} (a symlink to a file parsed above)")
            continue
        seen[real] = path
        source = path.read_bytes()
        lines += source.count(b"\n")
        found, applied = syntax_problems(parser, path, source)
        problems += found
        for name, n in applied.items():
            print(f"swift_syntax: {rel(path)}: grammar limitation rewritten {n}×: {name}")
    if (REPO / "ios") in roots:
        catalog, keys = catalog_problems(files)
        problems += catalog
        print(f"swift_syntax: string catalog {rel(CATALOG)}: {keys} keys")
    for p in problems:
        print(p)
    versions = f"tree-sitter {installed('tree-sitter')}, tree-sitter-swift {installed('tree-sitter-swift')}"
    print(f"swift_syntax: checked {len(seen)} files ({lines} lines) with {versions}; {len(problems)} problems")
    if len(seen) < opts.min_files:
        print(f"swift_syntax: expected at least {opts.min_files} Swift files, found {len(seen)}")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
