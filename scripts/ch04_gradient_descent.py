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
# # 第 4 章 神经网络的引擎：梯度下降、动量、RMSprop 与反向传播
#
# **本章做什么**：第 1 章的 `model.fit` 在背后反复做一件事——算出损失对每个权重的梯度，
# 再让权重沿着梯度的反方向挪一小步。本章把这件事拆开，每一步都写成能运行的代码：
# 导数和梯度、一维和二维的梯度下降、随机梯度下降、动量、RMSprop、链式法则与反向传播，
# 最后只用 NumPy 从零写出第 1 章的网络，在真实 MNIST 上训练，并和 Keras 比速度和准确率。
#
# **怎么运行**：在 Jupyter 里从上到下执行；或者在终端里运行
#
# ```bash
# python scripts/ch04_gradient_descent.py            # 完整运行：MNIST 训练 5 轮，几分钟
# python scripts/ch04_gradient_descent.py --quick    # 只用一小部分数据，不到一分钟
# python scripts/ch04_gradient_descent.py --epochs 3 --batch-size 256 --out my_outputs
# ```

# %% [markdown]
# ## 4.1 准备工作

# %%
from keras_tutorial.settings import (
    backend_summary,
    chapter_parser,
    parse_args,
    positive_int,
    set_seed,
)

parser = chapter_parser("第 4 章：梯度下降与反向传播 / Chapter 4: gradient descent and backprop")
parser.add_argument(
    "--epochs", type=positive_int, default=5, help="MNIST 训练轮数 / MNIST epochs (default 5)"
)
parser.add_argument(
    "--batch-size", type=positive_int, default=128, help="批大小 / batch size (default 128)"
)
args = parse_args(parser)
set_seed(args.seed)

import time

import keras
import matplotlib.pyplot as plt
import numpy as np

from keras_tutorial import numpy_net
from keras_tutorial.optimizers import SGD, RMSprop
from keras_tutorial.plotting import finish

print(backend_summary())
print(f"epochs={args.epochs}  batch_size={args.batch_size}  quick={args.quick}  out={args.out}")

# %% [markdown]
# ## 4.2 导数：函数在一点附近的斜率
#
# 函数 $f(x)$ 在 $x_0$ 处的导数(derivative) $f'(x_0)$，是把 $x$ 往右挪一丁点时 $f$ 变化的快慢，
# 也就是曲线在这一点的切线斜率。不会求导也能估计它：取一个很小的步长 $h$，
# 算 $\frac{f(x_0+h)-f(x_0)}{h}$（前向差分，forward difference），
# 或更准的 $\frac{f(x_0+h)-f(x_0-h)}{2h}$（中心差分，central difference）。
# 这种做法叫有限差分(finite difference)。下面用 $f(x)=x^3-3x$（精确导数 $3x^2-3$）比较两者。


# %%
def f(x):
    return x**3 - 3 * x


def df(x):
    return 3 * x**2 - 3


x0 = 1.5
steps_h = 10.0 ** -np.arange(1, 13)
forward_err = np.abs((f(x0 + steps_h) - f(x0)) / steps_h - df(x0))
central_err = np.abs((f(x0 + steps_h) - f(x0 - steps_h)) / (2 * steps_h) - df(x0))
print(f"精确导数 f'({x0}) = {df(x0)}")
for h, e1, e2 in zip(steps_h[::2], forward_err[::2], central_err[::2], strict=True):
    print(f"h={h:.0e}  前向差分误差 {e1:.1e}  中心差分误差 {e2:.1e}")
