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
# 第 1 章的网络只做了几件事：矩阵乘法、加上偏置、取 relu，它们都是张量运算(tensor operation)。本章先用最朴素的 Python 循环把它们逐个写出来，看清每个运算算了什么；再讲广播、点积、变形和转置的形状规则，从几何的角度看全连接层对平面上的点做了什么，并训练一个小网络把两类缠在一起的点分开；最后实测 NumPy 比循环快多少。
#
# 在 Jupyter 里从上到下运行每个单元格，图显示在代码下方；或者在终端里运行 `python scripts/ch03_tensor_operations.py`，图存进 `--out` 目录（默认 `outputs/`）。加 `--quick` 时小网络少训练几轮，计时只用小矩阵。
#
# ## 3.1 准备工作
#
# 第一行写着 `# @save` 的单元格（比如 3.2 节的函数），`make lib` 会原样复制进 `keras_tutorial/ch03.py`，练习的参考答案和测试都从那里导入本章写的函数。

# %%
from keras_tutorial.settings import start_chapter

args = start_chapter("第 3 章：张量运算 / Chapter 3: tensor operations", epochs=40, batch_size=50)

# %% [markdown]
# ## 3.2 逐元素运算
#
# relu 和加法都是逐元素运算(element-wise operation)：张量里每个位置各算各的。用循环写，就是把每个位置走一遍，算出的数填进一个新数组 `z`，传进来的数组保持原样。
#
# `z` 的数据类型用 `np.result_type` 选，和 NumPy 自己的运算选得一样：整数加小数得到小数。如果照搬 `x` 的类型，整数矩阵加上小数，小数部分就被悄悄截掉了。形状不对时抛出写明形状的 `ValueError`，不用 `assert`，因为 `python -O` 会跳过所有 `assert`。这些函数都可以修改，改完重新运行它和后面的单元格即可。


# %%
# @save
import numpy as np


def naive_relu(x):
    """对矩阵 x 逐元素取 max(x, 0)；值和数据类型都与 np.maximum(x, 0) 相同。"""
    if x.ndim != 2:
        raise ValueError(f"naive_relu 需要矩阵，收到的形状是 {x.shape}")
    z = np.zeros(x.shape, dtype=np.result_type(x, 0))  # 新数组装结果，x 保持原样
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = max(x[i, j], 0)
    return z


# %%
# @save
def naive_add(x, y):
    """两个形状相同的矩阵逐元素相加；值和数据类型都与 x + y 相同。"""
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"naive_add 需要两个形状相同的矩阵，收到 {x.shape} 和 {y.shape}")
    z = np.zeros(x.shape, dtype=np.result_type(x, y))  # 整数加小数得小数，和 NumPy 一样
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = x[i, j] + y[i, j]
    return z


# %% [markdown]
# 和 NumPy 的 `np.maximum(x, 0)`、`x + y` 对比，结果应当完全相同（把 `naive_relu` 改成直接 `return x` 再运行，第一个对比就打印 False）。整数矩阵加小数矩阵也要和 NumPy 一样得到小数。最后一行是形状不匹配时的错误信息：

# %%
rng = np.random.default_rng(args.seed)
x, y = rng.normal(size=(3, 4)).round(2), rng.normal(size=(3, 4)).round(2)
print("x =\n", x)
print("naive_relu(x) =\n", naive_relu(x))
print("与 np.maximum(x, 0) 相同:", np.array_equal(naive_relu(x), np.maximum(x, 0)))
print("与 x + y 相同:", np.array_equal(naive_add(x, y), x + y))
ints, halves = np.array([[1, 2], [3, 4]]), np.full((2, 2), 0.5)
print("整数加小数:", naive_add(ints, halves).tolist(), " x + y:", (ints + halves).tolist())
try:
    naive_add(x, y.T)
except ValueError as exc:
    print("ValueError:", exc)

