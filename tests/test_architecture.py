"""The shape of the code, checked: wings without import cycles, a library that never imports its
adapters, small files, no copied logic, one front door, and every command documented."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from indexing.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("indexing", "bot")
MAX_LINES = 450
REPEAT_LINES = 6


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules imported anywhere in the file (function-level and TYPE_CHECKING included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            # `from pkg import module` depends on that module; `from pkg import name` on pkg.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def external_imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_no_import_cycles():
    graph = import_graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_the_library_never_imports_its_adapters():
    graph = import_graph()
    for name, path in modules().items():
        if not name.startswith("indexing") or name.startswith("indexing.cli"):
            continue
        wrong = {m for m in graph[name] if m.startswith(("bot", "indexing.cli"))}
        assert not wrong, f"{name} imports {sorted(wrong)}"
        assert "discord" not in external_imports(path), f"{name} imports discord"


def test_files_stay_small():
    sizes = {str(p.relative_to(REPO)): len(p.read_text().splitlines()) for p in modules().values()}
    big = {path: n for path, n in sizes.items() if n > MAX_LINES}
    assert not big, f"files over {MAX_LINES} lines: {big}"


def logic_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, whitespace-folded text) of lines that carry logic: no blanks, comments,
    imports, docstrings or lone brackets."""
    source = path.read_text()
    docstring_lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            docstring_lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    out = []
    for number, line in enumerate(source.splitlines(), start=1):
        text = " ".join(line.split())
        if (not text or text.startswith(("#", "import ", "from ", "@")) or number in docstring_lines
                or not re.search(r"[A-Za-z0-9]", text)):
            continue
        out.append((number, text))
    return out


def test_no_logic_is_copied_across_the_code():
    """A run of REPEAT_LINES identical logic lines in two places is a function waiting to be shared."""
    seen: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in modules().values():
        lines = logic_lines(path)
        for i in range(len(lines) - REPEAT_LINES + 1):
            window = tuple(text for _, text in lines[i:i + REPEAT_LINES])
            if sum(len(t) for t in window) < 120:  # short boilerplate (signatures, returns) is fine
                continue
            seen[window].append(f"{path.relative_to(REPO)}:{lines[i][0]}")
    repeated = {places[0]: places[1:] for places in seen.values() if len(places) > 1}
    assert not repeated, f"repeated blocks: {repeated}"


FRONT_DOOR_ONLY = re.compile(r"\.store\.|\._run_model\(|\bexecute\(|\bSELECT\b|\bINSERT\b|\baiosqlite\b|\bsqlite3\b")


def test_only_the_store_wing_and_the_front_door_reach_the_database():
    for name, path in modules().items():
        if name.startswith("indexing.store") or name == "indexing.library":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#", 1)[0]
            assert not FRONT_DOOR_ONLY.search(code), f"{path.relative_to(REPO)}:{number}: {line.strip()}"


def test_every_cli_command_is_in_the_readme():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    readme = (REPO / "README.md").read_text()
    missing = [name for name in sub.choices if not re.search(rf"threadbot[^\n]* {re.escape(name)}\b", readme)]
    assert not missing, f"README.md never shows `threadbot {missing[0]}`"


def test_every_wing_says_what_it_owns():
    for package in [p for p in (REPO / "indexing").iterdir() if (p / "__init__.py").is_file()]:
        docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
        assert docstring and len(docstring.split()) >= 20, f"{package.name}/__init__.py has no wing docstring"
