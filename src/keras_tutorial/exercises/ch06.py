"""Checkers for chapter 6's exercises (global batch, updates per epoch, scaling, weighted mean)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from keras_tutorial.exercises import Hint, as_int, call, checker


@checker("ch06.1")
def _global_batch(answer: Any) -> str:
    value = as_int(answer, "全局批量")
    if value == 256:
        return "对：全局批量 = 每块设备的批量 × 设备数 = 64 × 4 = 256。"
    if value == 64:
        raise Hint("64 是每块设备分到的；全局批量是所有设备合起来的一步用的样本数。")
    if value == 16:
        raise Hint("每块设备的批量已经是 64，不用再除以设备数：要乘。")
    raise Hint("全局批量 = 每块设备的批量 × 设备数。")


@checker("ch06.2")
def _updates(answer: Any) -> str:
    value = as_int(answer, "更新次数")
    if value == 235:
        return "对：60000 ÷ 256 = 234.375，最后一批不满也更新一次，共 235 次。"
    if value == 234:
        raise Hint("60000 ÷ 256 不是整数：最后剩下的 96 张图也组成一批，也要更新一次。")
    if value == 469:
        raise Hint("469 是全局批量 128 时的次数；练习 1 的全局批量是多少？")
    if value in (938, 1875):
        raise Hint("这是按每块设备的批量（64）算的；每一步所有设备一起只更新一次权重。")
    raise Hint("一轮的更新次数 = 60000 ÷ 全局批量，向上取整。")


@checker("ch06.3")
def _scaled_lr(answer: Any) -> str:
    value = answer
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Hint(f"答案应当是一个数，收到的是 {type(answer).__name__}：{answer!r}。")
    if math.isclose(value, 0.08, rel_tol=1e-6):
        return "对：全局批量从 128 变成 1024，是 8 倍，学习率也乘 8：0.08（再配几轮预热）。"
    if math.isclose(value, 0.01, rel_tol=1e-6):
        raise Hint("线性缩放规则要改学习率：全局批量变了几倍？")
    if math.isclose(value, 0.00125, rel_tol=1e-6):
        raise Hint("方向反了：批量变大，梯度更准，规则是把学习率放大，不是缩小。")
    if math.isclose(value, 0.01 * math.sqrt(8), rel_tol=1e-6):
        raise Hint("这是平方根缩放；题目问的是线性缩放：乘以全局批量变大的倍数。")
    raise Hint("先算全局批量变成原来的几倍，学习率乘同样的倍数。")


@checker("ch06.4")
def _combine(fn: Any) -> str:
    rng = np.random.default_rng(6)
    for sizes in ([50, 50, 28], [1, 127], [64, 64], [10, 20, 30, 40]):
        grads = [rng.normal(size=(3, 2)) for _ in sizes]
        expected = sum(n * g for n, g in zip(sizes, grads, strict=True)) / sum(sizes)
        result = np.asarray(call(fn, [g.copy() for g in grads], list(sizes)), dtype=float)
        if result.shape != expected.shape:
            raise Hint(
                f"返回值的形状应当和每个梯度一样 {expected.shape}，收到的是 {result.shape}。"
            )
        if np.allclose(result, expected, rtol=1e-9, atol=1e-12):
            continue
        if np.allclose(result, np.mean(grads, axis=0)):
            if len(set(sizes)) == 1:
                continue
            raise Hint("简单平均只在每份一样大时对：样本多的那份应当占更大的权重，按 sizes 加权。")
        if np.allclose(result, sum(n * g for n, g in zip(sizes, grads, strict=True))):
            raise Hint("加权求和之后还要除以总样本数 sum(sizes)。")
        raise Hint(f"sizes = {sizes} 时结果不对：每份的平均梯度乘以它的样本数，加起来再除以总数。")
    return "对：按样本数加权平均，就是整个批量上的平均梯度，和一块设备算的一样。"
