"""Checkers for chapter 1's exercises (scripts/ch01_mnist_dense.py, ## 练习)."""

from __future__ import annotations

import math
from typing import Any

from keras_tutorial.exercises import Hint, as_int, as_shape, checker

PIXELS = 28 * 28
CLASSES = 10
TRAIN_IMAGES = 60_000
VALIDATION_SPLIT = 0.1
BATCH_SIZE = 128


def dense_parameters(hidden_units: int) -> int:
    """Weights and biases of Dense(hidden_units) on 784 inputs followed by Dense(10)."""
    return PIXELS * hidden_units + hidden_units + hidden_units * CLASSES + CLASSES


@checker("ch01.1")
def updates_per_epoch(answer: Any) -> str:
    """Weight updates in one epoch: batches of 128 over the 54,000 images left for training."""
    if isinstance(answer, float) and not answer.is_integer():
        raise Hint(
            f"{answer} 不是整数：更新次数是批数，不能是小数。最后那批凑不满 128 张，它算不算一批？"
        )
    if isinstance(answer, float):
        answer = int(answer)
    n = as_int(answer, "更新次数")
    fit = int(TRAIN_IMAGES * (1 - VALIDATION_SPLIT))
    held_out = TRAIN_IMAGES - fit
    right = math.ceil(fit / BATCH_SIZE)
    if n == right:
        return (
            f"validation_split=0.1 留下 {fit} 张用于训练，{fit}/{BATCH_SIZE} = "
            f"{fit / BATCH_SIZE:.3f}，最后不满一批的也更新一次，所以是 {right} 次，和进度条一致。"
        )
    hints = {
        fit // BATCH_SIZE: "差了最后一批：剩下的不足 128 张也算一批，同样更新一次权重。",
        math.ceil(TRAIN_IMAGES / BATCH_SIZE): (
            "这是用全部 60000 张算的；validation_split=0.1 留出的验证集不参与训练。"
        ),
        TRAIN_IMAGES // BATCH_SIZE: (
            "用了全部 60000 张（验证集不参与训练），还漏了最后不满的一批。"
        ),
        math.ceil(held_out / BATCH_SIZE): "这是验证集的批数；要数的是训练用的那部分数据。",
        held_out // BATCH_SIZE: "这是验证集的批数；要数的是训练用的那部分数据。",
        fit: "这是训练图片的张数；每一批（128 张）才更新一次权重。",
        TRAIN_IMAGES: "这是训练图片的张数；每一批（128 张）才更新一次权重。",
        5 * right: "题目问的是一轮，不是 5 轮。",
    }
    if n in hints:
        raise Hint(hints[n])
    raise Hint(
        "不对。先算出训练时真正用到的图片张数（验证集留出了 10%），"
        "再看要分成多少批 128 张，最后不满的一批也算。"
    )


@checker("ch01.3")
def parameter_counts(answer: Any) -> str:
    """(parameters of build_model(64), parameters of build_model(1024))."""
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        raise Hint(
            "答案应当是两个整数，写成 (64 个神经元时的参数个数, 1024 个神经元时的参数个数)。"
        )
    got = [as_int(n, "参数个数") for n in answer]
    right = [dense_parameters(64), dense_parameters(1024)]
    if got == right:
        return (
            f"每层 = 输入数 × 神经元数 + 偏置数：64 个神经元时 {right[0]}，1024 个时 {right[1]}，"
            f"参数是 64 个时的 {right[1] / right[0]:.1f} 倍。"
        )
    if got == right[::-1]:
        raise Hint("两个数写反了：先写 64 个神经元时的，再写 1024 个时的。")
    units, n = next((u, n) for u, n, r in zip((64, 1024), got, right, strict=True) if n != r)
    which = f"{units} 个神经元时"
    if n == dense_parameters(512):
        raise Hint(f"{which}的数是 512 个神经元时的参数个数；第一层的神经元数变了。")
    if n == PIXELS * units + units * CLASSES:
        raise Hint(f"{which}漏了偏置：每个神经元还有一个偏置，两层都有。")
    if n in (PIXELS * units + units, PIXELS * units):
        raise Hint(f"{which}只数了第一层；第二层 Dense(10) 也有权重和偏置。")
    if n in (PIXELS * units + units * CLASSES + units, PIXELS * units + units * CLASSES + CLASSES):
        raise Hint(f"{which}只加了一层的偏置；两层各有自己的偏置（每个神经元一个）。")
    if n == 28 * units + units + units * CLASSES + CLASSES:
        raise Hint(f"{which}的输入长度不对：展平后每张图是 28 × 28 个像素。")
    raise Hint(
        f"{which}的数不对。每个全连接层的参数 = 输入个数 × 神经元个数 + 神经元个数（偏置），"
        "两层加起来。"
    )


@checker("ch01.7")
def dense_on_images(answer: Any) -> str:
    """(output shape, kernel shape) of Dense(16) on an input of shape (4, 28, 28)."""
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise Hint("答案应当是两个形状：(输出形状, kernel 的形状)，例如 ((1, 2, 3), (4, 5))。")
    output, kernel = as_shape(answer[0]), as_shape(answer[1])
    if (output, kernel) == ((4, 28, 16), (28, 16)):
        return (
            "全连接层只作用在最后一个轴上：28 个数变成 16 个，前面的 (4, 28) 原样保留；"
            "kernel 是 (最后一个轴的长度, 神经元数) = (28, 16)。"
        )
    if output == (4, 16) or kernel == (784, 16):
        raise Hint("全连接层不会自己展平输入：它只看最后一个轴，前面的轴原样保留。")
    if output == (4, 28, 28, 16):
        raise Hint("最后一个轴（28）被换成了 16 个神经元的输出，不是在后面再加一个轴。")
    if output != (4, 28, 16):
        raise Hint("输出形状不对：把最后一个轴的长度换成神经元个数，其余的轴不变。")
    if kernel == (16, 28):
        raise Hint("输出形状对了；kernel 的两个数写反了：先是输入的长度，再是神经元个数。")
    raise Hint("输出形状对了；kernel 的形状是 (最后一个轴的长度, 神经元个数)。")
