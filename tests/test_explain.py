"""keras_tutorial.explain: each rule meets the real error of its mistake, after the real traceback.

The mistakes are made for real: ``python tests/test_explain.py BACKEND`` (run below in one
subprocess per backend, to keep the suite short) makes every mistake a learner can make on that
backend, prints what the explainer says about each as JSON, and ends with one uncaught mistake so
that the hook ``start_chapter()`` installs is seen at work in a terminal. GPU out of memory and
missing CUDA libraries cannot happen on this CPU machine: those tests use the libraries' own
message texts (sources cited beside them) or, where this machine can raise them, the real error.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import BACKENDS, ROOT, SCRIPTS, backend_available, free_port

from keras_tutorial import explain

THIS = Path(__file__)


# --- the mistakes, made for real in a subprocess per backend -------------------------------


def mistakes(backend: str, out: Path) -> dict:
    """Make each mistake; return {name: function that makes it} for this backend."""
    import keras

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (32, 28, 28)).astype("uint8")
    labels = rng.integers(0, 10, 32)
    x = images.reshape((32, 784)).astype("float32") / 255
    one_hot = keras.utils.to_categorical(labels, 10)

    def model(loss: str = "categorical_crossentropy"):
        net = keras.Sequential(
            [keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")]
        )
        net.compile(optimizer="rmsprop", loss=loss)
        return net

    def uncompiled():
        return keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10)])

    def diverge():
        """A linear regression on large inputs with a huge learning rate: the loss overflows."""
        big = rng.normal(size=(256, 4)).astype("float32") * 100
        net = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        net.compile(optimizer=keras.optimizers.SGD(learning_rate=10.0), loss="mse")
        stop = keras.callbacks.TerminateOnNaN(raise_error=True)
        net.fit(big, big.sum(axis=1), epochs=20, batch_size=32, verbose=0, callbacks=[stop])

    made = {
        "images_not_flattened": lambda: model().fit(images, one_hot, epochs=1, verbose=0),
        "integer_labels_with_categorical_loss": lambda: model().fit(x, labels, epochs=1, verbose=0),
        "one_hot_labels_with_sparse_loss": lambda: model("sparse_categorical_crossentropy").fit(
            x, one_hot, epochs=1, verbose=0
        ),
        # Labels 1..10: to_categorical without the number of classes makes 11 columns.
        "one_hot_of_a_label_too_large": lambda: model().fit(
            x, keras.utils.to_categorical(labels + 1), epochs=1, verbose=0
        ),
        "to_categorical_with_too_few_classes": lambda: keras.utils.to_categorical(labels + 1, 10),
        "sparse_label_too_large": lambda: model("sparse_categorical_crossentropy").fit(
            x, labels + 5, epochs=1, verbose=0
        ),
        "fit_before_compile": lambda: uncompiled().fit(x, one_hot, verbose=0),
        "evaluate_before_compile": lambda: uncompiled().evaluate(x, one_hot, verbose=0),
        "ops_matmul_shapes": lambda: keras.ops.matmul(np.zeros((2, 3)), np.zeros((4, 5))),
        "ops_add_shapes": lambda: keras.ops.add(np.zeros((3, 4)), np.zeros((3,))),
        "loss_becomes_nan": diverge,
        "mnist_download_fails": lambda: keras.utils.get_file(
            "mnist.npz", origin=f"http://127.0.0.1:{free_port()}/mnist.npz", cache_dir=str(out)
        ),
    }
    if backend == "tensorflow":
        import tensorflow as tf

        def int_times_float():
            return tf.matmul(tf.constant(np.arange(6).reshape(2, 3)), tf.zeros((3, 5), "float64"))

        made["integer_tensor_times_float"] = int_times_float
        # NumPy's errors do not depend on the backend: made once, here.
        made["numpy_broadcast"] = lambda: np.zeros((3, 4)) + np.zeros((3,))
        made["numpy_broadcast_3d"] = lambda: np.zeros((2, 3, 4)) * np.zeros((5, 4))
        made["numpy_matmul"] = lambda: np.zeros((2, 3)) @ np.zeros((4, 5))
        made["numpy_dot"] = lambda: np.dot(np.zeros((2, 3)), np.zeros((4, 5)))
        made["numpy_reshape"] = lambda: images.reshape((32, 28 * 27))

        def divide_uint8_in_place():
            pixels = images.copy()
            pixels /= 255

        made["divide_uint8_in_place"] = divide_uint8_in_place

        def mnist_missing():
            from keras_tutorial.data import load_mnist

            load_mnist(out / "no-such-mnist.npz")

        made["mnist_missing"] = mnist_missing
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        made["grad_of_integer_weights"] = lambda: jax.grad(lambda w: jnp.sum(w * 2.0))(
            jnp.arange(3)
        )
    if backend == "torch":
        import torch

        made["integer_tensor_requires_grad"] = lambda: torch.tensor(
            np.arange(3), requires_grad=True
        )
        made["integer_tensor_times_float"] = lambda: (
            torch.from_numpy(np.arange(6).reshape(2, 3)) @ torch.zeros((3, 5))
        )
    return made


def report(backend: str, out: Path) -> dict:
    """{mistake: {"error": "Type: message", "rule": name or None, "text": block or None}}."""
    found = {}
    for name, make in mistakes(backend, out).items():
        try:
            make()
        except Exception as exc:
            rule = explain.match(exc)
            found[name] = {
                "error": f"{type(exc).__name__}: {str(exc)[:300]}",
                "rule": rule[0].name if rule else None,
                "text": explain.explanation(exc),
            }
        else:
            found[name] = {"error": None, "rule": None, "text": None}
    return found


def main(backend: str, out: Path) -> None:
    from keras_tutorial.settings import start_chapter

    start_chapter("explain test", argv=["--out", str(out)])
    print("JSON " + json.dumps(report(backend, out), ensure_ascii=False), flush=True)
    # Uncaught, as in a chapter script: the hook start_chapter installed takes it from here.
    if backend == "tensorflow":
        from keras_tutorial.data import load_mnist

        load_mnist(out / "no-such-mnist.npz")  # a learner error: clean message, no traceback
    import keras  # elsewhere a bug in the learner's code: the traceback, then the block

    keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)]).fit(
        np.zeros((4, 4)), np.zeros(4), verbose=0
    )


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))


# --- the tests ------------------------------------------------------------------------------

#: What the learner must read for each mistake: the rule, then fragments of its text.
EXPECTED = {
    "images_not_flattened": ("dense_input_shape", "长度 784", "(32, 28, 28)", "reshape", "1.3"),
    "integer_labels_with_categorical_loss": (
        "integer_labels_with_categorical_loss",
        "to_categorical(labels, 10)",
        "sparse_categorical_crossentropy",
    ),
    "one_hot_labels_with_sparse_loss": (
        "one_hot_labels_with_sparse_loss",
        "(32, 10)",
        'loss="categorical_crossentropy"',
        "1.5",
    ),
    "one_hot_of_a_label_too_large": ("one_hot_width_is_not_the_units", "11 列", "10 个单元"),
    "to_categorical_with_too_few_classes": (
        "label_outside_to_categorical",
        "类别数是 10，标签里却有 10",
    ),
    "sparse_label_too_large": ("label_outside_the_units", "单元数"),
    "fit_before_compile": ("fit_before_compile", "model.compile("),
    "evaluate_before_compile": ("fit_before_compile", "model.compile("),
    "ops_matmul_shapes": ("matmul_shapes", "(2, 3) 和 (4, 5)", "3.4 点积"),
    ("jax", "ops_matmul_shapes"): ("matmul_sizes", "长 3", "长 4", "3.4 点积"),
    "ops_add_shapes": ("broadcast_shapes", "(3, 4) 和 (3,)", "上长度是 4 和 3", "3.3 广播"),
    ("torch", "ops_add_shapes"): ("broadcast_sizes", "轴 1 长 4", "轴长 3", "3.3 广播"),
    "loss_becomes_nan": ("loss_became_nan", "学习率", "4.3"),
    "mnist_download_fails": ("mnist_download_failed", "127.0.0.1", "load_mnist()", "1.2"),
    "integer_tensor_times_float": ("integer_tensor_where_floats_are_needed", "astype"),
    "numpy_broadcast": (
        "broadcast_shapes",
        "(3, 4) 和 (3,)",
        "倒数第 1 个轴（第一个的轴 1，第二个的轴 0）上长度是 4 和 3",
    ),
    "numpy_broadcast_3d": (
        "broadcast_shapes",
        "(2, 3, 4) 和 (5, 4)",
        "倒数第 2 个轴（第一个的轴 1，第二个的轴 0）上长度是 3 和 5",
    ),
    "numpy_matmul": ("matmul_sizes", "长 3", "长 4"),
    "numpy_dot": (
        "matmul_shapes",
        "(2, 3) 和 (4, 5)",
        "第一个的最后一个轴（轴 1）长 3，第二个的轴 0 长 4",
    ),
    "numpy_reshape": ("reshape_size", "25088 个元素", "(32,756)", "-1", "3.5"),
    "divide_uint8_in_place": ("integer_array_updated_in_place", "uint8", 'astype("float32")'),
    "mnist_missing": ("mnist_not_loaded", "MNIST_PATH", "1.2"),
    "grad_of_integer_weights": ("integer_tensor_where_floats_are_needed", "astype", "1.3"),
    "integer_tensor_requires_grad": ("integer_tensor_where_floats_are_needed", "astype"),
}

#: Mistakes a backend lets pass without an error: nothing to explain there.
SILENT = {
    # JAX clips an out-of-range index instead of raising: the loss is just wrong.
    ("jax", "sparse_label_too_large"),
}


@pytest.fixture(scope="module", params=BACKENDS)
def run(request, tmp_path_factory):
    backend = request.param
    if not backend_available(backend):
        pytest.skip(f"{backend} is not installed (pip install -e '.[jax,torch]')")
    out = tmp_path_factory.mktemp(backend)
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONUNBUFFERED": "1"}
    env.pop("MNIST_PATH", None)
    result = subprocess.run(
        [sys.executable, str(THIS), backend, str(out)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("JSON ")), None)
    assert line, result.stdout[-3000:] + result.stderr[-3000:]
    return backend, json.loads(line[5:]), result


def test_each_mistake_is_explained_on_each_backend(run):
    backend, found, _ = run
    assert len(found) >= 12
    for name, seen in found.items():
        if (backend, name) in SILENT:
            assert seen["error"] is None, seen
            continue
        rule, *fragments = EXPECTED.get((backend, name), EXPECTED[name])
        assert seen["rule"] == rule, (name, seen)
        text = seen["text"]
        assert text.startswith(explain.HEADER) and "原因：" in text and "改法：" in text, text
        for fragment in fragments:
            assert fragment in text, (name, fragment, text)


def test_terminal_shows_the_traceback_then_the_explanation(run):
    backend, _, result = run
    assert result.returncode == 1
    err = result.stderr
    if backend == "tensorflow":
        # A learner error (TutorialError): the clean message without a traceback, then its block.
        assert "Traceback" not in err, err[-3000:]
        clean = err.index("错误：找不到 MNIST 文件")
        assert clean < err.index(explain.HEADER)
        assert err.rstrip().endswith("参见：第 1 章 1.2 加载 MNIST 数据集")
        return
    traceback_at = err.index("Traceback (most recent call last)")
    error_line = err.index("ValueError: You must call `compile()` before using the model.")
    assert traceback_at < error_line < err.index(explain.HEADER)
    assert err.rstrip().endswith("参见：第 1 章 1.5 编译：选择损失函数、优化器和指标")


# --- backends that are not there ------------------------------------------------------------

HOOKED_IMPORT = """
import sys
from keras_tutorial import explain
explain.install()
{before}
import keras
"""

# Hides a package the way a missing one looks: importlib raises exactly this when no finder has it.
HIDE = """
class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == {name!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Hide())
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_unknown_backend_is_named():
    result = run_python(HOOKED_IMPORT.format(before=""), KERAS_BACKEND="tensorflw")
    assert result.returncode == 1
    err = result.stderr
    assert (
        err.index("Traceback") < err.index("Unable to import backend") < err.index(explain.HEADER)
    )
    assert "tensorflw 不是 Keras 认识的后端" in err and "1.1 准备工作" in err


