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
# # 第 3 章 练习参考答案
#
# 这里是 `notebooks/ch03_tensor_operations.ipynb` 末尾练习的参考答案，编号与章节相同。先自己做，再来对照。有自动检查的题，答案下面的 `check(...)` 会打印 ✓。
#
# ```bash
# python scripts/ch03_answers.py            # 在终端里运行
# python scripts/ch03_answers.py --quick    # 练习 6 只测较小的矩阵
# ```

# %%
from keras_tutorial.settings import start_chapter

args = start_chapter("第 3 章练习参考答案 / Chapter 3: answers to the exercises")

import math

import numpy as np

from keras_tutorial.ch03 import best_time, naive_relu, rotation
from keras_tutorial.exercises import check

rng = np.random.default_rng(args.seed)

# %% [markdown]
# ## 练习 1
#
# 和 `naive_relu` 一样：先检查形状，把每个元素的结果填进一个新数组。sigmoid 的结果总在 0 和 1 之间，是小数，所以新数组用 `np.zeros(x.shape)` 的默认类型 float64；要是照搬整数矩阵 `x` 的类型，所有结果都会被截成 0。`math.exp` 一次只算一个数，正适合循环写法。


# %%
def naive_sigmoid(x):
    if x.ndim != 2:
        raise ValueError(f"naive_sigmoid 需要矩阵，收到的形状是 {x.shape}")
    z = np.zeros(x.shape)  # 新数组，小数类型；调用者的 x 保持原样
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = 1 / (1 + math.exp(-x[i, j]))
    return z


x, ints = rng.normal(size=(3, 4)), np.array([[0, 1, -2]])
print("与 1 / (1 + np.exp(-x)) 一致:", np.allclose(naive_sigmoid(x), 1 / (1 + np.exp(-x))))
print("整数矩阵:", naive_sigmoid(ints).round(4), " NumPy:", (1 / (1 + np.exp(-ints))).round(4))
check("ch03.1", naive_sigmoid)

# %% [markdown]
# 对比一下 `naive_relu`：它和 `naive_sigmoid` 的结构完全一样，只是每个元素上算的式子不同，这就是"逐元素运算"的意思。

# %%
print("naive_relu(x) 与 np.maximum(x, 0) 一致:", np.array_equal(naive_relu(x), np.maximum(x, 0)))

# %% [markdown]
# ## 练习 2
#
# 形状检查要同时看三件事：`x` 是矩阵、`y` 是矩阵、`y` 的形状正好是 `(x 的行数, 1)`。写成 `y.shape != (x.shape[0], 1)` 一次就把后两件都检查了，(1, 1) 这样广播能算的形状也被拒绝。只比较 `x.shape[1] != y.shape[0]` 是常见的错：那是 3.3 节"矩阵加行向量"的规则，这里要比的是行数。结果数组的类型像 `naive_add` 一样用 `np.result_type(x, y)` 选，整数矩阵加小数列向量才不会被截断。


# %%
def naive_add_column(x, y):
    if x.ndim != 2 or y.shape != (x.shape[0], 1):
        raise ValueError(f"需要矩阵 (n, m) 和列向量 (n, 1)，收到 {x.shape} 和 {y.shape}")
    z = np.zeros(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = x[i, j] + y[i, 0]  # y 只有一列：每一列都加同一个 y[i, 0]
    return z


x, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 1))
print("与广播的 x + y 一致:", np.allclose(naive_add_column(x, y), x + y))
print("整数加小数:", naive_add_column(np.array([[1, 2]]), np.array([[0.5]])))
check("ch03.2", naive_add_column)

# %% [markdown]
# ## 练习 3
#
# 右对齐，逐对比较：
#
# 1. (8, 1, 6, 1) 和 (_, 7, 1, 5)：8 和补出来的 1、1 和 7、6 和 1、1 和 5，每对都有 1，结果 (8, 7, 6, 5)；
# 2. (3, 4) 和 (4, 1)：最后一对 4 和 1 可以；倒数第二对 3 和 4 既不相等也没有 1，不能广播；
# 3. (2, 1, 3) 和 (_, 5, 1)：结果 (2, 5, 3)。
#
# 用 `np.broadcast_shapes` 验证；不能广播时它抛出 `ValueError`：

# %%
answer_3 = [(8, 7, 6, 5), "error", (2, 5, 3)]
for a, b in [((8, 1, 6, 1), (7, 1, 5)), ((3, 4), (4, 1)), ((2, 1, 3), (5, 1))]:
    try:
        print(a, "和", b, "→", np.broadcast_shapes(a, b))
    except ValueError as exc:
        print(a, "和", b, "不能广播，NumPy 的错误信息是：")
        print("ValueError:", exc)
check("ch03.3", answer_3)

