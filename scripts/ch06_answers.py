# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 第 6 章 练习参考答案
#
# 先在 `notebooks/ch06_distributed.ipynb` 里自己做，再来对照。每道题都用 `check` 验证，并用计算说明为什么。

# %%
from keras_tutorial.settings import start_chapter

args = start_chapter("第 6 章练习答案 / Chapter 6: answers")

import math

import numpy as np

from keras_tutorial.exercises import check

print(f"quick={args.quick}")

# %% [markdown]
# ## 练习 1
#
# 全局批量是一步里所有设备合起来用的样本数：每块设备的批量乘以设备数。

# %%
answer_1 = 64 * 4
check("ch06.1", answer_1)

# %% [markdown]
# ## 练习 2
#
# 每一步所有设备一起只更新一次权重，所以一轮的更新次数是 60000 除以全局批量，向上取整（最后剩下的 96 张图也是一批）。

# %%
answer_2 = math.ceil(60000 / answer_1)
print(f"60000 / {answer_1} = {60000 / answer_1}，剩下 {60000 % answer_1} 张组成最后一批")
check("ch06.2", answer_2)

# %% [markdown]
# ## 练习 3
#
# 8 块设备、每块 128，全局批量是 1024，是原来 128 的 8 倍；线性缩放规则把学习率也乘以 8。这只是起点：实际训练时再配上预热，并在验证集上确认。

# %%
scale = (8 * 128) / 128
answer_3 = 0.01 * scale
print(f"全局批量变成 {scale:.0f} 倍，学习率 {answer_3:g}")
check("ch06.3", answer_3)

# %% [markdown]
# ## 练习 4
#
# 每份的平均梯度乘以这份的样本数，得到这份的梯度之和；各份加起来是整个批量的梯度之和，再除以总样本数就是整个批量的平均梯度。每份一样大时，它就化成 6.1 节的简单平均。下面在 6.1 节的线性模型上，把 128 个样本分成 50、50、28 三份来验证。


# %%
def combine(grads, sizes):
    total = sum(n * g for n, g in zip(sizes, grads, strict=True))
    return total / sum(sizes)


def gradient(x, y, w):
    """均方误差对 w 的梯度，在这批样本上平均（6.1 节）。"""
    return 2 * x.T @ (x @ w - y) / len(x)


rng = np.random.default_rng(0)
x_toy = rng.normal(size=(128, 5))
y_toy = x_toy @ np.array([1.0, -2.0, 0.5, 3.0, 0.0]) + rng.normal(scale=0.1, size=128)
w = np.zeros(5)
whole = gradient(x_toy, y_toy, w)
shards = list(zip(np.split(x_toy, [50, 100]), np.split(y_toy, [50, 100]), strict=True))
grads = [gradient(xs, ys, w) for xs, ys in shards]
sizes = [len(xs) for xs, _ in shards]
print("各份样本数", sizes)
print(f"加权平均和整个批量的最大差 {np.abs(combine(grads, sizes) - whole).max():.1e}")
print(f"简单平均和整个批量的最大差 {np.abs(np.mean(grads, axis=0) - whole).max():.1e}")
check("ch06.4", combine)

# %% [markdown]
# 加权平均只差舍入误差；简单平均差得多，因为 28 个样本的那一份和 50 个样本的两份被算得一样重。