# %% [markdown]
# ## 3.3 广播
#
# 第 1 章的全连接层把形状 (批量大小, 512) 的矩阵加上形状 (512,) 的偏置。形状不同也能相加，靠的是广播(broadcasting)：
#
# 1. 两个形状**右对齐**，从最后一个轴起一对一对地比；短的一方在左边补长度为 1 的轴：(10,) → (1, 10)；
# 2. 每一对长度必须**相等，或者其中一个是 1**，否则报错；
# 3. 长度为 1 的轴（补出来的或本来就有的）沿这个轴重复，拉伸到另一方的长度：(1, 10) → (32, 10)。
#
# NumPy 并不真的复制数据，只是计算时按这个规则取数，所以广播不额外占内存。用循环写，就是矩阵的每一行都加上同一个向量：


# %%
# @save
def naive_add_matrix_and_vector(x, y):
    """矩阵 x (n, m) 的每一行加上向量 y (m,)；值和数据类型都与广播的 x + y 相同。"""
    if x.ndim != 2 or y.ndim != 1 or x.shape[1] != y.shape[0]:
        raise ValueError(f"需要矩阵 (n, m) 和向量 (m,)，收到 {x.shape} 和 {y.shape}")
    z = np.zeros(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = x[i, j] + y[j]
    return z


# %% [markdown]
# 下面先把它和广播的 `x + y` 对比。本来就有的长度为 1 的轴也会被拉伸。列向量 (3, 1) 加行向量 (4,)：右对齐后是 (3, 1) 和 (1, 4)，两个 1 都被拉伸，结果 (3, 4) 的第 i 行第 j 列是 `col[i, 0] + row[j]`。`np.broadcast_shapes` 只算形状，不做运算。广播不限于加法和二阶，任何逐元素运算都适用：下面 `np.maximum` 的 (32, 10) 在左边补两个轴，再拉伸成 (64, 3, 32, 10)。
#
# 右对齐后有一对长度既不相等、也没有 1，就不能广播，例如 (3, 4) 和 (3,)：最后一对是 4 和 3，打印的是 NumPy 的错误信息。这时要先用 `np.expand_dims` 补一个轴，把 (3,) 变成列向量 (3, 1)：

# %%
x, y = rng.random((32, 10)), rng.random((10,))
print("与广播的 x + y 相同:", np.array_equal(naive_add_matrix_and_vector(x, y), x + y))
col, row = np.array([[0], [10], [20]]), np.array([1, 2, 3, 4])
print("col + row =\n", col + row)
print("np.broadcast_shapes((3, 1), (4,)) =", np.broadcast_shapes((3, 1), (4,)))
z = np.maximum(rng.random((64, 3, 32, 10)), rng.random((32, 10)))
print("np.maximum: (64, 3, 32, 10) 和 (32, 10) →", z.shape)
x, v = np.ones((3, 4)), np.array([1.0, 2.0, 3.0])
try:
    x + v
except ValueError as exc:
    print("ValueError:", exc)
print("变成列向量后:", (x + np.expand_dims(v, axis=1)).shape)

# %% [markdown]
# ## 3.4 点积
#
# 点积(dot product)不是逐元素运算：结果的每一项都要把许多项相乘再相加。NumPy 里写作 `np.dot(x, y)`，两边都不超过二阶时也可以写 `x @ y`。两个等长向量的点积是一个标量：对应位置相乘，再求和。累加从结果类型的 0 开始：`np.result_type(x, y).type(0)`。


# %%
# @save
def naive_vector_dot(x, y):
    """两个等长向量的点积：对应位置相乘再求和；值和数据类型都与 np.dot(x, y) 相同。"""
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"naive_vector_dot 需要两个等长的向量，收到 {x.shape} 和 {y.shape}")
    z = np.result_type(x, y).type(0)  # 0，数据类型与 NumPy 的结果相同
    for i in range(x.shape[0]):
        z += x[i] * y[i]
    return z


# %% [markdown]
# 矩阵 (n, m) 和向量 (m,) 的点积是向量 (n,)：第 i 个元素是矩阵第 i 行与向量的点积。第一种写法里 `z[i]` 要**累加** `+=`，写成赋值 `=` 就只剩最后一项了，这是常见的错误；第二种写法直接调用上面的 `naive_vector_dot`，更短。运行后面的单元格，把它们都与 `np.dot` 对比，最后一行是整数矩阵点乘小数向量：


