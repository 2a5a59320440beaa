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
# 第 1 章的网络只做了几件事：矩阵乘法、加上偏置、取 relu，它们都是张量运算(tensor operation)。
# 本章先用最朴素的 Python 循环把它们逐个写出来，看清每个运算算了什么；再讲广播、点积、变形和转置的形状规则，从几何的角度看全连接层对平面上的点做了什么；最后实测 NumPy 比循环快多少。
#
# 在 Jupyter 里从上到下运行每个单元格，图显示在代码下方；或者在终端里运行 `python scripts/ch03_tensor_operations.py`，图存进 `--out` 目录（默认 `outputs/`），加 `--quick` 时速度测试只用小矩阵。最花时间的是 3.7 节的速度测试，它会打印自己用了多少秒。
#
# ## 3.1 准备工作
#
# 第一行写着 `# @save` 的单元格（比如下面第二个），`make lib` 会原样复制进 `keras_tutorial/ch03.py`，测试、练习的参考答案和速度测量都从那里导入本章写的函数。

# %%
from keras_tutorial.settings import start_chapter

# 读命令行参数（在 Jupyter 里用默认值），固定随机种子
args = start_chapter("第 3 章：张量运算 / Chapter 3: tensor operations")

# %%
# @save
import numpy as np

# %% [markdown]
# ## 3.2 逐元素运算
#
# relu 和加法都是逐元素运算(element-wise operation)：张量里每个位置各算各的。用循环写，就是把每个位置走一遍。
# 函数先 `copy()` 再改，传进来的数组保持原样；形状不对时抛出写明形状的 `ValueError`，而不用 `assert`，因为 `python -O` 会跳过所有 `assert`。这些函数都可以修改，改完重新运行它和后面的单元格即可。


# %%
# @save
def naive_relu(x):
    """对矩阵 x 逐元素取 max(x, 0)，和 np.maximum(x, 0) 相同。"""
    if x.ndim != 2:
        raise ValueError(f"naive_relu 需要矩阵，收到的形状是 {x.shape}")
    x = x.copy()  # 在副本上改，调用者传进来的数组保持原样
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] = max(x[i, j], 0)
    return x


# %%
# @save
def naive_add(x, y):
    """两个形状相同的矩阵逐元素相加，和 x + y 相同。"""
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"naive_add 需要两个形状相同的矩阵，收到 {x.shape} 和 {y.shape}")
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[i, j]
    return x


# %% [markdown]
# 和 NumPy 的 `np.maximum(x, 0)`、`x + y` 对比，结果应当完全相同（把 `naive_relu` 改成直接 `return x` 再运行，第一个对比就打印 False）。最后一行是形状不匹配时的错误信息：

# %%
rng = np.random.default_rng(args.seed)
x, y = rng.normal(size=(3, 4)).round(2), rng.normal(size=(3, 4)).round(2)
x_before = x.copy()
print("x =\n", x)
print("naive_relu(x) =\n", naive_relu(x))
print("与 np.maximum(x, 0) 相同:", np.array_equal(naive_relu(x), np.maximum(x, 0)))
print("与 x + y 相同:", np.array_equal(naive_add(x, y), x + y))
print("x 没有被改动:", np.array_equal(x, x_before))
try:
    naive_add(x, y.T)
except ValueError as exc:
    print("ValueError:", exc)

# %% [markdown]
# ## 3.3 广播
#
# 第 1 章的全连接层把形状 (批大小, 512) 的矩阵加上形状 (512,) 的偏置。形状不同也能相加，靠的是广播(broadcasting)：
#
# 1. 两个形状**右对齐**，从最后一个轴起一对一对地比；短的一方在左边补长度为 1 的轴：(10,) → (1, 10)；
# 2. 每一对长度必须**相等，或者其中一个是 1**，否则报错；
# 3. 长度为 1 的轴（补出来的或本来就有的）沿这个轴重复，拉伸到另一方的长度：(1, 10) → (32, 10)。
#
# NumPy 并不真的复制数据，只是计算时按这个规则取数，所以广播不额外占内存。用循环写，就是矩阵的每一行都加上同一个向量：