# %% [markdown]
# ## 练习 4
#
# - `np.dot(x, y)`：`x` 的最后一个轴 (3) 和 `y` 的倒数第二个轴 (3) 相消，`x` 剩下 (4, 2)、`y` 剩下 (4, 5)，结果 (4, 2, 4, 5)；
# - `x @ y`：最前面的轴 4 是编号，编号相同的 (2, 3) 和 (3, 5) 相乘，结果 (4, 2, 5)；
# - `x * y`：逐元素，右对齐后最后一对是 3 和 5，不能广播。

# %%
x, y = np.ones((4, 2, 3)), np.ones((4, 3, 5))
print("np.dot(x, y):", np.dot(x, y).shape)
print("x @ y:", (x @ y).shape)
try:
    x * y
except ValueError as exc:
    print("x * y 不能计算，NumPy 的错误信息是：")
    print("ValueError:", exc)
answer_4 = [(4, 2, 4, 5), (4, 2, 5), "error"]
check("ch03.4", answer_4)

# %% [markdown]
# ## 练习 5
#
# 3.6 节验证过，`Dense(2, activation="relu")` 算的就是 `np.maximum(points @ kernel + bias, 0)`，所以这里直接用 NumPy 计算，换几组旋转角和偏置，数一数有多少点至少有一个坐标被折成 0：

# %%
points = rng.uniform(-1, 1, size=(600, 2))


def folded_share(angle, bias):
    kernel = (1.2 * rotation(angle)).T
    out = np.maximum(points @ kernel + np.asarray(bias), 0)
    return np.mean((out == 0).any(axis=1))


angles, biases = (0, np.pi / 6, np.pi / 3, np.pi), ((0.3, -0.2), (1.0, 1.0), (2.0, 2.0))
shrinks = True
for angle in angles:
    shares = [folded_share(angle, bias) for bias in biases]
    shrinks = shrinks and shares == sorted(shares, reverse=True)
    print(
        f"旋转 {np.degrees(angle):5.0f}°，偏置 {biases}：被折叠 "
        + "、".join(f"{s:.1%}" for s in shares)
    )
print("每个角度下，偏置越大被折叠的点越少:", shrinks)

# %% [markdown]
# 要让所有点都不被折叠，旋转、放大之后的每个坐标加上偏置都要大于 0。点在 [-1, 1]² 的正方形里，乘以 1.2 倍的旋转矩阵后，每个坐标最小是多少？打印出来：

# %%
for angle in angles:
    moved = points @ (1.2 * rotation(angle)).T
    print(f"旋转 {np.degrees(angle):5.0f}°: 两个坐标的最小值 {moved.min(axis=0).round(3)}")
print("-1.2 × √2 =", round(-1.2 * math.sqrt(2), 3))
worst = max(folded_share(angle, (2.0, 2.0)) for angle in angles)
print(f"偏置 (2.0, 2.0) 比 1.2 × √2 大，四个角度下被折叠的点最多 {worst:.1%}")

# %% [markdown]
# 旋转不改变点到原点的距离，所以任何角度下坐标都不小于 -1.2 × √2。两个偏置都取得比 1.2 × √2 大，就没有点被折叠。但这时 relu 什么也没做，这一层只剩一个仿射变换；按 3.6 节的结论，这样的层叠得再多也只相当于一层。relu 有用，正是因为它会折叠一部分点。

# %% [markdown]
# ## 练习 6
#
# 只测 NumPy 的矩阵乘法，用章节里的 `best_time` 计时，把每次调用的时间除以 n³，得到每次乘加的用时；再比较相邻两个 n：

# %%
sizes = (64, 128, 256) if args.quick else (64, 128, 256, 512, 1024)
seconds = 0.01 if args.quick else 0.2  # 每轮至少多少秒
per_madd = []
for n in sizes:
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    per_call = best_time(np.matmul, a, b, seconds=seconds)
    per_madd.append(per_call / n**3)
    print(
        f"n={n:5d}: 一次乘法 {per_call * 1e3:8.3f} 毫秒，每次乘加 {per_call / n**3 * 1e9:.4f} 纳秒"
    )
for k in range(1, len(sizes)):
    ratio = per_madd[k] / per_madd[k - 1]
    verdict = (
        "又便宜了"
        if ratio < 0.9
        else "基本持平"
        if ratio <= 1.1
        else "反而变贵（多半有别的程序在抢 CPU）"
    )
    print(f"n 从 {sizes[k - 1]} 到 {sizes[k]}：每次乘加的用时变为原来的 {ratio:.2f} 倍，{verdict}")

# %% [markdown]
# 比值小于 1，说明 n 变大后每次乘加又便宜了一些；接近 1，说明已经到头了。到头的原因是 CPU 每秒能做的乘加次数有上限：BLAS 的分块、向量指令和多线程把这台机器的算力用得差不多以后，再大的矩阵也只能按这个速度算。某一步反而变贵时，多半是那次测量时机器上还有别的程序在抢 CPU，怎样测得更准见 `benchmarks/README.md`。循环写法远远达不到这个上限，它的时间花在解释器上，而不是乘加上。
