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
# # 第 3 章 张量运算
#
# **本章做什么**：第 1 章的网络只做了几件事：矩阵乘法、加上偏置、取 relu。这些都是张量运算。
# 本章先用最朴素的 Python 循环把它们一个个写出来，看清每个运算到底算了什么；
# 再讲广播、点积、变形和转置的形状规则；然后从几何的角度看一个全连接层对平面上的点做了什么；
# 最后实测：同样的运算，NumPy 比循环快多少。
#
# **怎么运行**：在 Jupyter 里从上到下执行每个单元格；或者在终端里运行
#
# ```bash
# python scripts/ch03_tensor_operations.py            # 默认设置，速度测试约需半分钟到一分钟
# python scripts/ch03_tensor_operations.py --quick    # 速度测试只用小矩阵，几秒钟跑完
# python scripts/ch03_tensor_operations.py --out my_outputs
# ```
#
# 终端运行时，图片保存在 `--out` 目录（默认 `outputs/`）；在 Jupyter 中图片直接显示在代码下方。

# %% [markdown]
# ## 3.1 准备工作

# %%
from keras_tutorial.settings import chapter_parser, parse_args, set_seed

parser = chapter_parser("第 3 章：张量运算 / Chapter 3: tensor operations")
args = parse_args(parser)
set_seed(args.seed)

import inspect

import numpy as np

from keras_tutorial import naive_ops

rng = np.random.default_rng(args.seed)
print("NumPy", np.__version__)
print(f"quick={args.quick}  out={args.out}")

# %% [markdown]
# ## 3.2 逐元素运算
#
# relu 和加法都是逐元素运算(element-wise operation)：张量里每个位置各算各的，互不相干。
# 用 Python 循环写出来，就是把每个位置走一遍。下面两个函数放在 `keras_tutorial.naive_ops` 里
# （这样测试也能导入它们），用 `inspect.getsource` 把源代码打印出来：

# %%
print(inspect.getsource(naive_ops.naive_relu))
print(inspect.getsource(naive_ops.naive_add))

# %% [markdown]
# 几个值得注意的细节：
#
# - 先 `copy()` 再改，调用者传进来的数组保持原样；
# - 形状不对时抛出 `ValueError` 并写明收到的形状，而不用 `assert`：用 `python -O` 运行时所有 `assert` 都会被跳过，检查就失效了；
# - 循环必须写成 `for i in range(z.shape[0])`。网上流传的一些版本漏了 `range`，那样的代码一运行就报错。
#
# 拿 NumPy 的 `np.maximum(x, 0)` 和 `x + y` 对比，结果应当完全相同：

# %%
x = rng.normal(size=(3, 4)).round(2)
y = rng.normal(size=(3, 4)).round(2)
x_before = x.copy()
print("x =\n", x)
print("naive_relu(x) =\n", naive_ops.naive_relu(x))
print("与 np.maximum(x, 0) 相同:", np.array_equal(naive_ops.naive_relu(x), np.maximum(x, 0)))
print("与 x + y 相同:", np.array_equal(naive_ops.naive_add(x, y), x + y))
print("x 没有被改动:", np.array_equal(x, x_before))

# %% [markdown]
# 形状不匹配时，得到的是一条写明形状的错误信息：

# %%
try:
    naive_ops.naive_add(x, y.T)
except ValueError as exc:
    print("ValueError:", exc)

# %% [markdown]
# ## 3.3 广播
#
# 形状不同的两个张量也能相加吗？第 1 章的全连接层就这么做：形状 (批大小, 512) 的矩阵加上形状 (512,) 的偏置。
# NumPy 的做法叫广播(broadcasting)，分两步：
#
# 1. 给小的张量在前面补轴，直到两者的阶相同：(10,) → (1, 10)；
# 2. 沿新补的轴把小张量重复多遍，直到形状一样：(1, 10) → (32, 10)。
#
# 先用 `np.expand_dims` 和 `np.tile` 把这两步明明白白地做一遍：