# %%
# @save
def naive_add_matrix_and_vector(x, y):
    """矩阵 x (n, m) 的每一行加上向量 y (m,)，和广播的 x + y 相同。"""
    if x.ndim != 2 or y.ndim != 1 or x.shape[1] != y.shape[0]:
        raise ValueError(f"需要矩阵 (n, m) 和向量 (m,)，收到 {x.shape} 和 {y.shape}")
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[j]
    return x


# %%
x, y = rng.random((32, 10)), rng.random((10,))
print("与广播的 x + y 相同:", np.array_equal(naive_add_matrix_and_vector(x, y), x + y))

# %% [markdown]
# 本来就有的长度为 1 的轴也会被拉伸。列向量 (3, 1) 加行向量 (4,)：右对齐后是 (3, 1) 和 (1, 4)，两个 1 都被拉伸，结果 (3, 4) 的第 i 行第 j 列是 `col[i, 0] + row[j]`。
# `np.broadcast_shapes` 只算形状，不做运算。广播不限于加法和二阶，任何逐元素运算都适用：下面 `np.maximum` 的 (32, 10) 在左边补两个轴，再拉伸成 (64, 3, 32, 10)：

# %%
col, row = np.array([[0], [10], [20]]), np.array([1, 2, 3, 4])
print("col + row =\n", col + row)
print("np.broadcast_shapes((3, 1), (4,)) =", np.broadcast_shapes((3, 1), (4,)))
z = np.maximum(rng.random((64, 3, 32, 10)), rng.random((32, 10)))
print("np.maximum: (64, 3, 32, 10) 和 (32, 10) →", z.shape)

# %% [markdown]
# 右对齐后有一对长度既不相等、也没有 1，就不能广播，例如 (3, 4) 和 (3,)：最后一对是 4 和 3。这时要先用 `np.expand_dims` 补一个轴，把 (3,) 变成列向量 (3, 1)：

# %%
x, v = np.ones((3, 4)), np.array([1.0, 2.0, 3.0])
try:
    x + v
except ValueError as exc:
    print("ValueError:", exc)
print("变成列向量后:", (x + np.expand_dims(v, axis=1)).shape)

# %% [markdown]
# ## 3.4 点积
#
# 点积(dot product)不是逐元素运算：结果的每一项都要把许多项相乘再相加。NumPy 里写作 `np.dot(x, y)`，两边都不超过二阶时也可以写 `x @ y`。两个等长向量的点积是一个标量：对应位置相乘，再求和。


# %%
# @save
def naive_vector_dot(x, y):
    """两个等长向量的点积：对应位置相乘再求和，和 np.dot(x, y) 相同。"""
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"naive_vector_dot 需要两个等长的向量，收到 {x.shape} 和 {y.shape}")
    z = 0
    for i in range(x.shape[0]):
        z += x[i] * y[i]
    return z


# %% [markdown]
# 矩阵 (n, m) 和向量 (m,) 的点积是向量 (n,)：第 i 个元素是矩阵第 i 行与向量的点积。
# 第一种写法里 `z[i]` 要**累加** `+=`，写成赋值 `=` 就只剩最后一项了，这是常见的错误；第二种写法直接调用上面的 `naive_vector_dot`，更短。
# 运行后面的单元格，把向量点积和这两种写法都与 `np.dot` 对比：


# %%
# @save
def naive_matrix_vector_dot(x, y):
    """矩阵 (n, m) 与向量 (m,) 的点积，得到向量 (n,)，和 np.dot(x, y) 相同。"""
    if x.ndim != 2 or y.ndim != 1 or x.shape[1] != y.shape[0]:
        raise ValueError(f"需要矩阵 (n, m) 和向量 (m,)，收到 {x.shape} 和 {y.shape}")
    z = np.zeros(x.shape[0], dtype=x.dtype)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i] += x[i, j] * y[j]  # 累加：z[i] 是对 j 求和
    return z


def naive_matrix_vector_dot_via_vector_dot(x, y):
    """和 naive_matrix_vector_dot 相同，每次取 x 的一行做向量点积。"""
    if x.ndim != 2 or y.ndim != 1 or x.shape[1] != y.shape[0]:
        raise ValueError(f"需要矩阵 (n, m) 和向量 (m,)，收到 {x.shape} 和 {y.shape}")
    z = np.zeros(x.shape[0], dtype=x.dtype)
    for i in range(x.shape[0]):
        z[i] = naive_vector_dot(x[i, :], y)
    return z


