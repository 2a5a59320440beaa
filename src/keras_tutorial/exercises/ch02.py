"""Checkers for chapter 2's exercises (scripts/ch02_tensors.py, ## 练习)."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

from keras_tutorial.exercises import Hint, as_array, as_int, as_shape, checker

MIB = 2**20


def _axis_hints(got: tuple[int, ...], want: tuple[int, ...], names: tuple[str, ...]) -> None:
    """Raise a Hint naming the first axis of ``got`` that differs from ``want``."""
    if len(got) != len(want):
        raise Hint(
            f"你的形状有 {len(got)} 个轴，应当有 {len(want)} 个：({', '.join(names)})。"
            "切片不会减少轴的个数。"
        )
    for name, g, w in zip(names, got, want, strict=True):
        if g != w:
            if abs(g - w) == 1:
                raise Hint(f"{name}轴差了一个（{g}）：切片包含起点、不含终点，下标从 0 开始数。")
            raise Hint(f"{name}轴的长度 {g} 不对。")


@checker("ch02.1")
def step_slice_shape(answer: Any) -> str:
    shape = as_shape(answer)
    if len(shape) == 3:
        samples, rows, cols = shape
        if samples in (100, 60000):
            raise Hint("样本轴上的 `:100:3` 带步长 3：每 3 张取一张，不是全部。")
        if samples == 20000:
            raise Hint("`:100` 的意思是只取下标 0 到 99，步长 3 在这 100 张里跳着取。")
        if samples == 33:
            raise Hint("样本轴少数了一张：下标 0 也算，数一数 0、3、6、… 里小于 100 的有几个。")
        if (rows, cols) == (28, 28):
            raise Hint("后两个轴的 `::2` 让每行、每列只剩一半，图片变小了。")
    _axis_hints(shape, (34, 14, 14), ("样本", "行", "列"))
    return "(34, 14, 14)：下标 0、3、…、99 共 34 张，每张隔行隔列取像素，28 变成 14。"


@cache
def _train_images() -> np.ndarray:
    from keras_tutorial.data import load_mnist

    return load_mnist()[0][0]


@checker("ch02.2")
def top_left_corners(answer: Any) -> str:
    got = as_array(answer)
    if got.ndim == 2:
        raise Hint("这只是一张图：要下标 0 到 7 的 8 张，保留样本轴，结果是三阶的。")
    if got.ndim != 3:
        raise Hint(f"应当是三阶数组 (图片, 行, 列)，你的是 {got.ndim} 阶，形状 {got.shape}。")
    if got.shape[0] == 60000:
        raise Hint("这是全部 6 万张图的左上角；题目只要前 8 张（下标 0 到 7）。")
    if got.shape[0] != 8:
        raise Hint(f"样本轴有 {got.shape[0]} 张，应当是下标 0 到 7 这 8 张。")
    if got.shape[1:] == (28, 28):
        raise Hint("行和列都没切：左上角 14×14 要在后两个轴上各取 14 个。")
    if got.shape[1:] in ((14, 28), (28, 14)):
        raise Hint("只切了一个轴：行和列都要切，各轴的切片用逗号隔开写在同一个方括号里。")
    if got.shape[1:] != (14, 14):
        raise Hint(f"每张图是 {got.shape[1]}×{got.shape[2]}，应当是 14×14：`a:b` 取 b − a 个。")
    images = _train_images()
    want = images[:8, :14, :14]
    if np.array_equal(got, want):
        if got.dtype != np.uint8:
            raise Hint(
                f"数值对了，但 dtype 是 {got.dtype}：切片不改变数据类型，"
                "直接切 train_images 得到的是 uint8。"
            )
        return "形状 (8, 14, 14)、dtype uint8，正是下标 0 到 7 每张图行 0–13、列 0–13 的一块。"
    if np.allclose(got, want / 255):
        raise Hint("像素被缩放成了 0–1；这道题只切片，不要改变数值。")
    others = {
        "右上角": images[:8, :14, 14:],
        "左下角": images[:8, 14:, :14],
        "右下角": images[:8, 14:, 14:],
        "中间的一块": images[:8, 7:21, 7:21],
    }
    for where, block in others.items():
        if np.array_equal(got, block):
            raise Hint(f"这是{where}：左上角是行和列都从下标 0 开始的那一块。")
    if np.array_equal(got, images[1:9, :14, :14]):
        raise Hint("取成了下标 1 到 8：下标从 0 开始。")
    if np.array_equal(got, np.swapaxes(want, 1, 2)):
        raise Hint("行和列对调了（转置了）：第二个轴是行，第三个轴是列。")
    raise Hint("形状对了，但数值和训练集前 8 张图的左上角不一样：确认切的是 train_images。")


def _pair(answer: Any, what: str) -> tuple[Any, Any]:
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        raise Hint(f"答案应当是两个数组成的元组：({what})。")
    return answer[0], answer[1]


@checker("ch02.3")
def batches_of_256(answer: Any) -> str:
    count, last = _pair(answer, "批数, 最后一批的张数")
    if isinstance(count, float) and not count.is_integer():
        raise Hint("批数是整数：最后那批不满 256 张，也算一批。")
    count, last = as_int(count, "批数"), as_int(last, "最后一批的张数")
    if count == 469:
        raise Hint("469 是每批 128 张时的批数；这里每批 256 张。")
    if count == 234:
        raise Hint("少算了最后那一批：60000 不是 256 的整数倍，剩下的图也组成一批（向上取整）。")
    if count == 236:
        raise Hint("多算了一批：批从 0 编号，最后一批的编号是批数减 1。")
    if count != 235:
        raise Hint(f"{count} 批不对：批数是 60000 ÷ 256 向上取整。")
    if last == 256:
        raise Hint("批数对了；但最后一批不满 256 张：60000 不是 256 的整数倍。")
    if last == 160:
        raise Hint("批数对了；160 是最后一批比 256 少的张数，问的是它有几张。")
    if last != 96:
        raise Hint(f"批数对了；最后一批不是 {last} 张：前面的整批用掉了多少张？")
    return "235 批：234 个整批共 59,904 张，剩下的 96 张组成最后一批。"


@checker("ch02.4")
def weather_shape(answer: Any) -> str:
    shape = as_shape(answer)
    if len(shape) == 2 and shape[0] == 365 * 144:
        raise Hint("这是把所有记录排成一张表；按天作样本时，时间步要单独占一个轴。")
    if sorted(shape) == [3, 144, 365] and shape != (365, 144, 3):
        raise Hint("三个数对了，顺序不对：轴 0 是样本（天），轴 1 是时间步，特征在最后。")
    if len(shape) == 3 and shape[0] == 365 and shape[2] == 3:
        steps = shape[1]
        if steps == 24:
            raise Hint("24 是每天的小时数；每 10 分钟记录一次，一天有多少个时间步？")
        if steps == 1440:
            raise Hint("1440 是每天的分钟数；但每 10 分钟才记录一次。")
        if steps in (143, 145):
            raise Hint("时间步差了一个：24 小时 × 每小时 6 次。")
    _axis_hints(shape, (365, 144, 3), ("样本（天）", "时间步", "特征"))
    return "(365, 144, 3)：365 个样本，每天 24 × 6 = 144 个时间步，每步 3 个特征。"


# 练习 5: 10 s × 30 frames/s, 1080 × 1920 pixels, 3 channels.
VIDEO_ELEMENTS = 10 * 30 * 1080 * 1920 * 3


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=5e-4)


@checker("ch02.5")
def video_mib(answer: Any) -> str:
    small, big = _pair(answer, "uint8 的 MiB, float32 的 MiB")
    for value in (small, big):
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise Hint(f"答案里的两个值都应当是数，收到 {value!r}。")
    small, big = float(small), float(big)
    want = VIDEO_ELEMENTS / MIB
    if _close(small, 4 * want) and _close(big, want):
        raise Hint("两个数的顺序反了：先写 uint8，再写 float32。")
    if not _close(small, want):
        ratio = small / want
        known = {
            MIB / 1e6: "这是 MB（10⁶ 字节）；MiB 是 2²⁰ = 1,048,576 字节。",
            MIB: "这是字节数，还要换算成 MiB（除以 2²⁰）。",
            1024: "这是 KiB：MiB 要除以 2²⁰，不是 2¹⁰。",
            1 / 1024: "这是 GiB；题目要的是 MiB。",
            1 / 3: "彩色图像有 3 个通道，别忘了通道轴。",
            1 / 30: "帧数不对：帧数 = 秒数 × 每秒帧数。",
            1 / 10: "帧数不对：帧数 = 秒数 × 每秒帧数。",
            4: "uint8 每个元素只占 1 字节；4 字节的是 float32。",
            8: "uint8 每个元素只占 1 字节；8 字节的是 float64。",
        }
        for factor, hint in known.items():
            if _close(ratio, factor):
                raise Hint(f"uint8 的值不对：{hint}")
        raise Hint("uint8 的值不对：先算元素个数（帧 × 高 × 宽 × 通道），每个元素 1 字节。")
    if not _close(big, 4 * want):
        factor = big / want
        if _close(factor, 8):
            raise Hint("float32 的值不对：float32 每个元素 4 字节，8 字节的是 float64。")
        if _close(factor, 1):
            raise Hint("float32 的值不对：float32 每个元素 4 字节，是 uint8 的 4 倍。")
        if _close(factor, 4 * MIB / 1e6):
            raise Hint("float32 的值是 MB（10⁶ 字节）；MiB 是 2²⁰ 字节。")
        raise Hint("uint8 对了；float32 的值不对：每个元素占几个字节？")
    return (
        f"300 帧 × 1080 × 1920 × 3 = {VIDEO_ELEMENTS:,} 个元素：uint8 约 {want:.1f} MiB，"
        "float32 每个元素 4 字节，是它的 4 倍。"
    )


@checker("ch02.6")
def bag_of_words_shape(answer: Any) -> str:
    shape = as_shape(answer)
    if shape == (4, 7):
        raise Hint("新句子里的词，是不是都已经在词表里了？")
    if shape == (3, 6):
        raise Hint("这是加句子之前的形状：多了一句，样本轴也多一个。")
    if shape == (6, 4):
        raise Hint("轴的顺序反了：轴 0 是样本（句子），轴 1 是词表。")
    if len(shape) == 3:
        raise Hint("词袋没有时间轴，是二阶的 (样本, 词表大小)。")
    _axis_hints(shape, (4, 6), ("样本", "词表"))
    return "(4, 6)：多了一个样本；新句子的词 the、cat、bites、dog 都已在词表里，词表大小不变。"
