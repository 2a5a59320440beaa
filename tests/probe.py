"""What a chapter computed, read from its globals after a run, so that tests check values, not text.

:func:`values` turns a script's (or a notebook kernel's) globals into JSON: numbers, strings and
small containers as they are, arrays and tensors as their shape and dtype (and their entries when
there are few), and what chapter 6's engines did that no global says (on how many devices the
data-parallel model holds its weights). :class:`FitCounter` records every ``Model.fit`` a script
makes, from the moment Keras is imported.

Both runners (tests/run_in_one_process.py in a terminal's way, tests/run_notebooks.py in
Jupyter's) use this file; the notebook runner executes its source in the kernel.
"""

from __future__ import annotations

import json
import math
import types

#: Arrays and containers (other than lists of plain numbers) longer than this are described, not
#: copied.
SMALL = 64
#: Marks a value that has no JSON form (a model, a function, a figure).
_SKIP = object()


def _plain(value: object, depth: int = 0) -> object:
    if isinstance(value, bool | int | str) or value is None:
        return value if not isinstance(value, str) or len(value) <= 2000 else _SKIP
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if type(value).__module__ == "numpy" and hasattr(value, "item") and not hasattr(value, "ndim"):
        return _plain(value.item(), depth)
    if hasattr(value, "shape") and hasattr(value, "dtype") and not isinstance(value, type):
        try:
            described = {"shape": [int(n) for n in value.shape], "dtype": str(value.dtype)}
        except TypeError:  # a symbolic shape (None on an axis): not a computed array
            return _SKIP
        if type(value).__module__ == "numpy":
            if value.ndim == 0:
                return _plain(value.item(), depth)
            if value.size <= SMALL:
                described["values"] = value.tolist()
            elif value[-1].size <= SMALL:  # a path: where it ended
                described["last"] = value[-1].tolist()
            if value.dtype.kind not in "biuf":  # strings, objects: the shape says enough
                described.pop("values", None), described.pop("last", None)
        return described
    if depth > 3:
        return _SKIP
    if isinstance(value, list | tuple):
        if len(value) > SMALL and not all(isinstance(item, int | float) for item in value):
            return {"len": len(value)}
        items = [_plain(item, depth + 1) for item in value]
        return _SKIP if any(item is _SKIP for item in items) else items
    if isinstance(value, dict) and len(value) <= SMALL:
        if not all(isinstance(key, str | int | float) for key in value):
            return _SKIP
        items = {str(key): _plain(item, depth + 1) for key, item in value.items()}
        return _SKIP if any(item is _SKIP for item in items.values()) else items
    return _SKIP


def _replicas(model: object) -> int | None:
    """On how many devices a model keeps a copy of its first weight (chapter 6's engines)."""
    weights = getattr(model, "trainable_weights", None)
    if not weights:
        return None
    variable = weights[0].value
    if hasattr(variable, "sharding"):  # a JAX array, placed on each device of its mesh
        return len(variable.sharding.device_set)
    return len(getattr(variable, "values", [variable]))  # a TF MirroredVariable: one per device


def values(scope: dict) -> dict:
    """The JSON-able globals of ``scope`` (names starting with _ left out), plus ``replicas``."""
    found = {}
    for name, value in scope.items():
        if name.startswith("_") or isinstance(value, types.ModuleType):
            continue
        plain = _plain(value)
        if plain is not _SKIP:
            found[name] = plain
    if "parallel" in scope:
        found["replicas"] = _replicas(scope["parallel"])
    return found


def values_json(scope: dict) -> str:
    return json.dumps(values(scope), ensure_ascii=False)


class FitCounter:
    """Appends the ``epochs`` of every ``keras.Model.fit`` call to :attr:`calls`.

    Keras is patched when it is first imported, not before: chapter 6 sets JAX's device count
    in its first cell, which only works if nothing has imported the backend yet.
    """

    def __init__(self) -> None:
        self.calls: list[object] = []

    def install(self) -> FitCounter:
        from keras_tutorial.imports import after_import

        after_import("keras", self._patch)
        return self

    def _patch(self, keras: types.ModuleType) -> None:
        fit = keras.Model.fit
        calls = self.calls

        def counted(model, *args, **kwargs):
            calls.append(kwargs.get("epochs", 1))
            return fit(model, *args, **kwargs)

        keras.Model.fit = counted