# %%
x = rng.random((32, 10))
y = rng.random((10,))
step1 = np.expand_dims(y, axis=0)
step2 = np.tile(step1, (32, 1))
print("y:", y.shape, "→ 第一步补轴:", step1.shape, "→ 第二步重复:", step2.shape)
explicit = x + step2
implicit = x + y  # NumPy broadcasts by itself
print("显式两步与隐式广播结果相同:", np.array_equal(explicit, implicit))

# %% [markdown]
# 实际上 NumPy 并不会真的复制出 32 份 `y`，只是在计算时按这个规则取数，所以广播不额外占内存。
# 用循环写，意思同样清楚：矩阵的每一行都加上同一个向量。

# %%
print(inspect.getsource(naive_ops.naive_add_matrix_and_vector))
print("与广播结果相同:", np.array_equal(naive_ops.naive_add_matrix_and_vector(x, y), implicit))

# %% [markdown]
# 广播不限于加法，任何逐元素运算都适用，阶也可以更高。下面 (64, 3, 32, 10) 和 (32, 10) 取逐元素最大值，
# `y` 被看成在前面补了两个轴，再在这两个轴上重复：

# %%
x = rng.random((64, 3, 32, 10))
y = rng.random((32, 10))
z = np.maximum(x, y)
print("np.maximum:", x.shape, "和", y.shape, "→", z.shape)
print("z[5, 1] 等于 np.maximum(x[5, 1], y):", np.array_equal(z[5, 1], np.maximum(x[5, 1], y)))

# %% [markdown]
# ## 3.4 点积
#
# 点积(dot product)，也叫张量积，是最常用、也最容易弄错的运算。它不是逐元素运算：
# 结果的每一项都要把许多项乘起来再加起来。NumPy 里写作 `np.dot(x, y)`，或者 `x @ y`。
#
# 两个等长向量的点积是一个标量：对应位置相乘，再求和。

# %%
print(inspect.getsource(naive_ops.naive_vector_dot))
a, b = rng.normal(size=5), rng.normal(size=5)
print("naive_vector_dot:", naive_ops.naive_vector_dot(a, b), " np.dot:", np.dot(a, b))

# %% [markdown]
# 矩阵 (n, m) 和向量 (m,) 的点积是向量 (n,)：第 i 个元素是矩阵第 i 行与向量的点积。
# 写循环时 `z[i]` 要**累加** `+=`，写成赋值 `=` 就只剩最后一项了，这是另一个常见错误：

# %%
print(inspect.getsource(naive_ops.naive_matrix_vector_dot))

# %% [markdown]
# 既然每个元素就是一次向量点积，也可以直接调用上面的 `naive_vector_dot`，代码更短：

# %%
print(inspect.getsource(naive_ops.naive_matrix_vector_dot_via_vector_dot))
m, v = rng.normal(size=(4, 5)), rng.normal(size=5)
print("直接写法:   ", naive_ops.naive_matrix_vector_dot(m, v).round(6))
print("调用向量点积:", naive_ops.naive_matrix_vector_dot_via_vector_dot(m, v).round(6))
print("np.dot:      ", np.dot(m, v).round(6))

# %% [markdown]
# 两个矩阵 (n, m) 和 (m, p) 的点积是矩阵 (n, p)：第 i 行第 j 列的元素，是 `x` 的第 i 行与 `y` 的第 j 列的点积。
# 所以 `x` 的列数必须等于 `y` 的行数。

# %%
print(inspect.getsource(naive_ops.naive_matrix_dot))
x, y = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
print("结果形状:", naive_ops.naive_matrix_dot(x, y).shape)
print("与 np.dot 一致:", np.allclose(naive_ops.naive_matrix_dot(x, y), np.dot(x, y)))
try:
    naive_ops.naive_matrix_dot(x, x)
