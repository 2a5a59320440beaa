"""Execute chapter notebooks headless, each in a fresh kernel, one after another, as Jupyter would.

``python tests/run_notebooks.py DIR SCRIPT...`` builds each script's notebook the way
``make notebooks`` does and executes it with ``DIR/<stem>`` as its folder (figures land in
``DIR/<stem>/outputs``), in quick mode when ``KERAS_TUTORIAL_QUICK=1`` is set. It writes the
executed notebook to ``DIR/<stem>.ipynb`` and ``DIR/report.json`` in the shape
tests/run_in_one_process.py writes: exit status and globals (read by tests/probe.py in the kernel,
from a cell added at the end and removed again). ``DIR/status`` is written last.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools import notebooks  # noqa: E402 - needs the line above

PROBE = Path(__file__).with_name("probe.py")
MARK = "@@@ VALUES "
READ_VALUES = f"""
_probe = {{}}
exec(compile(open({str(PROBE)!r}, encoding="utf-8").read(), "probe.py", "exec"), _probe)
print({MARK!r} + _probe["values_json"](globals()))
"""


def run(script: Path, out: Path) -> dict:
    folder = out / script.stem
    folder.mkdir(parents=True, exist_ok=True)
    nb = notebooks.script_to_notebook(script)
    nb.cells.append(nbformat.v4.new_code_cell(READ_VALUES))
    status, error = 0, ""
    try:
        notebooks.execute(nb, folder)
    except Exception as exc:  # a failing cell: the report says so, the next notebook runs
        status, error = 1, str(exc)
    probe_cell = nb.cells.pop()
    printed = "".join(output.get("text", "") for output in probe_cell.get("outputs", []))
    found = [line[len(MARK) :] for line in printed.splitlines() if line.startswith(MARK)]
    nbformat.write(nb, out / f"{script.stem}.ipynb")
    return {"status": status, "error": error, "values": json.loads(found[0]) if found else {}}


def main(out: Path, scripts: list[str]) -> int:
    # One notebook at a time: this run shares the machine with the suite's workers and the other
    # shared runs, and a second kernel beside them only made every process slower.
    report = {Path(script).stem: run(Path(script), out) for script in scripts}
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False))
    return int(any(entry["status"] for entry in report.values()))


if __name__ == "__main__":
    out_dir = Path(sys.argv[1])
    code = 1
    try:
        code = main(out_dir, sys.argv[2:])
    finally:
        (out_dir / "status").write_text(str(code))
    sys.exit(code)