def test_backend_that_is_not_installed_is_named():
    result = run_python(HOOKED_IMPORT.format(before=HIDE.format(name="jax")), KERAS_BACKEND="jax")
    assert result.returncode == 1
    err = result.stderr
    assert err.index("ModuleNotFoundError: No module named 'jax'") < err.index(explain.HEADER)
    assert "后端 jax 没有安装" in err and "make test" in err


# --- GPU errors this CPU machine cannot produce ---------------------------------------------


def gpu_errors() -> dict[str, BaseException]:
    """The GPU errors, each as its library raises it, with its source."""
    import jax
    import tensorflow as tf
    import torch

    made: dict[str, BaseException] = {
        # tensorflow/tensorflow tensorflow/core/framework/op_kernel.cc, allocate_tensor:
        # errors::ResourceExhausted("OOM when allocating tensor with shape", shape.DebugString(),
        # " and type ", DataTypeString(type), " on ", device->name(), " by allocator ", a->Name())
        "tf_oom": tf.errors.ResourceExhaustedError(
            None,
            None,
            "OOM when allocating tensor with shape[60000,512] and type float on "
            "/job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc",
        ),
        # openxla/xla xla/stream_executor/integrations/tf_allocator_adapter.cc, Allocate:
        # absl::ResourceExhaustedError(StrCat("Out of memory while trying to allocate ", size,
        # " bytes.")), raised in Python as jax.errors.JaxRuntimeError with the status code first.
        "jax_oom": jax.errors.JaxRuntimeError(
            "RESOURCE_EXHAUSTED: Out of memory while trying to allocate 17179869184 bytes."
        ),
        # pytorch/pytorch c10/cuda/CUDACachingAllocator.cpp, malloc: TORCH_CHECK_WITH(
        # OutOfMemoryError, false, "CUDA out of memory. Tried to allocate ", ..., ". GPU ", ...)
        "torch_oom": torch.OutOfMemoryError(
            "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of "
            "7.79 GiB of which 1.06 GiB is free."
        ),
        # jax/_src/xla_bridge.py (installed jax 0.10.2), backends(): RuntimeError(
        # f"Unable to initialize backend '{platform}': {err}" + " (you may need to uninstall ...")
        "jax_cuda": RuntimeError(
            "Unable to initialize backend 'cuda': INTERNAL: no supported devices found for "
            "platform CUDA (you may need to uninstall the failing plugin package, or set "
            "JAX_PLATFORMS=cpu to skip this backend.)"
        ),
    }
    # Real here: the dynamic loader's error for a missing cuDNN, as torch/__init__.py meets it
    # through ctypes.CDLL, and PyTorch's CPU build asked for the GPU.
    import ctypes

    for name, make in {
        "cudnn_missing": lambda: ctypes.CDLL("libcudnn.so.9"),
        "torch_cpu_build": lambda: torch.zeros(1, device="cuda"),
    }.items():
        try:
            make()
        except (OSError, AssertionError, RuntimeError) as exc:
            made[name] = exc
    return made