print(
    f"误差最小的 h：前向 {steps_h[forward_err.argmin()]:.0e}，中心 {steps_h[central_err.argmin()]:.0e}"
)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
xs = np.linspace(-2.2, 2.5, 200)
ax1.plot(xs, f(xs), label="f(x) = x^3 - 3x")
ax1.plot(xs, f(x0) + df(x0) * (xs - x0), "--", label=f"tangent at x={x0}, slope {df(x0)}")
ax1.plot([x0, x0 + 0.8], [f(x0), f(x0 + 0.8)], "o-", label="secant, h=0.8")
ax1.set_ylim(-4, 8), ax1.legend(), ax1.grid(alpha=0.3), ax1.set_title("slope of a curve")
ax2.loglog(steps_h, forward_err, "o-", label="forward difference")
ax2.loglog(steps_h, central_err, "s-", label="central difference")
ax2.set_xlabel("step h"), ax2.set_ylabel("|error|"), ax2.legend(), ax2.grid(alpha=0.3)
ax2.set_title("finite-difference error")
finish(fig, args.out, "ch04_derivative.png")

# %% [markdown]
# 右图的误差先随 $h$ 变小而变小，到某个 $h$ 之后反而变大（上面打印了误差最小的 $h$）：
# $h$ 太大时割线不像切线，$h$ 太小时两个几乎相等的浮点数相减，舍入误差被放大。
# 中心差分在较大的 $h$ 上就很准，所以后面检查梯度都用它。
#
# ## 4.3 梯度与一维梯度下降
#
# 函数有多个输入时，对每个输入分别求导得到偏导数(partial derivative)，把它们排成一个向量，叫梯度(gradient)，
# 它指向函数上升最快的方向。要让损失变小，就朝梯度的**反方向**走一步：
# $w \leftarrow w - \eta \cdot \nabla f(w)$，这就是梯度下降(gradient descent)，
# 步长 $\eta$ 叫学习率(learning rate)。先在一维的 $f(w)=w^2$ 上试三种学习率：


# %%
def descend_1d(lr, w=4.0, steps=12):
    path = [w]
    for _ in range(steps):
        w = w - lr * 2 * w  # f'(w) = 2w
        path.append(w)
    return np.array(path)


fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
for ax, lr, name in zip(axes, (0.05, 0.3, 1.05), ("too small", "good", "too large"), strict=True):
    path = descend_1d(lr)
    print(f"学习率 {lr}: 12 步后 w = {path[-1]:+.3f}, f(w) = {path[-1] ** 2:.3f}")
    ws = np.linspace(-1, 1, 200) * max(5.0, np.abs(path).max() * 1.1)
    ax.plot(ws, ws**2, color="gray")
    ax.plot(path, path**2, "o-", color="C3", markersize=4)
    ax.set_title(f"learning rate {lr}: {name}"), ax.grid(alpha=0.3)
finish(fig, args.out, "ch04_gd_1d.png")

# %% [markdown]
# 学习率太小，12 步后离最低点还很远；合适时几步就到；太大时每一步都越过最低点，
# 而且落点比出发点还高，越跳越远——发散(diverge)了（上面打印的 $|w|$ 比起点 4 还大）。
#
# ## 4.4 二维梯度下降：等高线图上的路径
#
# 换成两个参数的 $f(w_1, w_2) = \frac{1}{2}(w_1^2 + 10\,w_2^2)$，梯度是 $(w_1, 10\,w_2)$。
# 先用中心差分核对梯度公式，再用从零写的 `SGD` 优化器（`keras_tutorial/optimizers.py`）走几十步。


# %%
def bowl(w):
    return 0.5 * (w[..., 0] ** 2 + 10 * w[..., 1] ** 2)


def bowl_grad(w):
    return np.array([w[0], 10 * w[1]])


w_test, h = np.array([-3.0, 1.0]), 1e-5
numeric = [(bowl(w_test + h * e) - bowl(w_test - h * e)) / (2 * h) for e in np.eye(2)]
print("公式梯度:", bowl_grad(w_test), " 中心差分:", np.round(numeric, 6))


def run(optimizer, grad_fn, start, steps, dtype="float64"):
    """Apply ``optimizer`` ``steps`` times from ``start``; return every position."""
    w = np.array(start, dtype=dtype)
    path = [w.copy()]
    for _ in range(steps):
        optimizer.apply([w], [grad_fn(w)])
        path.append(w.copy())
    return np.array(path)


