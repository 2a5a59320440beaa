"""After a learner's traceback: the likely cause, the fix and the tutorial's section, in Chinese.

``start_chapter()`` switches this on; a learner's own notebook or script does it with::

    from keras_tutorial import explain
    explain.install()

The normal traceback is always shown first and unchanged (IPython's own display in Jupyter,
Python's, or the clean :class:`~keras_tutorial.errors.TutorialError` message, in a terminal);
the short block comes after it, and only when a rule below knows the error.

Each rule is data: regular expressions searched in ``"TypeName: message"`` of the exception and of
the exceptions it was raised from, and three Chinese texts that may use the expressions' named
groups. Adding a rule is a few lines here and a test in ``tests/test_explain.py`` that makes the
mistake for real (see docs/CONTRIBUTING.md).
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

HEADER = "—— 可能的原因与改法（keras_tutorial.explain）——"


@dataclass(frozen=True)
class Rule:
    """A mistake: how its error reads, its cause, its fix, the section that explains it."""

    name: str
    patterns: tuple[str, ...]
    cause: str
    fix: str
    section: str
    #: the error only means this mistake when this function is on the traceback
    within: str = ""
    #: adds fields computed from the matched ones (the axis that differs, for example)
    details: Callable[[dict[str, str]], dict[str, str]] | None = None


def _shape(text: str) -> tuple[int | None, ...]:
    """ "(32, 28, 28)", "[3,4]", "2x3" or "(3,)" → a tuple; None for an unknown length."""
    parts = [p for p in re.split(r"[,x\s]+", text.strip("()[] ")) if p]
    return tuple(int(p) if p.isdigit() else None for p in parts)


def _show_shape(shape: tuple[int | None, ...]) -> str:
    inner = ", ".join("None" if n is None else str(n) for n in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _broadcast_details(found: dict[str, str]) -> dict[str, str]:
    """Right-align two shapes and name the first axis, from the right, where they clash."""
    a, b = _shape(found["a"]), _shape(found["b"])
    for back in range(1, min(len(a), len(b)) + 1):
        x, y = a[-back], b[-back]
        if x != y and 1 not in (x, y):
            return {
                "a": _show_shape(a),
                "b": _show_shape(b),
                "axis": f"倒数第 {back} 个轴（第一个的轴 {len(a) - back}，"
                f"第二个的轴 {len(b) - back}）上长度是 {x} 和 {y}",
            }
    raise ValueError(f"no clashing axis in {a} and {b}")


def _matmul_details(found: dict[str, str]) -> dict[str, str]:
    """The inner lengths of a matrix product: the first's last axis, the second's first one."""
    a, b = _shape(found["a"]), _shape(found["b"])
    second = 0 if len(b) == 1 else len(b) - 2
    return {
        "a": _show_shape(a),
        "b": _show_shape(b),
        "axis": f"第一个的最后一个轴（轴 {len(a) - 1}）长 {a[-1]}，"
        f"第二个的轴 {second} 长 {b[second]}",
    }


_PREPARE_SECTION = "第 1 章 1.3 数据预处理"
_LOSS_SECTION = "第 1 章 1.5 编译：选择损失函数、优化器和指标"
_DTYPE_FIX = (
    '先把整数数组转成浮点数：x = x.astype("float32")，再做除法或更新；'
    "或者写成 x = x / 255，得到一个新的浮点数组。"
)

_SHAPE = r"\((?P<{}>[\w, ]*)\)"

RULES: tuple[Rule, ...] = (
    Rule(
        "dense_input_shape",
        (
            r"Expected shape \(None, (?P<want>\d+)\), but input has incompatible shape "
            + _SHAPE.format("got"),
            r"expected axis -1 of input shape to have value (?P<want>\d+), "
            r"but received input with shape " + _SHAPE.format("got"),
        ),
        "模型第一层要求每个样本是长度 {want} 的向量，传进来的这批数据形状却是 ({got})："
        "多半是图片还没有展平成向量，或者传错了数组。",
        "训练、评估和预测之前都把每张 28×28 的图展平：x = images.reshape((len(images), 28 * 28))"
        '.astype("float32") / 255。',
        _PREPARE_SECTION,
    ),
    Rule(
        "integer_labels_with_categorical_loss",
        (
            r"Arguments `target` and `output` must have the same (?:rank \(ndim\)|shape)\. "
            r"Received: target\.shape=\((?P<n>\w+),?\), output\.shape=\(\w+, (?P<units>\d+)\)",
        ),
        "损失函数 categorical_crossentropy 要的是独热编码的标签（每个样本 {units} 个数），"
        "传进来的却是整数标签（每个样本一个数）。",
        "二选一：用 keras.utils.to_categorical(labels, {units}) 把标签变成独热编码；"
        '或者标签保持整数，编译时改用 loss="sparse_categorical_crossentropy"。',
        _PREPARE_SECTION,
    ),
    Rule(
        "one_hot_width_is_not_the_units",
        (
            r"Arguments `target` and `output` must have the same shape\. "
            r"Received: target\.shape=\(\w+, (?P<classes>\d+)\), "
            r"output\.shape=\(\w+, (?P<units>\d+)\)",
        ),
        "独热编码的标签有 {classes} 列，模型最后一层却有 {units} 个单元："
        "to_categorical 没写类别数时按最大的标签加 1 定列数，"
        "所以标签里有不小于 {units} 的数（或者最后一层的单元数写错了）。",
        "检查标签的范围（print(labels.min(), labels.max())），每个标签都应小于 {units}；"
        "写明类别数：keras.utils.to_categorical(labels, {units})；最后一层的单元数要等于类别数。",
        _PREPARE_SECTION,
    ),
    Rule(
        "one_hot_labels_with_sparse_loss",
        (
            r"Argument `output` must have rank \(ndim\) `target\.ndim - 1`\. "
            r"Received: target\.shape=" + _SHAPE.format("target"),
            r"Arguments `target` and `output` must have the same shape up until "
            r"the last dimension: target\.shape=" + _SHAPE.format("target"),
        ),
        "损失函数 sparse_categorical_crossentropy 要的是整数标签（每个样本一个数），"
        "传进来的却是独热编码的标签（形状 ({target})）。",
        '二选一：编译时改用 loss="categorical_crossentropy"；'
        "或者不做 to_categorical，直接用整数标签。",
        _LOSS_SECTION,
    ),
    Rule(
        "label_outside_the_units",
        (
            r"Received a label value of (?P<label>\d+) which is outside the valid range of "
            r"\[0, (?P<units>\d+)\)",
            r"^IndexError: Target (?P<label>\d+) is out of bounds",
        ),
        "有一个标签是 {label}，不小于模型最后一层的单元数（类别数）："
        "标签必须在 0 到单元数减 1 之间。",
        "检查标签的范围（print(labels.min(), labels.max())）；最后一层的单元数要等于类别数"
        "（MNIST 是 Dense(10, ...)，标签是 0 到 9）。",
        _PREPARE_SECTION,
    ),
    Rule(
        "label_outside_to_categorical",
        (
            r"^IndexError: index (?P<label>\d+) is out of bounds for axis 1 "
            r"with size (?P<units>\d+)",
        ),
        "to_categorical 的类别数是 {units}，标签里却有 {label}：每个标签都必须小于类别数。",
        "检查标签的范围（print(labels.min(), labels.max())），或者把类别数写对："
        "keras.utils.to_categorical(labels, 类别数)，最后一层的单元数也要等于它。",
        _PREPARE_SECTION,
        within="to_categorical",
    ),
    Rule(
        "broadcast_shapes",
        (
            r"operands could not be broadcast together with shapes "
            r"\((?P<a>[\d,]*)\) \((?P<b>[\d,]*)\)",
            r"Incompatible shapes for broadcasting: "
            r"shapes=\[\((?P<a>[\d, ]*)\), \((?P<b>[\d, ]*)\)\]",
            r"Incompatible shapes: \[(?P<a>[\d,]*)\] vs\. \[(?P<b>[\d,]*)\]",
        ),
        "两个形状是 {a} 和 {b} 的数组不能广播：右对齐后，{axis}，既不相等也没有一个是 1。",
        "打印两边的 .shape 看看哪个不对；要让向量加到矩阵的每一行上，向量的长度要等于矩阵的列数，"
        "需要时先 reshape（例如把 (n,) 变成 (n, 1) 就是加到每一列上）。",
        "第 3 章 3.3 广播",
        details=_broadcast_details,
    ),
    Rule(
        "broadcast_sizes",
        (
            r"The size of tensor a \((?P<x>\d+)\) must match the size of tensor b \((?P<y>\d+)\) "
            r"at non-singleton dimension (?P<dim>\d+)",
        ),
        "两个张量不能广播：右对齐后，第一个的轴 {dim} 长 {x}，第二个对应的轴长 {y}，"
        "既不相等也没有一个是 1。",
        "打印两边的 .shape 看看哪个不对；需要时先 reshape，让对应的轴长度相等或为 1。",
        "第 3 章 3.3 广播",
    ),
    Rule(
        "matmul_shapes",
        (
            r"shapes \((?P<a>[\d,]*)\) and \((?P<b>[\d,]*)\) not aligned",
            r"Matrix size-incompatible: In\[0\]: \[(?P<a>[\d,]*)\], In\[1\]: \[(?P<b>[\d,]*)\]",
            r"mat1 and mat2 shapes cannot be multiplied \((?P<a>\d+x\d+) and (?P<b>\d+x\d+)\)",
        ),
        "形状 {a} 和 {b} 不能做矩阵乘法（点积）：{axis}，这两个长度必须相等。",
        "打印两边的 .shape；(n, m) 只能乘 (m, p)。多半是少了一次转置（.T）、两个数组写反了顺序，"
        "或者某个数组的形状本身就不对。",
        "第 3 章 3.4 点积",
        details=_matmul_details,
    ),
    Rule(
        "matmul_sizes",
        (
            r"matmul: Input operand 1 has a mismatch in its core dimension 0, .*"
            r"\(size (?P<y>\d+) is different from (?P<x>\d+)\)",
            r"dot_general requires contracting dimensions to have the same shape, "
            r"got \((?P<x>\d+),\) and \((?P<y>\d+),\)",
        ),
        "这两个数组不能做矩阵乘法（点积）：第一个的最后一个轴长 {x}，第二个参与相乘的轴长 {y}，"
        "这两个长度必须相等。",
        "打印两边的 .shape；(n, m) 只能乘 (m, p)。多半是少了一次转置（.T）、两个数组写反了顺序，"
        "或者某个数组的形状本身就不对。",
        "第 3 章 3.4 点积",
    ),
    Rule(
        "reshape_size",
        (r"cannot reshape array of size (?P<size>\d+) into shape \((?P<shape>[\d, ]*)\)",),
        "数组一共有 {size} 个元素，变形成 ({shape}) 需要的元素个数却不同："
        "变形前后元素总数必须相等。",
        "把目标形状各轴长度的乘积算一遍，让它等于 {size}；不确定的那个轴可以写 -1，"
        "让 NumPy 自己算出来，例如 images.reshape((len(images), -1))。",
        "第 3 章 3.5 变形与转置",
    ),
    Rule(
        "integer_array_updated_in_place",
        (
            r"Cannot cast ufunc '(?P<op>\w+)' output from dtype\('(?P<result>float\d*)'\) "
            r"to dtype\('(?P<dtype>u?int\d*)'\)",
        ),
        "数组的数据类型是整数 {dtype}，原地运算（/=、-=、*= 这类）的结果却是小数 {result}，"
        "放不回整数数组里。",
        _DTYPE_FIX,
        _PREPARE_SECTION,
    ),
    Rule(
        "integer_tensor_where_floats_are_needed",
        (
            r"grad requires real- or complex-valued inputs .*but got (?P<dtype>\w+)",
            r"(?i)only Tensors of floating point (?:and complex )?dtype can require gradients",
            r"cannot compute \w+ as input #\d\(zero-based\) was expected to be a (?P<a>\w+) tensor "
            r"but is a (?P<b>\w+) tensor",
            r"expected m1 and m2 to have the same dtype, but got: (?P<a>[\w ]+) != (?P<b>[\w ]+)",
        ),
        "这里需要浮点数张量，传进来的却是整数（或者两个张量一个是整数、一个是浮点数）："
        "求梯度和矩阵乘法都要求浮点数，后端不会替你转换。",
        '把数据先转成浮点数再交给后端：x = x.astype("float32")（核对梯度时用 "float64"）。',
        _PREPARE_SECTION,
    ),
    Rule(
        "fit_before_compile",
        (
            r"You must call `compile\(\)` before using the model",
            r"^AttributeError: '(?:Sequential|Functional)' object has no attribute 'optimizer'",
        ),
        "模型还没有编译：fit、evaluate 之前要先 compile，告诉它用哪个损失函数和优化器。",
        'model.compile(optimizer="rmsprop", loss="categorical_crossentropy", '
        'metrics=["accuracy"])，然后再 fit；'
        "第 1 章的 build_model() 返回的模型已经编译好了。",
        _LOSS_SECTION,
    ),
    Rule(
        "unknown_backend",
        (r"Unable to import backend : (?P<name>\S*)",),
        "环境变量 KERAS_BACKEND 的值 {name} 不是 Keras 认识的后端。",
        "把它设为 tensorflow、jax 或 torch（不设就是 tensorflow），"
        "例如 KERAS_BACKEND=jax make run；改了之后要重新启动 Python 或 Jupyter 的内核。",
        "第 1 章 1.1 准备工作",
    ),
    Rule(
        "backend_not_installed",
        (r"^ModuleNotFoundError: No module named '(?P<module>tensorflow|jax|jaxlib|torch)'",),
        "后端 {module} 没有安装在这个环境里（KERAS_BACKEND 选了它，或者代码直接导入了它）。",
        "make test 会按锁文件装好 JAX 和 PyTorch"
        "（也可以 .venv/bin/pip install -e '.[jax,torch]'）；"
        "或者换一个已经装好的后端，例如不设 KERAS_BACKEND，用默认的 tensorflow。",
        "第 1 章 1.1 准备工作",
    ),
    Rule(
        "gpu_out_of_memory",
        (
            r"OOM when allocating tensor",
            r"RESOURCE_EXHAUSTED: Out of memory while trying to allocate",
            r"CUDA out of memory",
            r"CUDA_ERROR_OUT_OF_MEMORY",
        ),
        "GPU 的显存不够：这一批数据和它在各层的中间结果放不下。",
        "把批量大小调小（例如 --batch-size 64，或 fit(..., batch_size=64)），关掉其他占用显存的程序"
        "（nvidia-smi 可以查看），然后重新启动内核或脚本。",
        "第 1 章 1.6 训练，同时留出验证集",
    ),
    Rule(
        "cuda_libraries_not_found",
        (
            r"lib(?:cudnn|cudart|cublas|cublasLt|cufft|curand|cusolver|cusparse|nccl|nvrtc|cuda)"
            r"[\w.]*: cannot open shared object file",
            r"DNN library is not found",
            r"Unable to load (?:cuDNN|CUDA)",
            r"Found no NVIDIA driver",
            r"CUDA driver version is insufficient",
            r"Unable to initialize backend 'cuda'",
            r"Torch not compiled with CUDA enabled",
        ),
        "要用 GPU，但找不到 NVIDIA 驱动或 CUDA、cuDNN 的库，或者装的是只支持 CPU 的版本。",
        "在终端里运行 make doctor：它检查驱动、CUDA 和 cuDNN，并给出该运行的命令。"
        "没有 GPU 也能学完本教程：不要指定 GPU 设备，就会在 CPU 上运行。",
        "README「在 NVIDIA GPU 上运行（Ubuntu）」",
    ),
    Rule(
        "loss_became_nan",
        (r"NaN or Inf loss encountered at batch (?P<batch>\d+)",),
        "损失在第 {batch} 批变成了 NaN 或无穷大：训练发散了，"
        "多半是学习率太大，或者输入没有缩放到 0–1。",
        "把学习率调小到十分之一再试，例如 optimizer=keras.optimizers.RMSprop(learning_rate=1e-4)；"
        "并确认输入已经除以 255。",
        "第 4 章 4.3 梯度与一维梯度下降",
    ),
    Rule(
        "mnist_not_loaded",
        (r"^TutorialError: .*MNIST",),
        "读不到 MNIST 数据：文件找不到，或者不完整、已损坏；上面的错误信息是加载器查到的具体原因。",
        "照上面的提示做：设置环境变量 MNIST_PATH 指向一个完好的 mnist.npz，"
        "或者设置 MNIST_MIRROR 为能访问的镜像地址再下载。",
        "第 1 章 1.2 加载 MNIST 数据集",
    ),
    Rule(
        "mnist_download_failed",
        (r"^Exception: URL fetch failure on (?P<url>\S+mnist\S*):",),
        "下载 MNIST 失败：连不上 {url}。",
        "改用 keras_tutorial.data.load_mnist()：它先读环境变量 MNIST_PATH 指向的本地文件，"
        "下载时可以用 MNIST_MIRROR 指定镜像，失败时会说明怎么办。",
        "第 1 章 1.2 加载 MNIST 数据集",
    ),
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from or during, each once."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _text(exc: BaseException) -> str:
    """ "TypeName: message", with PyTorch's torch.Size([2, 3]) written as (2, 3)."""
    message = re.sub(r"torch\.Size\(\[([^\]]*)\]\)", r"(\1)", str(exc))
    return f"{type(exc).__name__}: {message}"