def test_gpu_errors_are_explained():
    """Not run on GPU hardware: message texts from the libraries' sources, see gpu_errors()."""
    errors = gpu_errors()
    assert set(errors) >= {"tf_oom", "jax_oom", "torch_oom", "jax_cuda", "cudnn_missing"}
    for name in ("tf_oom", "jax_oom", "torch_oom"):
        text = explain.explanation(errors[name])
        assert text and "显存" in text and "批量大小调小" in text, name
    for name in ("jax_cuda", "cudnn_missing", "torch_cpu_build"):
        if name in errors:
            text = explain.explanation(errors[name])
            assert text and "make doctor" in text, (name, errors[name])
    assert "libcudnn.so.9: cannot open shared object file" in str(errors["cudnn_missing"])


# --- what the explainer must never do -------------------------------------------------------


def raised(make) -> BaseException:
    try:
        make()
    except BaseException as exc:
        return exc
    raise AssertionError("no error")


def test_errors_no_rule_knows_get_nothing():
    for exc in [
        raised(lambda: {}["missing"]),
        raised(lambda: 1 / 0),
        raised(lambda: int("seven")),
        raised(lambda: np.zeros(3)[5]),  # an IndexError outside to_categorical
        raised(lambda: Path("/no/such/file").read_text()),
        ValueError("shapes are fine"),
    ]:
        assert explain.explanation(exc) is None, exc