g1, g2 = np.meshgrid(np.linspace(-5, 5, 200), np.linspace(-2.5, 2.5, 200))
grid_loss = bowl(np.stack([g1, g2], axis=-1))


def contour_panel(ax, paths, title):
    ax.contour(g1, g2, grid_loss, levels=np.geomspace(0.05, 40, 12), cmap="viridis")
    for label, path in paths.items():
        ax.plot(path[:, 0], path[:, 1], "o-", markersize=3, label=label)
    ax.set_xlim(-5, 5), ax.set_ylim(-2.5, 2.5), ax.set_title(title), ax.legend(fontsize=8)


start = (-4.5, 2.0)
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
for ax, lr in zip(axes, (0.02, 0.15, 0.205), strict=True):
    path = run(SGD(learning_rate=lr), bowl_grad, start, 30)
    print(f"学习率 {lr}: 30 步后 f = {bowl(path[-1]):.4g}")
    contour_panel(ax, {f"SGD lr={lr}": path}, f"gradient descent, lr={lr}")
finish(fig, args.out, "ch04_gd_2d.png")

# %% [markdown]
# 这个"碗"在 $w_2$ 方向比 $w_1$ 方向陡 10 倍。学习率小，路径平稳但走不远；
# 学习率大一些，在陡的方向来回折返但仍能收敛；超过 $2/10=0.2$，陡的方向每步都放大，路径发散。
# 能用多大的学习率由最陡的方向决定，而平缓的方向因此走得很慢——动量和 RMSprop 正是为此而生。
#
# ## 4.5 随机梯度下降：每次用多少样本算梯度？
#
# 真正的损失是全部训练样本损失的平均，精确的梯度要过一遍全部数据。实际做法是每次随机取一小批样本
# 估计梯度就更新，即小批量随机梯度下降(stochastic gradient descent, SGD)。
# 在一个小的线性回归(linear regression)问题上比较三种做法：每次 1 个样本（真正的 SGD）、
# 每次 32 个（小批量）、每次全部样本（全批量梯度下降，full-batch gradient descent）。学习率相同，都训练同样多轮。

# %%
rng = np.random.default_rng(args.seed)
n_lin, d_lin = 2000, 20
x_lin = rng.normal(size=(n_lin, d_lin))
y_lin = x_lin @ rng.normal(size=d_lin) + 0.5 * rng.normal(size=n_lin)


def mse(w):
    residual = x_lin @ w - y_lin
    return float(residual @ residual / n_lin)