except ValueError as exc:
    print("ValueError:", exc)

# %% [markdown]
# 更高阶的张量也能做点积，形状规则是：`x` 的**最后一个轴**和 `y` 的**倒数第二个轴**
# （`y` 是向量时就是它唯一的轴）长度必须相同，这个轴在结果中消失，其余的轴按顺序保留。用代码验证：

# %%
a, b, c, d, e = 2, 3, 4, 5, 6
x = rng.random((a, b, c, d))
print("(a, b, c, d)·(d,)   →", np.dot(x, rng.random(d)).shape)
print("(a, b, c, d)·(d, e) →", np.dot(x, rng.random((d, e))).shape)

# %% [markdown]
# 点积与数的乘法不同，交换两边一般会得到不同的结果：

# %%
x = np.array([[1, 2], [3, 4]])
y = np.array([[0, 1], [1, 0]])
print("np.dot(x, y) =\n", np.dot(x, y))
print("np.dot(y, x) =\n", np.dot(y, x))
print("两者相等:", np.array_equal(np.dot(x, y), np.dot(y, x)))

# %% [markdown]
# ## 3.5 变形与转置
#
# 变形(reshape)是把同样的元素按行的顺序重新排成另一个形状，元素个数必须不变；
# 写 `-1` 的那个轴让 NumPy 自己算出长度。

# %%
x = np.array([[0, 1], [2, 3], [4, 5]])
print("x:", x.shape, "\n", x)
print("reshape((6, 1)):", x.reshape((6, 1)).ravel(), "→ 形状", x.reshape((6, 1)).shape)
print("reshape((2, 3)):\n", x.reshape((2, 3)))
print("reshape(-1):", x.reshape(-1))

# %% [markdown]
# 转置(transpose)是交换矩阵的行和列：第 i 行第 j 列变成第 j 行第 i 列。
# 它和变形成同样的形状是两回事，对比一下：

# %%
print("x.T:\n", x.T)
print("x.T 与 x.reshape((2, 3)) 相同:", np.array_equal(x.T, x.reshape((2, 3))))
print("(300, 20) 的矩阵转置后:", np.zeros((300, 20)).T.shape)

# %% [markdown]
# ## 3.6 几何解释：张量运算就是变换空间
#
# 一个二维向量可以看作平面上的一个点。下面把一个小房子的轮廓存成形状 (点数, 2) 的矩阵，每行一个点。
#
# **旋转**：把点绕原点逆时针转 θ 角，就是和旋转矩阵做点积。每行一个点时写成 `points @ R.T`。

# %%
import matplotlib.pyplot as plt

from keras_tutorial.plotting import finish


def rotation(theta):
    """The 2×2 matrix that turns points counter-clockwise by theta radians."""
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


house = np.array([[0, 0], [2, 0], [2, 1.5], [1, 2.5], [0, 1.5], [0, 0]], dtype="float64")
R = rotation(np.pi / 3)
rotated = house @ R.T
print("旋转矩阵 R (60°):\n", R.round(3))
print("点 (2, 0) 转到了", rotated[1].round(3))
print(
    "到原点的距离不变:", np.allclose(np.linalg.norm(house, axis=1), np.linalg.norm(rotated, axis=1))
)

# %% [markdown]
# **仿射变换(affine transformation)**：先乘一个矩阵 W（可以拉伸、压扁、错切），再加一个向量 b（平移），
# 即 `points @ W.T + b`。全连接层不带激活函数时，做的正是仿射变换。

# %%
W = np.array([[1.5, 0.6], [0.0, 0.8]])
b = np.array([2.0, -1.0])
affine = house @ W.T + b