def test_a_failing_rule_never_replaces_the_traceback(monkeypatch, capsys):
    shown = []
    monkeypatch.setattr(sys, "excepthook", lambda *args: shown.append(args))
    explain.install()
    hook = sys.excepthook
    explain.install()  # twice: still one explanation
    assert sys.excepthook is hook

    exc = raised(lambda: np.zeros((3, 4)) + np.zeros((3,)))
    sys.excepthook(type(exc), exc, exc.__traceback__)
    assert len(shown) == 1 and shown[0][1] is exc
    assert capsys.readouterr().err.count(explain.HEADER) == 1

    def broken(found):
        raise KeyError("a bug in a rule")

    rules = tuple(
        dataclasses.replace(r, details=broken) if r.name == "broadcast_shapes" else r
        for r in explain.RULES
    )
    monkeypatch.setattr(explain, "RULES", rules)
    sys.excepthook(type(exc), exc, exc.__traceback__)
    assert len(shown) == 2 and shown[1][1] is exc  # the learner's traceback, as before
    assert capsys.readouterr().err == ""  # and no second traceback from the explainer


def test_every_section_is_a_heading_of_the_tutorial():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    chapters = {
        int(p.name[2:4]): p.read_text(encoding="utf-8")
        for p in sorted(SCRIPTS.glob("ch[0-9][0-9]_*.py"))
        if not p.stem.endswith("_answers")
    }
    for rule in explain.RULES:
        chapter = re.fullmatch(r"第 (\d+) 章 (\d+\.\d+ .+)", rule.section)
        if chapter:
            assert f"# ## {chapter.group(2)}\n" in chapters[int(chapter.group(1))], rule.section
        else:
            heading = re.fullmatch(r"README「(.+)」", rule.section)
            assert heading and f"### {heading.group(1)}\n" in readme, rule.section


