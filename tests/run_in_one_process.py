"""Run chapter scripts one after another in this one process, as a learner's terminal would.

``python tests/run_in_one_process.py DIR SCRIPT... [-- ARG...]`` runs each script through
:mod:`runpy` with ``ARG...`` (default ``--quick``) and ``--out DIR/<stem>`` (one import of the
Keras backend for all of them instead of one per script), prints ``@@@ BEGIN <stem>`` /
``@@@ END <stem>`` around each script's output, and writes ``DIR/report.json``: for each script
its exit status, the ``Model.fit`` calls it made and its globals as tests/probe.py reads them.
A failing script does not stop the ones after it. ``DIR/status`` is written last.
"""

from __future__ import annotations

import json
import runpy
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # tests/probe.py, run as a script from anywhere
import probe


def main(out: Path, scripts: list[str], args: list[str]) -> int:
    report = {}
    fits = probe.FitCounter().install()
    failed = 0
    for script in scripts:
        stem = Path(script).stem
        print(f"\n@@@ BEGIN {stem}", flush=True)
        sys.argv = [script, *args, "--out", str(out / stem)]
        status, scope = 0, {}
        fits.calls.clear()
        try:
            scope = runpy.run_path(script, run_name="__main__")
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
            status = 1
        sys.stdout.flush()
        print(f"\n@@@ END {stem}", flush=True)
        report[stem] = {"status": status, "fits": list(fits.calls), "values": probe.values(scope)}
        failed += status != 0
        (out / "report.json").write_text(json.dumps(report, ensure_ascii=False))
    return failed


if __name__ == "__main__":
    out_dir, rest = Path(sys.argv[1]), sys.argv[2:]
    split = rest.index("--") if "--" in rest else len(rest)
    arguments = rest[split + 1 :] if "--" in rest else ["--quick"]
    code = 1
    try:
        code = min(main(out_dir, rest[:split], arguments), 1)
    finally:
        (out_dir / "status").write_text(str(code))
    sys.exit(code)