def train_linear(batch_size, epochs, lr=0.02):
    """Mini-batch SGD on the mean squared error; returns (updates, seconds, loss) records."""
    w, optimizer, clock, updates = np.zeros(d_lin), SGD(learning_rate=lr), 0.0, 0
    total = epochs * -(-n_lin // batch_size)
    when = set(np.geomspace(1, total, 150).astype(int))  # evenly spaced on a log axis
    records = [(0, 0.0, mse(w))]
    for _ in range(epochs):
        order = rng.permutation(n_lin)
        for begin in range(0, n_lin, batch_size):
            tic = time.perf_counter()
            rows = order[begin : begin + batch_size]
            xb = x_lin[rows]
            optimizer.apply([w], [2 * xb.T @ (xb @ w - y_lin[rows]) / len(rows)])
            clock += time.perf_counter() - tic  # the clock stops while we measure the loss
            updates += 1
            if updates in when:
                records.append((updates, clock, mse(w)))
    return np.array(records)


lin_epochs = 5 if args.quick else 20
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
for batch_size, name in ((1, "batch 1 (true SGD)"), (32, "mini-batch 32"), (n_lin, "full batch")):
    rec = train_linear(batch_size, lin_epochs)
    print(
        f"{name:>18}: {int(rec[-1, 0]):6d} 次更新, 用时 {rec[-1, 1]:.3f} s, 最终损失 {rec[-1, 2]:.3f}"
    )
    ax1.plot(rec[:, 0] + 1, rec[:, 2], label=name)
    ax2.plot(rec[:, 1] + 1e-4, rec[:, 2], label=name)
ax1.set_xlabel("updates + 1"), ax2.set_xlabel("seconds (computing updates)")
for ax in (ax1, ax2):
    ax.set_xscale("log"), ax.set_yscale("log"), ax.set_ylabel("training loss (MSE)")
    ax.legend(), ax.grid(alpha=0.3)
finish(fig, args.out, "ch04_sgd_batches.png")
print(f"噪声决定的最小损失约为 {mse(np.linalg.lstsq(x_lin, y_lin, rcond=None)[0]):.3f}")

# %% [markdown]
# 左图按更新次数看：全批量每一步都最准，但每轮只更新一次，训练结束时损失仍然很高；
# 批大小为 1 时更新次数最多，曲线却一直抖动，停在比最小损失高的地方，因为单个样本的梯度噪声很大。
# 右图按时间看：批大小为 1 时 Python 要循环上万次，每次只做很少的计算，最费时间；
# 小批量既有足够多的更新次数，每次更新又能用上向量化的矩阵运算，最快到达最低损失。
# 这正是第 1 章用 `batch_size=128` 的原因。
#
# ## 4.6 动量：冲过局部最小值
#
# 损失曲线可能有多个"坑"。只比附近都低的坑叫局部最小值(local minimum)，最低的那个叫全局最小值(global minimum)。
# 普通梯度下降只看脚下的坡度，掉进第一个坑就停了。动量(momentum)给参数加上"速度"：
#
# $$v \leftarrow \mu\, v - \eta\, \nabla f(w), \qquad w \leftarrow w + v$$
#
# 速度 $v$ 累积了过去的梯度，$\mu$（常取 0.9）决定保留多少。这也是 `keras.optimizers.SGD(momentum=0.9)`
# 的规则（`nesterov=False`）。在一条有两个坑的曲线上比较：


# %%
def wells(w):
    return w**4 - 2 * w**2 + 0.5 * w


def wells_grad(w):
    return 4 * w**3 - 4 * w + 0.5


paths = {
    "SGD lr=0.01": run(SGD(learning_rate=0.01), wells_grad, [1.8], 200)[:, 0],
    "SGD lr=0.01, momentum=0.9": run(SGD(0.01, momentum=0.9), wells_grad, [1.8], 200)[:, 0],
}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
ws = np.linspace(-1.8, 2.0, 300)
ax1.plot(ws, wells(ws), color="gray")
for label, path in paths.items():
    print(f"{label}: 200 步后 w = {path[-1]:+.3f}, 损失 {wells(path[-1]):+.3f}")
    ax1.plot(path, wells(path), "o-", markersize=3, alpha=0.7, label=label)
    ax2.plot(path, label=label)
ax1.set_title("loss with a local minimum"), ax1.legend(), ax1.grid(alpha=0.3)
ax2.set_xlabel("step"), ax2.set_ylabel("w"), ax2.legend(), ax2.grid(alpha=0.3)
finish(fig, args.out, "ch04_momentum.png")

# %% [markdown]
# 普通 SGD 停在右边 $w\approx 0.93$ 的局部最小值；带动量的版本下坡时攒下的速度足以冲过中间的小坡，
# 在左边更低的坑里来回晃几下后停下（上面打印了两者的终点和损失）。
#
# 我们的优化器和 Keras 的是否一字不差？让 `keras.optimizers.SGD(momentum=0.9)` 在同一条曲线上
# 从同一点出发，每一步都把当前位置的梯度交给它，和我们的优化器比较两条路径（两边都用 float32）：

# %%
w_keras = keras.Variable(np.array([1.8], dtype="float32"))
keras_sgd = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
keras_path = [float(keras.ops.convert_to_numpy(w_keras)[0])]
for _ in range(200):
    grad = wells_grad(keras.ops.convert_to_numpy(w_keras))
    keras_sgd.apply_gradients([(keras.ops.convert_to_tensor(grad), w_keras)])
    keras_path.append(float(keras.ops.convert_to_numpy(w_keras)[0]))
ours = run(SGD(0.01, momentum=0.9), wells_grad, [1.8], 200, dtype="float32")[:, 0]
print(f"200 步内两条路径的最大差距: {np.abs(ours - np.array(keras_path)).max():.2e}")

# %% [markdown]
# 两条路径相同，或只差 float32 最后几位的舍入（不同后端的运算顺序略有不同）。
# `tests/test_optimizers.py` 对 SGD、动量 SGD 和 RMSprop 都做了同样的核对：
# 同一串梯度喂 100 步，参数差在 1e-6 以内。
#
# ## 4.7 RMSprop：每个参数有自己的步长
#
# 4.4 节的碗在两个方向上陡峭程度不同，一个学习率难以兼顾。RMSprop 为每个参数记住梯度平方的
# 滑动平均(moving average) $s$，用它的平方根去除梯度：陡的方向步子自动变小，缓的方向自动变大。
# Keras 的默认设置是 $\rho=0.9$、$\epsilon=10^{-7}$，并且 $\epsilon$ 加在根号**里面**：
#
# $$s \leftarrow \rho\, s + (1-\rho)\, g^2, \qquad w \leftarrow w - \frac{\eta\, g}{\sqrt{s+\epsilon}}$$
#
# 第 1 章 `compile(optimizer="rmsprop")` 用的就是它（学习率 0.001）。在碗上比较三种优化器，都走 30 步：

# %%
contenders = {
    "SGD lr=0.15": SGD(learning_rate=0.15),
    "momentum lr=0.05, 0.7": SGD(learning_rate=0.05, momentum=0.7),
    "RMSprop lr=0.3": RMSprop(learning_rate=0.3),
}
fig, ax = plt.subplots(figsize=(7, 3.8))
runs = {label: run(opt, bowl_grad, start, 30) for label, opt in contenders.items()}
for label, path in runs.items():
    print(f"{label:>22}: 30 步后 f = {bowl(path[-1]):.2e}")
contour_panel(ax, runs, "SGD, momentum and RMSprop on the same bowl")
finish(fig, args.out, "ch04_optimizers_2d.png")

# %% [markdown]
# SGD 在陡的方向折返；动量把折返的速度互相抵消，沿缓的方向越走越快；RMSprop 一开始在两个方向上
# 迈出差不多大的步子，几乎斜着直奔中心。哪个最好取决于问题和学习率，上面打印的损失只说明这个碗上的情况。
#
# ## 4.8 链式法则与反向传播
#
# 神经网络是一串函数的复合。链式法则(chain rule)说：复合函数的导数等于每一环导数的乘积。
# 看一个只有一个神经元的例子：$z = wx + b$，$a = \mathrm{relu}(z)$，损失 $L=(a-t)^2$，
# 则 $\frac{\partial L}{\partial w} = \frac{\partial L}{\partial a}\cdot\frac{\partial a}{\partial z}
# \cdot\frac{\partial z}{\partial w} = 2(a-t)\cdot[z>0]\cdot x$。

# %%
x_in, b_in, target, w_in = 2.0, -1.0, 3.0, 1.5


def neuron_loss(w):
    return (max(w * x_in + b_in, 0.0) - target) ** 2


z = w_in * x_in + b_in
a = max(z, 0.0)
factors = (2 * (a - target), float(z > 0), x_in)
print(f"dL/da = {factors[0]}, da/dz = {factors[1]}, dz/dw = {factors[2]}")
print(f"链式法则: dL/dw = {np.prod(factors)}")
print(f"中心差分: dL/dw ≈ {(neuron_loss(w_in + 1e-6) - neuron_loss(w_in - 1e-6)) / 2e-6:.6f}")

# %% [markdown]
# 反向传播(backpropagation)就是把链式法则用在整个网络上：前向计算时记下每一层的中间结果，
# 然后从损失出发往回走，每经过一层就乘上这一层的导数，一次就得到所有参数的梯度。
# `keras_tutorial/numpy_net.py` 只用 NumPy 实现了第 1 章的网络（Dense 512 relu → Dense 10 softmax），
# 这是它手写的反向传播：

# %%
import inspect

print(inspect.getsource(numpy_net.backward))

# %% [markdown]
# softmax 接分类交叉熵，对输出层输入（logits）的导数恰好是"预测概率减去独热标签"，这是整段代码的起点。
# 手写的导数容易出错，所以要核对：在 float64 下，先和中心差分比（随机抽一些参数），
# 再和 Keras 当前后端的自动微分(automatic differentiation)比——TensorFlow 的 `GradientTape`、
# JAX 的 `jax.grad` 或 PyTorch 的 `autograd`，它们根据记录下来的运算自动应用链式法则。

# %%
check_rng = np.random.default_rng(args.seed)
params64 = numpy_net.init_params(seed=args.seed, dtype=np.float64)
x_small, y_small = check_rng.random((8, 784)), check_rng.integers(0, 10, 8)
_, grads = numpy_net.loss_and_gradients(params64, x_small, y_small)

for name in numpy_net.PARAM_NAMES:
    picks = [tuple(check_rng.integers(0, s) for s in params64[name].shape) for _ in range(10)]
    ours, numeric = [], []
    for index in picks:
        saved = params64[name][index]
        params64[name][index] = saved + 1e-5
        up = numpy_net.loss(params64, x_small, y_small)
        params64[name][index] = saved - 1e-5
        down = numpy_net.loss(params64, x_small, y_small)
        params64[name][index] = saved
        ours.append(grads[name][index])
        numeric.append((up - down) / 2e-5)
    ours, numeric = np.array(ours), np.array(numeric)
    rel = np.linalg.norm(ours - numeric) / (np.linalg.norm(ours) + np.linalg.norm(numeric))
    print(f"{name}: 与有限差分的相对误差 {rel:.1e}")

_, auto_grads = numpy_net.autodiff_loss_and_gradients(params64, x_small, y_small)
worst = max(np.linalg.norm(grads[k] - auto_grads[k]) / np.linalg.norm(auto_grads[k]) for k in grads)
print(f"与 {keras.backend.backend()} 自动微分的最大相对误差: {worst:.1e}")

# %% [markdown]
# 两种核对的相对误差都远小于 1e-6：手写的反向传播是对的。和自动微分的差距只在 float64 舍入误差的量级，
# 因为两边做的是同样的乘法，只是顺序略有不同。
#
# ## 4.9 在真实 MNIST 上训练从零写的网络，并与 Keras 对比
#
# 数据预处理和第 1 章相同。从零写的网络用 float32、小批量 RMSprop（学习率 0.001，批大小 128），
# 权重初始化模仿 Keras 的 `Dense`（glorot_uniform 权重，零偏置），每轮打乱训练集。

# %%
from keras_tutorial.data import load_mnist

(train_images, train_labels), (test_images, test_labels) = load_mnist()
if args.quick:
    train_images, train_labels = train_images[:2000], train_labels[:2000]
    test_images, test_labels = test_images[:1000], test_labels[:1000]
x_train = train_images.reshape((len(train_images), 28 * 28)).astype("float32") / 255
x_test = test_images.reshape((len(test_images), 28 * 28)).astype("float32") / 255

tic = time.perf_counter()
params, np_history = numpy_net.train(
    x_train,
    train_labels,
    epochs=args.epochs,
    batch_size=args.batch_size,
    seed=args.seed,
    verbose=True,
)
np_seconds = time.perf_counter() - tic
np_acc = numpy_net.evaluate(params, x_test, test_labels)
print(f"NumPy 网络: 训练 {np_seconds:.1f} s, 测试准确率 test_acc = {np_acc:.4f}")
if not args.quick:
    print("测试准确率 ≥ 0.97:", np_acc >= 0.97)

# %% [markdown]
# 在同一次运行里，用第 1 章的代码训练 Keras 模型（同样的轮数和批大小），记下每轮的用时：

# %%
model = keras.Sequential(
    [
        keras.Input(shape=(28 * 28,)),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
y_train = keras.utils.to_categorical(train_labels, num_classes=10)
stamps = []  # time at the end of each epoch
timer = keras.callbacks.LambdaCallback(
    on_epoch_end=lambda epoch, logs: stamps.append(time.perf_counter())
)
tic = time.perf_counter()
model.fit(
    x_train,
    y_train,
    epochs=args.epochs,
    batch_size=args.batch_size,
    verbose=2,
    callbacks=[timer],
)
keras_seconds = time.perf_counter() - tic
keras_epochs = np.diff([tic, *stamps])
_, keras_acc = model.evaluate(x_test, keras.utils.to_categorical(test_labels, 10), verbose=0)

np_epochs = np.array(np_history["seconds"])


def later_mean(seconds):
    return seconds[1:].mean() if len(seconds) > 1 else float("nan")


rows = [
    ("训练总用时 (s)", np_seconds, keras_seconds, ".1f"),
    ("第 1 轮用时 (s)", np_epochs[0], keras_epochs[0], ".1f"),
    ("其余各轮平均用时 (s)", later_mean(np_epochs), later_mean(keras_epochs), ".2f"),
    ("测试准确率", np_acc, keras_acc, ".4f"),
]
print(f"{'NumPy':>9} {'Keras':>9}")
for label, ours, theirs, fmt in rows:
    print(f"{ours:9{fmt}} {theirs:9{fmt}}   {label}")
faster = "NumPy" if np_seconds < keras_seconds else "Keras"
ratio = max(np_seconds, keras_seconds) / min(np_seconds, keras_seconds)
print(f"这次运行 {faster} 更快，总用时相差 {ratio:.1f} 倍。")

# %% [markdown]
# 上面的表是这台机器、这次运行的实测结果（`--quick` 模式数据太少，只能说明流程能跑通）。
# 两个网络的结构、优化器、批大小都一样，准确率应该相近，差别来自随机初始化和打乱顺序的不同。
#
# 为什么是这个速度？把从零实现的一步拆开，分别给前向、反向和 RMSprop 更新计时，
# 再单独给其中最重的两次矩阵乘法计时：前向的 $x W_1$（128×784 乘 784×512）和反向求 $W_1$ 梯度的
# $x^\top \delta$。


# %%
def per_call(fn, repeats=30):
    fn()  # warm-up
    tic = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - tic) / repeats


xb, yb = x_train[: args.batch_size], train_labels[: args.batch_size]
probs, cache = numpy_net.forward(params, xb)
batch_grads = numpy_net.backward(params, cache, yb)
params_copy, delta = {k: v.copy() for k, v in params.items()}, np.ones((len(xb), 512), "float32")
parts = {
    "前向 forward": per_call(lambda: numpy_net.forward(params, xb)),
    "反向 backward": per_call(lambda: numpy_net.backward(params, cache, yb)),
    "RMSprop 更新": per_call(lambda: RMSprop().apply(params_copy, batch_grads)),
}
matmuls = per_call(lambda: (xb @ params["W1"], xb.T @ delta))
steps = -(-len(x_train) // args.batch_size)
for name, seconds in parts.items():
    print(f"{seconds * 1e3:7.2f} ms/批  {name}")
print(f"{sum(parts.values()) * 1e3:7.2f} ms/批  合计，其中两次大矩阵乘法 {matmuls * 1e3:.2f} ms")
print(f"{later_mean(np_epochs) / steps * 1e3:7.2f} ms/批  NumPy 训练时实测（其余各轮平均）")
print(f"{later_mean(keras_epochs) / steps * 1e3:7.2f} ms/批  Keras 训练时实测（其余各轮平均）")

# %% [markdown]
# 两边做的是同样的矩阵乘法：NumPy 交给 OpenBLAS 库，TensorFlow 交给它自己的 CPU 内核，都是高度优化的代码。
# 上面的拆分显示了从零实现的时间花在哪里：两次大矩阵乘法是大头，RMSprop 更新也不便宜——
# 它要把 40 万个参数逐个读写好几遍。训练时实测的每批用时比合计多出的部分，来自打乱数据、统计损失和准确率，
# 以及计时那一刻机器的负载。从零写的网络只做这些必需的计算，还复用缓冲区；
# Keras 每一步还要经过训练框架（切分批次、调用编译好的计算图(computation graph)、更新损失和准确率指标、调用回调），
# 第 1 轮还多了把训练步骤编译成计算图的时间（比较上表的第 1 轮和其余各轮）。
# 另一方面，编译好的计算图可以把多个逐元素运算合并，省掉一些读写。两方面相抵，谁快以上面实测的数字为准。
#
# 计时还受机器上其他程序的影响：CPU 被别的进程占用时，OpenBLAS 的几个线程会互相等待，
# NumPy 的用时可能成倍增加，所以同一台机器上两次运行的结论也可能不同，比较时最好多跑几次。
# 换成 GPU 或更大的模型，矩阵运算占绝对主导，Keras 能用 GPU 而 NumPy 只能用 CPU，Keras 通常会远远领先。
# 何况 Keras 的价值不只在速度：任何结构的模型都不用手写反向传播，梯度由自动微分给出。
#
# ## 4.10 回顾第一个例子
#
# 现在可以把第 1 章的每一行和本章的概念对上号了：
#
# | 第 1 章的代码 | 背后发生的事 |
# | --- | --- |
# | `x_train = train_images.reshape(...).astype("float32") / 255` | 输入是 float32 张量(tensor)；数值范围小，梯度和学习率才好配合 |
# | `keras.layers.Dense(512, activation="relu")` | $\mathrm{relu}(xW_1+b_1)$；$W_1$ 用 glorot_uniform 随机初始化，$b_1=0$ |
# | `keras.layers.Dense(10, activation="softmax")` | $\mathrm{softmax}(hW_2+b_2)$，输出 10 个概率 |
# | `loss="categorical_crossentropy"` | 要最小化的函数；它对 logits 的梯度是"概率 − 独热标签" |
# | `optimizer="rmsprop"` | 4.7 节的更新规则：$\rho=0.9$，$\epsilon=10^{-7}$，学习率 0.001 |
# | `model.fit(..., batch_size=128)` | 4.5 节的小批量随机梯度下降：每 128 张图更新一次 |
# | `epochs=5` | 打乱训练集后完整过 5 遍 |
# | `fit` 内部的求导 | 4.8 节的反向传播，由后端的自动微分完成 |
# | `model.evaluate(x_test, y_test)` | 只做前向计算，统计 argmax 与标签相同的比例 |

# %% [markdown]
# ## 小结
#
# - 导数是函数在一点的斜率，可以用有限差分估计；中心差分比前向差分准，步长不能太大也不能太小。
# - 梯度指向上升最快的方向；梯度下降每步朝反方向走，学习率太小走不动，太大会发散。
# - 小批量 SGD 兼顾更新次数和每次计算的效率，比单样本 SGD 和全批量梯度下降都更快降低损失。
# - 动量让参数带着速度前进，可以冲过局部最小值；RMSprop 按梯度大小给每个参数调整步长。
# - 反向传播就是链式法则：从损失往回逐层乘导数。手写的梯度与有限差分、自动微分都一致。
# - 只用 NumPy 也能把第 1 章的网络训练到和 Keras 相当的准确率（见 4.9 节的表）。

# %% [markdown]
# ## 练习
#
# 1. 在 4.3 节试学习率 0.5 和 0.95：路径有什么不同？为什么 $f(w)=w^2$ 上学习率超过 1 就会发散？
# 2. 在 4.5 节把学习率改成 0.05，批大小为 1 的曲线会怎样？
# 3. 把 4.6 节的动量改成 0.5，或把起点改成 1.5，还能冲过局部最小值吗？
# 4. 在 4.7 节把 RMSprop 的学习率改小到 0.05，30 步后到哪里了？
# 5. 用 `KERAS_BACKEND=jax` 或 `torch` 再运行本章，4.8 节的自动微分核对和 4.9 节的速度对比有什么变化？