# %%
# @save
def naive_matrix_vector_dot(x, y):
    """矩阵 (n, m) 与向量 (m,) 的点积，得到向量 (n,)；值和数据类型都与 np.dot(x, y) 相同。"""
    if x.ndim != 2 or y.ndim != 1 or x.shape[1] != y.shape[0]:
        raise ValueError(f"需要矩阵 (n, m) 和向量 (m,)，收到 {x.shape} 和 {y.shape}")
    z = np.zeros(x.shape[0], dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i] += x[i, j] * y[j]  # 累加：z[i] 是对 j 求和
    return z


def naive_matrix_vector_dot_via_vector_dot(x, y):
    """和 naive_matrix_vector_dot 相同，每次取 x 的一行做向量点积。"""
    if x.ndim != 2 or y.ndim != 1 or x.shape[1] != y.shape[0]:
        raise ValueError(f"需要矩阵 (n, m) 和向量 (m,)，收到 {x.shape} 和 {y.shape}")
    z = np.zeros(x.shape[0], dtype=np.result_type(x, y))
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
half = np.array([0.5, 0.5])
print("ints · half:", naive_matrix_vector_dot(ints, half), " np.dot:", np.dot(ints, half))

# %% [markdown]
# 矩阵 (n, m) 和 (m, p) 的点积是矩阵 (n, p)：第 i 行第 j 列是 `x` 的第 i 行与 `y` 的第 j 列的点积，所以 `x` 的列数必须等于 `y` 的行数。


