"""Run several chapter scripts one after another in this one process, as a learner's terminal would.

``python tests/run_in_one_process.py OUT REPORT SCRIPT...`` runs each script with ``--quick --out
OUT/<stem>`` through :mod:`runpy` (one import of the Keras backend for all of them instead of one
per script), prints ``@@@ BEGIN <stem>`` / ``@@@ END <stem>`` around each script's output, and
writes REPORT: for each script its exit status, and what the tests check in its globals.
A failing script does not stop the ones after it.
"""

from __future__ import annotations

import json
import runpy
import sys
import traceback
from pathlib import Path

import numpy as np


def probe(scope: dict) -> dict:
    """What the tests read from a script's globals (chapter 6: devices and trained weights)."""
    found: dict = {}
    if "DEVICES" in scope:
        found["configured"] = scope["DEVICES"]
        found["devices"] = len(scope.get("devices") or [])
    if "weights_one" in scope and "weights_dp" in scope:
        pairs = zip(scope["weights_one"], scope["weights_dp"], strict=True)
        found["gap"] = max(float(np.abs(a - b).max()) for a, b in pairs)
        moved = zip(scope["weights_one"], scope["initial"], strict=True)
        found["moved"] = max(float(np.abs(a - b).max()) for a, b in moved)
    if "parallel" in scope:  # the model chapter 6 trained data-parallel: on how many devices?
        variable = scope["parallel"].trainable_weights[0].value
        if hasattr(variable, "sharding"):  # a JAX array, placed on each device of its mesh
            found["replicas"] = len(variable.sharding.device_set)
        else:  # a TensorFlow MirroredVariable holds one copy per device
            found["replicas"] = len(getattr(variable, "values", [variable]))
    return found


def main(out: Path, report_path: Path, scripts: list[str]) -> None:
    report = {}
    for script in scripts:
        stem = Path(script).stem
        print(f"\n@@@ BEGIN {stem}", flush=True)
        sys.argv = [script, "--quick", "--out", str(out / stem)]
        status, scope = 0, {}
        try:
            scope = runpy.run_path(script, run_name="__main__")
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
            status = 1
        sys.stdout.flush()
        print(f"\n@@@ END {stem}", flush=True)
        report[stem] = {"status": status, **probe(scope)}
        report_path.write_text(json.dumps(report))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