# %%
a, b = rng.normal(size=5), rng.normal(size=5)
print("naive_vector_dot:", naive_vector_dot(a, b), " np.dot:", np.dot(a, b))
m, v = rng.normal(size=(4, 5)), rng.normal(size=5)
print("直接写法:   ", naive_matrix_vector_dot(m, v).round(6))
print("调用向量点积:", naive_matrix_vector_dot_via_vector_dot(m, v).round(6))
print("np.dot:      ", np.dot(m, v).round(6))

# %% [markdown]
# 矩阵 (n, m) 和 (m, p) 的点积是矩阵 (n, p)：第 i 行第 j 列是 `x` 的第 i 行与 `y` 的第 j 列的点积，所以 `x` 的列数必须等于 `y` 的行数。


# %%
# @save
def naive_matrix_dot(x, y):
    """矩阵 (n, m) 与矩阵 (m, p) 的点积，得到矩阵 (n, p)，和 np.dot(x, y) 相同。"""
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[0]:
        raise ValueError(f"naive_matrix_dot 需要矩阵 (n, m) 和 (m, p)，收到 {x.shape} 和 {y.shape}")
    z = np.zeros((x.shape[0], y.shape[1]), dtype=x.dtype)
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            z[i, j] = naive_vector_dot(x[i, :], y[:, j])  # x 的第 i 行点乘 y 的第 j 列
    return z


# %%
x, y = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
print("结果形状:", naive_matrix_dot(x, y).shape)
print("与 np.dot 一致:", np.allclose(naive_matrix_dot(x, y), np.dot(x, y)))

# %% [markdown]
# 初学者常把 `x * y` 当成矩阵乘法。`*` 是逐元素相乘（形状不同时按广播规则），`@` 才是点积。点积也和数的乘法不同，交换两边一般会得到不同的结果：

# %%
x, y = np.array([[1, 2], [3, 4]]), np.array([[0, 1], [1, 0]])
print("x * y（逐元素）=\n", x * y)
print("x @ y（点积）=\n", x @ y)
print("x @ y 与 y @ x 相等:", np.array_equal(x @ y, y @ x))

# %% [markdown]
# 更高阶的张量也能用 `np.dot`：`x` 的**最后一个轴**和 `y` 的**倒数第二个轴**（`y` 是向量时就是它唯一的轴）长度必须相同，这个轴在结果中消失，其余的轴按顺序保留。
# `y` 是三阶或更高阶时，`x @ y`（即 `np.matmul`）和 `np.dot` 不再相同：`@` 把最后两个轴看成矩阵，前面的轴是"一叠矩阵"的编号（按广播规则对齐），编号相同的矩阵各乘各的；`np.dot` 则让 `x` 里的每个矩阵和 `y` 里的每个矩阵都乘一次，结果的 `[i, :, k, :]` 是 `x[i] @ y[k]`。

# %%
x = rng.random((2, 3, 4))
print("(2, 3, 4)·(4,)   →", np.dot(x, rng.random(4)).shape)
print("(2, 3, 4)·(4, 5) →", np.dot(x, rng.random((4, 5))).shape)
y = rng.random((2, 4, 5))
print("np.dot(x, y):", np.dot(x, y).shape, "  x @ y:", (x @ y).shape)
print("(x @ y)[1] 等于 x[1] @ y[1]:", np.allclose((x @ y)[1], x[1] @ y[1]))
print("np.dot(x, y)[1, :, 0] 等于 x[1] @ y[0]:", np.allclose(np.dot(x, y)[1, :, 0], x[1] @ y[0]))

# %% [markdown]
# Keras 的作者在书里把点积也叫作 tensor product，但数学里的张量积(tensor product)是另一回事：两个向量的张量积就是它们的外积(outer product)。长度 m 和 n 的两个向量的外积是 (m, n) 矩阵，第 i 行第 j 列是 `a[i] * b[j]`，什么都不求和。本教程只说"点积"。