# %%
# @save
def naive_matrix_dot(x, y):
    """矩阵 (n, m) 与矩阵 (m, p) 的点积，得到矩阵 (n, p)；值和数据类型都与 np.dot(x, y) 相同。"""
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[0]:
        raise ValueError(f"naive_matrix_dot 需要矩阵 (n, m) 和 (m, p)，收到 {x.shape} 和 {y.shape}")
    z = np.zeros((x.shape[0], y.shape[1]), dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            z[i, j] = naive_vector_dot(x[i, :], y[:, j])  # x 的第 i 行点乘 y 的第 j 列
    return z


# %% [markdown]
# 先和 `np.dot` 对比。初学者常把 `x * y` 当成矩阵乘法。`*` 是逐元素相乘（形状不同时按广播规则），`@` 才是点积。点积也和数的乘法不同，交换两边一般会得到不同的结果：

# %%
x, y = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
print("与 np.dot 一致:", np.allclose(naive_matrix_dot(x, y), np.dot(x, y)))
x, y = np.array([[1, 2], [3, 4]]), np.array([[0, 1], [1, 0]])
print("x * y（逐元素）=\n", x * y)
print("x @ y（点积）=\n", x @ y)
print("x @ y 与 y @ x 相等:", np.array_equal(x @ y, y @ x))

# %% [markdown]
# 更高阶的张量也能用 `np.dot`：`x` 的**最后一个轴**和 `y` 的**倒数第二个轴**（`y` 是向量时就是它唯一的轴）长度必须相同，这个轴在结果中消失；`x` 其余的每个下标和 `y` 其余的每个下标两两配对，都保留下来，所以结果的阶是 `x.ndim + y.ndim - 2`。`x @ y`（即 `np.matmul`）则把最后两个轴看成矩阵，前面的轴是"一叠矩阵"的编号，按广播规则对齐，编号相同的矩阵各乘各的。
#
# 两种规则只在 `x` 至少二阶、`y` 至少三阶时分道扬镳：`y` 是向量或矩阵时，或者 `x` 是向量时，两者算出的形状和数都相同。下面逐对打印两者的形状。
#
# Keras 的作者在书里把点积也叫作 tensor product，但数学里的张量积(tensor product)是另一回事：两个向量的张量积就是它们的外积(outer product)。长度 m 和 n 的两个向量的外积是 (m, n) 矩阵，第 i 行第 j 列是 `a[i] * b[j]`，什么都不求和，最后一行打印了一个例子。本教程只说"点积"。

# %%
pairs = [((3, 4), (4, 5)), ((2, 3, 4), (4,)), ((2, 3, 4), (4, 5))]  # y 不超过二阶
pairs += [((4,), (2, 4, 5)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (2, 4, 5))]  # y 三阶
for x_shape, y_shape in pairs:
    x, y = rng.random(x_shape), rng.random(y_shape)
    d, m = np.dot(x, y), x @ y
    agree = d.shape == m.shape and np.allclose(d, m)
    print(f"{x_shape} 和 {y_shape}：np.dot → {d.shape}，@ → {m.shape}，相同: {agree}")
print("np.dot(x, y)[1, :, 0] 等于 x[1] @ y[0]:", np.allclose(np.dot(x, y)[1, :, 0], x[1] @ y[0]))
print("(x @ y)[1] 等于 x[1] @ y[1]:", np.allclose((x @ y)[1], x[1] @ y[1]))
print("外积 np.outer([1, 2, 3], [10, 20]) =\n", np.outer([1, 2, 3], [10, 20]))

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
# 二维向量可以看作平面上的一个点。下面把一个小房子的轮廓存成形状 (点数, 2) 的矩阵，每行一个点。**旋转**：把点绕原点逆时针转 θ 角，就是和旋转矩阵 R 做点积；每行一个点时写成 `points @ R.T`。


# %%
# @save
def rotation(theta):
    """把平面上的点绕原点逆时针旋转 theta 弧度的 2×2 矩阵。"""
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


# %%
house = np.array([[0, 0], [2, 0], [2, 1.5], [1, 2.5], [0, 1.5], [0, 0]], dtype="float64")
rotated = house @ rotation(np.pi / 3).T  # 转 60°
print("点 (2, 0) 转到了", rotated[1].round(3))
same_norms = np.allclose(np.linalg.norm(house, axis=1), np.linalg.norm(rotated, axis=1))
print("到原点的距离不变:", same_norms)

# %% [markdown]
# **仿射变换(affine transformation)**：先乘一个矩阵 W（拉伸、压扁、错切），再加一个向量 b（平移），即 `points @ W.T + b`。不带激活函数的全连接层做的正是仿射变换。两个仿射变换接连做，结果仍是一个仿射变换：W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂)。所以只叠全连接层、中间不加激活函数，网络再深也只相当于一层。下面先用数字检验这一点，再画出旋转和仿射变换前后的房子：

# %%
from keras_tutorial.plotting import finish, plot_planes

W1, b1 = rng.normal(size=(2, 2)), rng.normal(size=2)
W2, b2 = rng.normal(size=(2, 2)), rng.normal(size=2)
two_steps = (house @ W1.T + b1) @ W2.T + b2
one_step = house @ (W2 @ W1).T + (W2 @ b1 + b2)
print("两次仿射变换 == 一次仿射变换:", np.allclose(two_steps, one_step))
W, b = np.array([[1.5, 0.6], [0.0, 0.8]]), np.array([2.0, -1.0])
affine = house @ W.T + b
fig = plot_planes([(rotated, "旋转 60°"), (affine, "仿射变换 W x + b")], before=house)
finish(fig, args.out, "ch03_rotation_affine.png")

# %% [markdown]
# **全连接层加 relu**：先做仿射变换，再把所有负坐标变成 0，落到坐标轴负半边的点全被"折"到坐标轴上。下面手动设定一个 Keras `Dense(2, activation="relu")` 层的权重，让它作用在一团随机点上。Keras 的数据也是每行一个样本，层算的是 `points @ kernel + bias`，所以 `kernel` 就是上面的 `W.T`。

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
panels = [(points, "输入的点"), (before_relu, "x @ kernel + bias"), (moved, "relu(...)")]
colour = np.arctan2(points[:, 1], points[:, 0])  # 按每个点起始的角度上色
title = '平面上的点经过 keras.layers.Dense(2, activation="relu")'
finish(plot_planes(panels, colour=colour, title=title), args.out, "ch03_dense_relu.png")

# %% [markdown]
# 三幅图里颜色相同的是同一个点（按它起始的角度上色）。左图到中图是旋转、放大再平移，点团的形状不变；到右图，横坐标为负的点被压到纵轴上，纵坐标为负的被压到横轴上，两个都为负的全挤到原点。
#
# **把揉皱的纸团展开**：两张不同颜色的纸叠在一起揉成一团，就像缠在一起的两类数据。深度学习好比用一连串简单的动作把纸团一点点展平，直到两种颜色能用一刀分开；每一层就是一个动作：仿射变换再加折叠。下面在平面上造这样一团：蓝点落在半径 1 的圆里，红点落在外面的圆环上，原来的平面里没有一条直线能分开它们。小网络的第一层 `Dense(8, activation="relu")` 把平面变到 8 维再折叠，第二层 `Dense(2)` 再投回一个平面，最后一层 `Dense(1, activation="sigmoid")` 只能在这个新平面上画一条直线。训练让前两层学会把点搬到一条直线就够用的位置。右图的虚线就是最后一层画的那条直线，打印的比例是它分对的点；前两层做的只是仿射变换和折叠，和上面的房子、点团一样。层数更多的网络，就是把更皱的纸团分更多步展开：

# %%
n = 200
angle = rng.uniform(0, 2 * np.pi, 2 * n)
radius = np.concatenate([rng.uniform(0, 1, n), rng.uniform(1.5, 2.2, n)])
rings = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1).astype("float32")
labels = np.repeat([0, 1], n)  # 0：圆内（蓝），1：圆环（红）
hidden = [keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)]
unfold = keras.Sequential([keras.Input((2,)), *hidden])  # 前两层
model = keras.Sequential([unfold, keras.layers.Dense(1, activation="sigmoid")])
model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"])
epochs = min(args.epochs, 15) if args.quick else args.epochs
model.fit(rings, labels, epochs=epochs, batch_size=args.batch_size, verbose=0)
flat = keras.ops.convert_to_numpy(unfold(rings))  # 前两层把每个点搬到了哪里
_, accuracy = model.evaluate(rings, labels, verbose=0)
print(f"训练 {epochs} 轮后，新平面上的一条直线分对了 {accuracy:.1%} 的点")
panels = [(rings, "原来的平面"), (flat, "前两层把点搬到的新平面")]
fig = plot_planes(panels, colour=labels, cmap="coolwarm", title="蓝：圆内的点；红：圆环上的点")
w, c = model.layers[-1].get_weights()  # 最后一层画的直线：w[0]·h₀ + w[1]·h₁ + c = 0
fig.axes[1].axline((0, -c[0] / w[1, 0]), slope=-w[0, 0] / w[1, 0], color="k", ls="--")
finish(fig, args.out, "ch03_uncrumple.png")