fig, axes = plt.subplots(1, 2, figsize=(9, 4))
panels = [(rotated, "rotation by 60°", "lower left"), (affine, "affine: W x + b", "upper right")]
for ax, (moved, title, corner) in zip(axes, panels, strict=True):
    ax.plot(house[:, 0], house[:, 1], "o-", label="before")
    ax.plot(moved[:, 0], moved[:, 1], "s-", label="after")
    ax.axhline(0, color="0.7", lw=0.8)
    ax.axvline(0, color="0.7", lw=0.8)
    ax.set_aspect("equal")
    ax.set_title(title)
    ax.legend(loc=corner)
fig.tight_layout()
finish(fig, args.out, "ch03_rotation_affine.png")

# %% [markdown]
# 两个仿射变换接连做，结果仍是一个仿射变换：W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂)。
# 这就是为什么只叠全连接层、中间不加激活函数，网络再深也只相当于一层。用数字检验：

# %%
W1, b1 = rng.normal(size=(2, 2)), rng.normal(size=2)
W2, b2 = rng.normal(size=(2, 2)), rng.normal(size=2)
two_steps = (house @ W1.T + b1) @ W2.T + b2
one_step = house @ (W2 @ W1).T + (W2 @ b1 + b2)
print("两次仿射变换 == 一次仿射变换:", np.allclose(two_steps, one_step))

# %% [markdown]
# **全连接层加 relu**：先做仿射变换，再把所有负坐标变成 0。在平面上看，落到坐标轴负半边的点
# 全被"折"到了坐标轴上。下面建一个 Keras 的 `Dense(2, activation="relu")` 层，手动设定它的权重，
# 让它作用在一团随机点上。Keras 的数据也是每行一个样本，层算的是 `points @ kernel + bias`，
# 所以 `kernel` 就是上面写法里的 `W.T`。

# %%
import keras

points = rng.uniform(-1, 1, size=(600, 2)).astype("float32")
kernel = (1.2 * rotation(np.pi / 6)).T.astype("float32")
bias = np.array([0.3, -0.2], dtype="float32")

layer = keras.layers.Dense(2, activation="relu")
layer.build((None, 2))
layer.set_weights([kernel, bias])
moved = keras.ops.convert_to_numpy(layer(points))

before_relu = points @ kernel + bias
print(
    "Keras 层的输出 == np.maximum(points @ kernel + bias, 0):",
    np.allclose(moved, np.maximum(before_relu, 0), atol=1e-6),
)
on_axis = np.mean((moved == 0).any(axis=1))
print(f"被 relu 折到坐标轴上的点: {on_axis:.1%}")

# %%
colour = np.arctan2(points[:, 1], points[:, 0])  # colour each point by its starting angle
panels = [(points, "input points"), (before_relu, "x @ kernel + bias"), (moved, "relu(...)")]
fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharex=True, sharey=True)
for ax, (shown, title) in zip(axes, panels, strict=True):
    ax.scatter(shown[:, 0], shown[:, 1], c=colour, cmap="hsv", s=8)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_aspect("equal")
    ax.set_title(title)
fig.suptitle('keras.layers.Dense(2, activation="relu") on a 2-D point cloud')
fig.tight_layout()
finish(fig, args.out, "ch03_dense_relu.png")

# %% [markdown]
# 左图到中图是旋转、放大再平移，整团点的形状不变；中图到右图，横坐标为负的点被压到纵轴上，
# 纵坐标为负的点被压到横轴上，两个都为负的点全挤到原点（颜色相同的点在三幅图中是同一批点）。
# 深度网络就是把许多这样"仿射 + 折叠"的简单变换叠起来，一步步把纠缠在一起的数据展开。

# %% [markdown]
# ## 3.7 NumPy 比循环快多少
#
# 前面的循环写法只是为了讲清楚，真正计算时从来不用。下面用 `timeit` 实测三种运算：relu、加法、矩阵乘法，
# 都作用在 n×n 的随机矩阵上，并算出加速比(speedup)：循环用时是 NumPy 用时的多少倍。
# 每个时间取几次重复中最快的一次（受其他程序干扰最少），
# 计时前先核对循环与 NumPy 的结果一致。`--quick` 模式只用小矩阵。
# 同样的测量也可以在终端单独运行：`python -m keras_tutorial.opbench`，它会另外写出一个 markdown 表格和一张图。