# %%
a, b = np.array([1, 2, 3]), np.array([10, 20])
print("np.outer(a, b) =\n", np.outer(a, b))

# %% [markdown]
# ## 3.5 变形与转置
#
# 变形(reshape)把同样的元素按行的顺序重新排成另一个形状，元素个数不变；写 `-1` 的轴由 NumPy 算出长度。转置(transpose)交换矩阵的行和列：第 i 行第 j 列变成第 j 行第 i 列。它和变形成同样的形状是两回事：

# %%
x = np.array([[0, 1], [2, 3], [4, 5]])
print("x:", x.shape, "\n", x)
print("reshape(-1):", x.reshape(-1), "  reshape((6, 1)) 的形状:", x.reshape((6, 1)).shape)
print("reshape((2, 3)):\n", x.reshape((2, 3)))
print("x.T:\n", x.T)
print("x.T 与 x.reshape((2, 3)) 相同:", np.array_equal(x.T, x.reshape((2, 3))))

# %% [markdown]
# ## 3.6 几何解释：张量运算就是变换空间
#
# 二维向量可以看作平面上的一个点。下面把一个小房子的轮廓存成形状 (点数, 2) 的矩阵，每行一个点。**旋转**：把点绕原点逆时针转 θ 角，就是和旋转矩阵做点积；每行一个点时写成 `points @ R.T`。


# %%
# @save
def rotation(theta):
    """把平面上的点绕原点逆时针旋转 theta 弧度的 2×2 矩阵。"""
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


# %%
house = np.array([[0, 0], [2, 0], [2, 1.5], [1, 2.5], [0, 1.5], [0, 0]], dtype="float64")
R = rotation(np.pi / 3)  # 转 60°
rotated = house @ R.T
print("点 (2, 0) 转到了", rotated[1].round(3))
same_norms = np.allclose(np.linalg.norm(house, axis=1), np.linalg.norm(rotated, axis=1))
print("到原点的距离不变:", same_norms)

# %% [markdown]
# **仿射变换(affine transformation)**：先乘一个矩阵 W（拉伸、压扁、错切），再加一个向量 b（平移），即 `points @ W.T + b`。不带激活函数的全连接层做的正是仿射变换。
# 两个仿射变换接连做，结果仍是一个仿射变换：W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂)。所以只叠全连接层、中间不加激活函数，网络再深也只相当于一层。下面先用数字检验这一点，再画出旋转和仿射变换前后的房子：

# %%
from keras_tutorial.plotting import finish, plot_planes

W1, b1 = rng.normal(size=(2, 2)), rng.normal(size=2)
W2, b2 = rng.normal(size=(2, 2)), rng.normal(size=2)
two_steps = (house @ W1.T + b1) @ W2.T + b2
one_step = house @ (W2 @ W1).T + (W2 @ b1 + b2)
print("两次仿射变换 == 一次仿射变换:", np.allclose(two_steps, one_step))
W, b = np.array([[1.5, 0.6], [0.0, 0.8]]), np.array([2.0, -1.0])
affine = house @ W.T + b
fig = plot_planes([(rotated, "rotation by 60°"), (affine, "affine: W x + b")], before=house)
finish(fig, args.out, "ch03_rotation_affine.png")

# %% [markdown]
# **全连接层加 relu**：先做仿射变换，再把所有负坐标变成 0，落到坐标轴负半边的点全被"折"到坐标轴上。
# 下面手动设定一个 Keras `Dense(2, activation="relu")` 层的权重，让它作用在一团随机点上。Keras 的数据也是每行一个样本，层算的是 `points @ kernel + bias`，所以 `kernel` 就是上面的 `W.T`。

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
same = np.allclose(moved, np.maximum(before_relu, 0), atol=1e-6)
print("Keras 层的输出 == np.maximum(points @ kernel + bias, 0):", same)
print(f"被 relu 折到坐标轴上的点: {np.mean((moved == 0).any(axis=1)):.1%}")

# %%
panels = [(points, "input points"), (before_relu, "x @ kernel + bias"), (moved, "relu(...)")]
colour = np.arctan2(points[:, 1], points[:, 0])  # 按每个点起始的角度上色
title = 'keras.layers.Dense(2, activation="relu") on a 2-D point cloud'
finish(plot_planes(panels, colour=colour, title=title), args.out, "ch03_dense_relu.png")

