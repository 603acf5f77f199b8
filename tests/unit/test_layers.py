"""Imports only go down the layers: the HTTP, workspace, job and CLI layers call operations;
operations call the domain, models and pure packages, never back up (a job layer that imports
operations and is imported by them makes a cycle, and operations that cannot run without a
queue)."""

from __future__ import annotations

import ast
from pathlib import Path

from service.config import PROJECT_ROOT

#: What the lower layers may not import.
UPPER = (
    "service.api",
    "service.web",
    "service.jobs",
    "service.cli",
    "service.worker",
    "service.app",
)
LOWER = (
    "service/operations",
    "service/domain",
    "service/models",
    "service/extraction",
    "service/linking",
)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_lower_layers_do_not_import_upper_ones() -> None:
    upward = []
    for folder in LOWER:
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            for name in _imports(path):
                if any(name == u or name.startswith(u + ".") for u in UPPER):
                    upward.append(f"{path.relative_to(PROJECT_ROOT)} imports {name}")
    assert not upward, upward


def test_the_rule_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from service import jobs\nfrom service.jobs import enqueue_extraction\n")
    names = _imports(module)
    assert {"service.jobs", "service.jobs.enqueue_extraction"} <= names