# %%
import time

from keras_tutorial.opbench import machine_summary, markdown_table, measure, plot_speedup

print(machine_summary())
start = time.perf_counter()
rows = measure(quick=args.quick, seed=args.seed)
print(markdown_table(rows))
print(f"测量共用时 {time.perf_counter() - start:.0f} 秒")
best = max(rows, key=lambda row: row.speedup)
print(f"最大加速比: {best.op}, n={best.size}, {best.speedup:,.0f} 倍")

# %%
fig = plot_speedup(rows)
finish(fig, args.out, "ch03_speedup.png")

# %% [markdown]
# 上表最后一列是循环时间除以 NumPy 时间；上面打印了本次运行中最大的加速比。为什么差这么多？
#
# - Python 循环每走一步都要解释字节码、取出一个元素、把它包装成 Python 对象，单是这些开销就远超一次乘加本身；
#   NumPy 把整个循环放在编译好的 C 代码里，还能用 CPU 的向量指令一次处理好几个数。
# - 矩阵乘法交给 BLAS 库：它按 CPU 缓存的大小分块计算，还可能用上多个 CPU 核。
#   矩阵乘法的计算量随 n³ 增长，循环写法越来越吃力，所以它的加速比通常最大。
# - 表格上方那行末尾的 load average，是最近一分钟里平均有几个程序在抢 CPU。它明显超过 CPU 核数时，
#   机器正忙着别的事，计时会偏慢、波动也大；受害最深的是较大矩阵的乘法：BLAS 的几个线程要互相等待，
#   NumPy 时间可能忽然变长，加速比反而下降。遇到这种情况，可以等机器空闲时重跑，
#   或者设置环境变量 `OPENBLAS_NUM_THREADS=1`（Linux 上用 pip 安装的 NumPy 用的是 OpenBLAS）让它只用一个线程，再比较一次。
#
# 这正是深度学习框架的做法：我们只写张量运算，逐元素的循环交给底层高度优化的代码，有 GPU 时交给 GPU。

# %% [markdown]
# ## 小结
#
# - 逐元素运算（relu、加法）对每个位置各算各的；用循环写出来，就是把每个位置走一遍。
# - 广播分两步：给小张量补轴，再沿新轴重复。NumPy 不真的复制数据。
# - 点积的形状规则：`x` 的最后一个轴与 `y` 的倒数第二个轴相消；`dot(x, y)` 一般不等于 `dot(y, x)`。
# - 变形按行的顺序重排元素；转置交换行和列，两者不是一回事。
# - 几何上，全连接层是一次仿射变换，relu 再把负坐标折成 0；只叠仿射变换，网络再深也等于一层。
# - 同样的运算，NumPy 比 Python 循环快得多，具体倍数见 3.7 节打印的表；所以实际代码只写张量运算。

# %% [markdown]
# ## 练习
#
# 1. 仿照 `naive_relu`，写一个 `naive_sigmoid`，并用 `np.allclose` 和 `1 / (1 + np.exp(-x))` 对比。
# 2. 不运行代码，先写出 (8, 1, 6, 1) 和 (7, 1, 5) 广播后的形状，再用 `np.broadcast_shapes` 验证。
# 3. `np.dot` 的形状规则下，(2, 3, 4) 和 (5, 4, 6) 的点积是什么形状？和 `x @ y`（`np.matmul`）的结果形状一样吗？
# 4. 改变 3.6 节 `kernel` 的旋转角和 `bias`，看看有多少点被折到坐标轴上。能不能选一组权重，让所有点都不被折叠？
# 5. 用 `python -m keras_tutorial.opbench --out bench` 在你的电脑上测一次，和本章的表比较。
