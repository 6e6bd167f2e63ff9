"""core/ must never import textual: scripts and tests use it without the UI."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).parent.parent / "heatmap_tui" / "core"


def test_no_core_module_imports_textual_statically() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("textual", "rich")]
    assert offenders == []


def test_importing_every_core_module_loads_no_textual() -> None:
    modules = [f"heatmap_tui.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__"]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print(any(m.startswith('textual') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