# %% [markdown]
# 颜色相同的点在三幅图中是同一批点。左图到中图是旋转、放大再平移，点团的形状不变；到右图，横坐标为负的点被压到纵轴上，纵坐标为负的被压到横轴上，两个都为负的全挤到原点。深度网络就是把许多这样"仿射 + 折叠"的简单变换叠起来，一步步把纠缠在一起的数据展开。

# %% [markdown]
# ## 3.7 NumPy 比循环快多少
#
# 前面的循环只是为了讲清楚，真正计算时从来不用。下面用 `timeit` 实测 relu、加法和矩阵乘法，循环一方就是本章定义的函数，都作用在 n×n 的随机矩阵上，并算出加速比(speedup)：循环用时是 NumPy 用时的多少倍。每个时间取几次重复中最快的一次（受其他程序干扰最少），计时前先核对两边结果一致。

# %%
# @save
# 要计时的运算：名称 → (循环写法, NumPy 写法, 参数个数)
TIMED_OPS = {
    "relu": (naive_relu, lambda x: np.maximum(x, 0.0), 1),
    "add": (naive_add, np.add, 2),
    "matrix_dot": (naive_matrix_dot, np.dot, 2),
}

# %%
import time

from keras_tutorial.opbench import machine_summary, markdown_table, measure, plot_speedup

print(machine_summary())
start = time.perf_counter()
rows = measure(TIMED_OPS, quick=args.quick, seed=args.seed)
print(markdown_table(rows))
print(f"测量共用时 {time.perf_counter() - start:.0f} 秒")
finish(plot_speedup(rows), args.out, "ch03_speedup.png")

# %% [markdown]
# 为什么差这么多？Python 循环每走一步都要解释字节码、取出一个元素、把它包装成 Python 对象，这些开销远远超过一次乘加本身；NumPy 把整个循环放在编译好的 C 代码里，还能用 CPU 的向量指令(SIMD)一次处理好几个数。
#
# 矩阵乘法的加速比为什么通常最大，而且随 n 增大？n×n 的矩阵相乘，循环和 NumPy 都要做 n³ 次乘加，计算量增长得一样快，所以原因不在这里。把两边的用时都除以 n³，看每次乘加花多少时间：

# %%
dot_rows = [row for row in rows if row.op == "matrix_dot"]
per_madd = [(r.size, r.naive_s / r.size**3, r.numpy_s / r.size**3) for r in dot_rows]
print("    n 循环每次乘加（纳秒）  NumPy 每次乘加（纳秒）")
for n, naive_s, numpy_s in per_madd:
    print(f"{n:5d} {naive_s * 1e9:20.1f} {numpy_s * 1e9:23.4f}")
(n0, naive0, numpy0), (n1, naive1, numpy1) = per_madd[0], per_madd[-1]
print(f"n 从 {n0} 到 {n1}：循环每次乘加的用时变为原来的 {naive1 / naive0:.2f} 倍，")
print(f"NumPy 每次乘加的用时变为原来的 {numpy1 / numpy0:.3f} 倍")

# %% [markdown]
# 比较上面最后两行的两个倍数。循环每一步的开销基本固定，每次乘加的用时随 n 变化不大。NumPy 的矩阵乘法交给 BLAS 库（基础线性代数子程序），n 越大越划算：调用一次的固定开销摊到更多次乘加上，矩阵被分成适合 CPU 缓存大小的小块反复使用，向量指令一次算好几个乘加，工作还可能分给几个 CPU 核。逐元素的 relu 和加法里每个数只用一次，分块帮不上忙。
# 所以 NumPy 的倍数应当明显小于循环的；如果不是，多半是测量时有别的程序在抢 CPU，怎样测得更准见 `benchmarks/README.md`（在仓库根目录运行 `python -m tools.opbench --out bench` 可以单独测一次）。
#
# 深度学习框架正是这样做的：我们只写张量运算，逐元素的循环交给底层高度优化的代码，有 GPU 时交给 GPU。

