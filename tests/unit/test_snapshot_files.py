"""Every SVG snapshot still belongs to a test.

syrupy fails a serial run on a snapshot no test used, but skips that check under pytest-xdist,
which `make test` runs: without this, the SVG of a renamed or deleted snapshot test would stay.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
# syrupy's single-file layout: <test file's dir>/__snapshots__/<test file's stem>/<test name>.svg,
# the test name with its parameter id in brackets and, for a second snapshot in one test, ".1".
SNAPSHOTS = sorted(TESTS.glob("**/__snapshots__/*/*.svg"))
NAME = re.compile(r"(?P<function>\w+)(?:\[(?P<param>.*)\])?(?:\.\d+)?")


def defined_tests(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def test_the_snapshots_are_found() -> None:
    assert len(SNAPSHOTS) >= 10


@pytest.mark.parametrize("svg", SNAPSHOTS, ids=lambda svg: f"{svg.parent.name}/{svg.stem}")
def test_every_snapshot_has_its_test(svg: Path) -> None:
    module = svg.parent.parent.parent / f"{svg.parent.name}.py"
    assert module.is_file(), f"{svg.relative_to(TESTS)}: no {module.name} beside its __snapshots__"
    name = NAME.fullmatch(svg.stem)
    assert name, f"{svg.name} is not a snapshot name"
    assert name["function"] in defined_tests(module), f"{svg.name}: no such test in {module.name}"
    if name["param"] is not None:
        assert name["param"] in module.read_text(encoding="utf-8"), f"{svg.name}: no such parameter"