# %% [markdown]
# ## 3.7 NumPy 比循环快多少
#
# 前面的循环只为讲清楚每个运算算了什么，真正计算时从来不用。下面用标准库的 `timeit` 给本章的 `naive_matrix_dot` 和 NumPy 的矩阵乘法计时：每轮运行的次数从 1 开始加倍，直到一轮至少跑 0.2 秒（`Timer.autorange()` 也是这样选次数的），太短的一轮会被时钟精度和偶然的打扰左右；再用 `repeat` 跑 3 轮，取最快的一轮，它受其他程序的干扰最少。`--quick` 只求把代码跑通，一轮只要 0.01 秒。
#
# n×n 的矩阵相乘，循环和 NumPy 都要做 n³ 次乘加，所以把用时除以 n³，得到每次乘加花的时间；两者之比是加速比(speedup)。计时之前先核对两边的结果一致。


# %%
# @save
import timeit


def best_time(fn, *args, seconds=0.2, repeat=3):
    """fn(*args) 运行一次的秒数：每轮至少跑 seconds 秒，跑 repeat 轮，最快的一轮除以每轮的次数。"""
    timer = timeit.Timer(lambda: fn(*args))
    number = 1
    while timer.timeit(number) < seconds:
        number *= 2
    return min(timer.repeat(repeat=repeat, number=number)) / number


# %%
sizes = (8, 16, 32) if args.quick else (16, 32, 64)
seconds = 0.01 if args.quick else 0.2  # 每轮至少多少秒
print("    n  结果一致  循环每次乘加（纳秒）  NumPy 每次乘加（纳秒）  加速比")
per_madd = []
for n in sizes:
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    agree = np.allclose(naive_matrix_dot(a, b), a @ b)
    loop_ns = best_time(naive_matrix_dot, a, b, seconds=seconds) / n**3 * 1e9
    numpy_ns = best_time(np.matmul, a, b, seconds=seconds) / n**3 * 1e9
    per_madd.append((loop_ns, numpy_ns))
    print(f"{n:5d}  {agree!s:8} {loop_ns:16.1f} {numpy_ns:22.4f} {loop_ns / numpy_ns:13.0f}")