# %% [markdown]
# ## 小结
#
# - 逐元素运算对每个位置各算各的。广播：形状右对齐，每对长度相等或有一个是 1，长度为 1 的轴被拉伸。
# - 点积把行与列对应相乘再求和：`x @ y` 一般不等于 `y @ x`，也不是逐元素的 `x * y`；三阶以上 `x @ y` 与 `np.dot(x, y)` 不同。
# - 变形按行的顺序重排元素，转置交换行和列，两者不是一回事。
# - 全连接层是一次仿射变换，relu 再把负坐标折成 0；只叠仿射变换，再深也等于一层。
# - NumPy 比循环快得多；矩阵乘法快得最多，因为 BLAS 每次乘加的用时随 n 增大而下降。

# %% [markdown]
# ## 练习
#
# 在每道题下面的单元格里写出答案并运行，`check` 会告诉你答案对不对；实验题没有自动检查。参考答案在 `notebooks/ch03_answers.ipynb` 里，先自己试一试再看。

# %%
from keras_tutorial.exercises import check

# %% [markdown]
# ### 练习 1
#
# 仿照 `naive_relu`，用循环写一个 `naive_sigmoid(x)`：对矩阵 `x` 的每个元素算 `1 / (1 + exp(-t))`，结果和 `1 / (1 + np.exp(-x))` 相同；不改动传进来的 `x`；`x` 不是矩阵时抛出 `ValueError`。`check` 会用你没见过的矩阵测试它。


# %%
def naive_sigmoid(x): ...  # 在这里写出你的循环


check("ch03.1", naive_sigmoid)


# %% [markdown]
# ### 练习 2
#
# 写一个 `naive_add_column(x, y)`：矩阵 `x` (n, m) 的每一列都加上列向量 `y` (n, 1)，结果和广播的 `x + y` 相同（这正是"本来就有的长度为 1 的轴被拉伸"），形状不是 (n, m) 和 (n, 1) 时抛出 `ValueError`。


# %%
def naive_add_column(x, y): ...  # 在这里写出你的循环


check("ch03.2", naive_add_column)

# %% [markdown]
# ### 练习 3
#
# 不运行代码，按 3.3 节的广播规则写出下面三对形状广播后的形状，不能广播的写字符串 `"error"`：(8, 1, 6, 1) 和 (7, 1, 5)；(3, 4) 和 (4, 1)；(2, 1, 3) 和 (5, 1)。写完再用 `np.broadcast_shapes` 验证。

# %%
answer_3 = None  # 例如 [(2, 3), "error", (4,)]
check("ch03.3", answer_3)

# %% [markdown]
# ### 练习 4
#
# `x` 的形状是 (4, 2, 3)，`y` 的形状是 (4, 3, 5)。按 3.4 节的规则，`np.dot(x, y)`、`x @ y` 和 `x * y` 的形状各是什么？不能计算的写 `"error"`。

# %%
answer_4 = None  # 依次是 np.dot(x, y)、x @ y、x * y 的形状，例如 [(2, 3), (4,), "error"]
check("ch03.4", answer_4)

# %% [markdown]
# ### 练习 5（实验）
#
# 改变 3.6 节 `kernel` 的旋转角和 `bias`，看看有多少点被折到坐标轴上。能不能选一组权重，让所有点都不被折叠？

# %%
kernel = (1.2 * rotation(np.pi / 6)).T.astype("float32")  # 改这里的角度
bias = np.array([0.3, -0.2], dtype="float32")  # 和这里的偏置
folded = np.mean((np.maximum(points @ kernel + bias, 0) == 0).any(axis=1))
print(f"被折到坐标轴上的点: {folded:.1%}")

# %% [markdown]
# ### 练习 6（实验）
#
# 3.7 节的循环太慢，n 只测到几十、一百多。只测 NumPy，把 n 加到 256、512、1024，矩阵乘法每次乘加的用时还会继续下降吗？用 `keras_tutorial.opbench.best_time` 计时。

# %%
from keras_tutorial.opbench import best_time

for n in (64, 128):  # 加上更大的 n
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    seconds = best_time(lambda a=a, b=b: np.dot(a, b))
    print(f"n={n}: 每次乘加 {seconds / n**3 * 1e9:.4f} ns")
