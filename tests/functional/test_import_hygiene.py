"""core/ must never load textual, even through a lazy import: scripts and tests use it without the UI.

The static layer rules are import-linter contracts in pyproject.toml, run by `make lint`.
"""

import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).parents[2] / "heatmap_tui" / "core"


def test_importing_every_core_module_loads_no_textual() -> None:
    modules = [f"heatmap_tui.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__"]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print(any(m.startswith('textual') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