loop_ratio, numpy_ratio = np.array(per_madd[-1]) / np.array(per_madd[0])
print(
    f"n 从 {sizes[0]} 到 {sizes[-1]}，每次乘加的用时：循环 ×{loop_ratio:.2f}，NumPy ×{numpy_ratio:.3f}"
)
if numpy_ratio < loop_ratio:
    print("这次运行里，n 变大后，NumPy 每次乘加的用时降得比循环多")
else:
    print("这次运行里 NumPy 没有降得比循环多，多半是别的程序在抢 CPU，可以重新运行这个单元格")

# %% [markdown]
# 为什么差这么多？Python 循环每走一步都要解释字节码、取出一个元素、把它包装成 Python 对象，这些开销远远超过一次乘加本身，n 再大也省不掉。NumPy 把矩阵乘法交给 BLAS 库（基础线性代数子程序），n 越大越划算：调用一次的固定开销摊到更多次乘加上，矩阵被分成适合 CPU 缓存的小块反复使用，CPU 的向量指令(SIMD)一次算好几个乘加，工作还可能分给几个 CPU 核。
#
# 在仓库根目录运行 `python -m tools.opbench`，会给 relu、加法和矩阵乘法都计时，写出表格和图；怎样测得更准见 `benchmarks/README.md`。深度学习框架正是这样做的：我们只写张量运算，循环交给底层高度优化的代码，有 GPU 时交给 GPU。

# %% [markdown]
# ## 小结
#
# - 逐元素运算对每个位置各算各的，结果的数据类型按 NumPy 的规则选（`np.result_type`）。广播：形状右对齐，每对长度相等或有一个是 1，长度为 1 的轴被拉伸。
# - 点积把行与列对应相乘再求和：`x @ y` 一般不等于 `y @ x`，也不是逐元素的 `x * y`。`np.dot(x, y)` 的阶是 `x.ndim + y.ndim - 2`，`x @ y` 把前面的轴当作编号广播；`y` 不超过二阶或 `x` 是向量时两者相同，`x` 至少二阶、`y` 至少三阶时形状不同。
# - 变形按行的顺序重排元素，转置交换行和列，两者不是一回事。
# - 全连接层是一次仿射变换，relu 再把负坐标折成 0；只叠仿射变换，再深也等于一层。几层"仿射 + 折叠"能把平面上缠在一起的两类点搬到一条直线就能分开的位置。
# - NumPy 比循环快得多。矩阵乘法里，n 变大时 NumPy 每次乘加的用时降得比循环多：解释器每一步的开销省不掉，BLAS 却越算越划算。

# %% [markdown]
# ## 练习
#
# 在每道题下面的单元格里写出答案并运行，`check` 会告诉你答案对不对；实验题没有自动检查。参考答案在 `notebooks/ch03_answers.ipynb` 里，先自己试一试再看。

# %% [markdown]
# ### 练习 1
#
# 仿照 `naive_relu`，用循环写一个 `naive_sigmoid(x)`：对矩阵 `x` 的每个元素算 `1 / (1 + exp(-t))`，结果和 `1 / (1 + np.exp(-x))` 相同（整数矩阵也一样）；不改动传进来的 `x`；`x` 不是矩阵时抛出 `ValueError`。`check` 会用你没见过的矩阵测试它。


# %%
from keras_tutorial.exercises import check


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
# 3.7 节的循环太慢，n 只测到 64。只测 NumPy，用 `best_time` 把 n 加到 256、512、1024，矩阵乘法每次乘加的用时还会继续下降吗？

# %%
for n in (64, 128):  # 加上更大的 n
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    print(f"n={n}: 每次乘加 {best_time(np.matmul, a, b, seconds=seconds) / n**3 * 1e9:.4f} 纳秒")