def _functions(exc: BaseException) -> set[str]:
    return {frame.name for frame in traceback.extract_tb(exc.__traceback__)}


def match(exc: BaseException) -> tuple[Rule, dict[str, str]] | None:
    """The first rule of :data:`RULES` that knows ``exc``, with the fields its patterns found."""
    chain = list(_chain(exc))
    for rule in RULES:
        for link in chain:
            if rule.within and rule.within not in _functions(link):
                continue
            for pattern in rule.patterns:
                found = re.search(pattern, _text(link), re.MULTILINE | re.DOTALL)
                if found:
                    fields = {k: v for k, v in found.groupdict().items() if v is not None}
                    if rule.details is not None:
                        fields.update(rule.details(fields))
                    return rule, fields
    return None


def explanation(exc: BaseException) -> str | None:
    """The Chinese block for ``exc``, or None when no rule knows it."""
    found = match(exc)
    if found is None:
        return None
    rule, fields = found
    return "\n".join(
        [
            HEADER,
            "原因：" + rule.cause.format(**fields),
            "改法：" + rule.fix.format(**fields),
            "参见：" + rule.section,
        ]
    )


def _show(exc: BaseException | None) -> None:
    """Print the block for ``exc`` after its traceback; a failure here stays silent.

    The learner's own error is what matters: a bug in a rule must never add a second
    traceback or hide the first one.
    """
    if exc is None or not isinstance(exc, Exception):
        return
    try:
        text = explanation(exc)
        if text:
            sys.stdout.flush()
            print("\n" + text, file=sys.stderr, flush=True)
    except Exception:
        pass


def _after_cell(result: Any) -> None:
    """IPython's post_run_cell event: its own traceback is already on screen."""
    _show(getattr(result, "error_in_exec", None))


def _wrap_excepthook() -> None:
    previous = sys.excepthook
    if getattr(previous, "explains", False):
        return

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        previous(exc_type, exc, tb)  # the normal traceback (or the clean TutorialError message)
        _show(exc)

    hook.explains = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def install() -> None:
    """Explain known mistakes after their traceback, in Jupyter and in a terminal.

    Safe to call more than once. In IPython the block follows IPython's own traceback (a
    ``post_run_cell`` callback); elsewhere ``sys.excepthook`` prints the traceback first.
    """
    shell = None
    if "IPython" in sys.modules:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is not None:
        shell.events.register("post_run_cell", _after_cell)  # IPython registers it once
    else:
        _wrap_excepthook()