# --- in Jupyter -----------------------------------------------------------------------------


def test_jupyter_shows_its_traceback_then_the_explanation(tmp_path):
    """A headless kernel: start_chapter() as a chapter calls it, then three kinds of failure."""
    import nbformat
    from nbclient import NotebookClient

    cells = [
        # start_chapter, then the learner's own call: still one block per error.
        'from keras_tutorial.settings import start_chapter\nargs = start_chapter("t")\n'
        "from keras_tutorial import explain\nexplain.install()",
        'import numpy as np\nprint("before")\nnp.zeros((3, 4)) + np.zeros((3,))',
        'raise KeyError("no rule knows this")',
        'from keras_tutorial.data import load_mnist\nload_mnist("no-such-mnist.npz")',
        # A bug in the explainer itself: the learner's traceback must stay as it was.
        "explain.match = lambda exc: 1 / 0\nnp.zeros((3, 4)) + np.zeros((3,))",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    env_quick = os.environ.get("KERAS_TUTORIAL_QUICK")
    os.environ["KERAS_TUTORIAL_QUICK"] = "1"
    try:
        NotebookClient(
            nb,
            timeout=300,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(tmp_path)}},
        ).execute()
    finally:
        if env_quick is None:
            os.environ.pop("KERAS_TUTORIAL_QUICK")
        else:
            os.environ["KERAS_TUTORIAL_QUICK"] = env_quick
    outputs = [cell.outputs for cell in nb.cells]
    assert not [o for o in outputs[0] if o.output_type == "error"], outputs[0]

    def kinds(cell_outputs):
        return [(o.output_type, o.get("name", o.get("ename"))) for o in cell_outputs]

    # IPython's own traceback first, the block after it.
    broadcast = outputs[1]
    assert kinds(broadcast) == [("stream", "stdout"), ("error", "ValueError"), ("stream", "stderr")]
    assert "operands could not be broadcast" in broadcast[1].evalue
    shown = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(broadcast[1].traceback))  # colours off
    assert "np.zeros((3, 4)) + np.zeros((3,))" in shown and "ValueError" in shown
    assert broadcast[2].text.strip().startswith(explain.HEADER)
    assert "(3, 4) 和 (3,)" in broadcast[2].text and "参见：第 3 章 3.3 广播" in broadcast[2].text
    # An error no rule knows: the traceback alone.
    assert kinds(outputs[2]) == [("error", "KeyError")]
    # A learner error: the clean bilingual message, no traceback, then its block.
    mnist = "".join(o.get("text", "") for o in outputs[3])
    assert [o.output_type for o in outputs[3]] == ["stream"] * len(outputs[3])
    assert mnist.index("错误：找不到 MNIST 文件") < mnist.index(explain.HEADER)
    assert "Traceback" not in mnist and "1.2 加载 MNIST 数据集" in mnist
    # The explainer failed: the traceback as before, nothing else.
    assert kinds(outputs[4]) == [("error", "ValueError")]
