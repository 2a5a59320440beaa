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
# **本章做什么**：第 1 章的 `model.fit` 在背后反复做一件事——算出损失对每个权重的梯度，再让权重沿着梯度的反方向挪一小步。
# 本章把这件事拆开，每一步都写成能运行的代码：导数和梯度、一维和二维的梯度下降、随机梯度下降、动量、RMSprop、链式法则与反向传播，最后只用 NumPy 从零写出第 1 章的网络，在真实 MNIST 上训练，并和 Keras 比速度和准确率。
#
# **怎么运行**：在 Jupyter 里从上到下执行；或者在终端里运行
#
# ```bash
# python scripts/ch04_gradient_descent.py            # 完整运行：两个网络各在 MNIST 上训练 5 轮
# python scripts/ch04_gradient_descent.py --quick    # 只用一小部分数据，不到一分钟
# python scripts/ch04_gradient_descent.py --epochs 3 --batch-size 256 --out my_outputs
# ```


# %% [markdown]
# ## 4.1 准备工作
#
# 本章的核心代码（更新规则、反向传播）都写在章节里或打印出来；画图和计时的辅助函数放在 `keras_tutorial/descent.py`，从零写的优化器和网络分别在 `optimizers.py` 和 `numpy_net.py`。

# %%
from keras_tutorial.settings import (
    add_training_flags,
    backend_summary,
    chapter_parser,
    parse_args,
    set_seed,
)

parser = chapter_parser("第 4 章：梯度下降与反向传播 / Chapter 4: gradient descent and backprop")
add_training_flags(parser)  # --epochs and --batch-size, as in chapter 1
args = parse_args(parser)
set_seed(args.seed)

import inspect
import time
from functools import partial
from textwrap import dedent

import keras
import matplotlib.pyplot as plt
import numpy as np

from keras_tutorial import descent, numpy_net
from keras_tutorial.optimizers import SGD, RMSprop
from keras_tutorial.plotting import finish

print(backend_summary())
print(f"epochs={args.epochs}  batch_size={args.batch_size}  quick={args.quick}  out={args.out}")

# %% [markdown]
# ## 4.2 导数：函数在一点附近的斜率
#
# 函数 $f(x)$ 在 $x_0$ 处的导数(derivative) $f'(x_0)$，是把 $x$ 往右挪一丁点时 $f$ 变化的快慢，也就是曲线在这一点的切线斜率。
# 不会求导也能估计它：取一个很小的步长 $h$，算 $\frac{f(x_0+h)-f(x_0)}{h}$（前向差分，forward difference），或更准的 $\frac{f(x_0+h)-f(x_0-h)}{2h}$（中心差分，central difference）。
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
best_forward, best_central = steps_h[forward_err.argmin()], steps_h[central_err.argmin()]
print(f"误差最小的 h：前向 {best_forward:.0e}，中心 {best_central:.0e}")
fig = descent.plot_derivative(f, df, x0, steps_h, forward_err, central_err, name="f(x) = x^3 - 3x")
finish(fig, args.out, "ch04_derivative.png")

# %% [markdown]
# 右图的误差先随 $h$ 变小而变小，到某个 $h$ 之后反而变大（上面打印了误差最小的 $h$）：$h$ 太大时割线不像切线，$h$ 太小时两个几乎相等的浮点数相减，舍入误差被放大。
# 中心差分在较大的 $h$ 上就很准，所以后面检查梯度都用它。
#
# ## 4.3 梯度与一维梯度下降
#
# 函数有多个输入时，对每个输入分别求导得到偏导数(partial derivative)，把它们排成一个向量，叫梯度(gradient)，它指向函数上升最快的方向。
# 要让损失变小，就朝梯度的**反方向**走一步：$w \leftarrow w - \eta \cdot \nabla f(w)$，这就是梯度下降(gradient descent)，步长 $\eta$ 叫学习率(learning rate)。
# 先在一维的 $f(w)=w^2$ 上试三种学习率，循环里那一行就是整个算法：

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
for ax, lr, name in zip(axes, (0.05, 0.3, 1.05), ("too small", "good", "too large"), strict=True):
    w, path = 4.0, [4.0]
    for _ in range(12):
        w = w - lr * 2 * w  # gradient descent on f(w) = w**2, whose derivative is 2w
        path.append(w)
    print(f"学习率 {lr}: 12 步后 w = {w:+.3f}, f(w) = {w**2:.3f}")
    descent.plot_on_curve(ax, np.square, {f"lr={lr}": np.array(path)}, f"lr={lr}: {name}")
finish(fig, args.out, "ch04_gd_1d.png")

# %% [markdown]
# 学习率太小，12 步后离最低点还很远；合适时几步就到；太大时每一步都越过最低点，而且落点比出发点还高，越跳越远——发散(diverge)了（上面打印的 $|w|$ 比起点 4 还大）。
#
# ## 4.4 二维梯度下降：等高线图上的路径
#
# 换成两个参数的 $f(w_1, w_2) = \frac{1}{2}(w_1^2 + 10\,w_2^2)$，梯度是 $(w_1, 10\,w_2)$。
# 先用中心差分核对梯度公式，再让从零写的 `SGD` 优化器（`keras_tutorial/optimizers.py`）从同一点出发走 30 步：它每一步做的正是上一节那一行更新，只是 $w$ 换成了向量。


# %%
def bowl(w):
    return 0.5 * (w[..., 0] ** 2 + 10 * w[..., 1] ** 2)


def bowl_grad(w):
    return np.array([w[0], 10 * w[1]])


w_test, h = np.array([-3.0, 1.0]), 1e-5
numeric = [(bowl(w_test + h * e) - bowl(w_test - h * e)) / (2 * h) for e in np.eye(2)]
print("公式梯度:", bowl_grad(w_test), " 中心差分:", np.round(numeric, 6))

start = (-4.5, 2.0)
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
for ax, lr in zip(axes, (0.02, 0.15, 0.205), strict=True):
    path = descent.optimizer_path(SGD(learning_rate=lr), bowl_grad, start, 30)
    print(f"学习率 {lr}: 30 步后 f = {bowl(path[-1]):.4g}")
    descent.plot_on_contour(ax, bowl, {f"SGD lr={lr}": path}, f"gradient descent, lr={lr}")
finish(fig, args.out, "ch04_gd_2d.png")

# %% [markdown]
# 这个"碗"在 $w_2$ 方向比 $w_1$ 方向陡 10 倍。学习率小，路径平稳但走不远；学习率大一些，在陡的方向来回折返但仍能收敛；超过 $2/10=0.2$，陡的方向每步都放大，路径发散。能用多大的学习率由最陡的方向决定，而平缓的方向因此走得很慢——动量和 RMSprop 正是为此而生。
#
# ## 4.5 随机梯度下降：每次用多少样本算梯度？
#
# 真正的损失是全部训练样本损失的平均，精确的梯度要过一遍全部数据。实际做法是每次随机取一小批样本估计梯度就更新，即小批量随机梯度下降(stochastic gradient descent, SGD)。
# 在一个小的线性回归(linear regression)问题上比较三种做法：每次 1 个样本（真正的 SGD）、每次 32 个（小批量）、每次全部样本（全批量梯度下降，full-batch gradient descent）。
# 一批 $(X_b, y_b)$ 有 $b$ 个样本时，均方误差的梯度是 $\frac{2}{b}X_b^\top(X_b w - y_b)$。学习率相同，都训练同样多轮；`descent.linear_sgd` 记下损失随更新次数和用时的变化。

# %%
rng = np.random.default_rng(args.seed)
x_lin = rng.normal(size=(2000, 20))
y_lin = x_lin @ rng.normal(size=20) + 0.5 * rng.normal(size=2000)
lin_epochs = 5 if args.quick else 20
records = {}
for batch_size, name in ((1, "batch 1 (true SGD)"), (32, "mini-batch 32"), (2000, "full batch")):
    records[name] = descent.linear_sgd(x_lin, y_lin, batch_size, lin_epochs, 0.02, rng)
    updates, seconds, loss = records[name][-1]
    print(f"{name:>18}: {updates:6.0f} 次更新, 用时 {seconds:.3f} s, 最终损失 {loss:.3f}")
best_w = np.linalg.lstsq(x_lin, y_lin, rcond=None)[0]
print(f"噪声决定的最小损失约为 {descent.mse(x_lin, y_lin, best_w):.3f}")
finish(descent.plot_loss_records(records), args.out, "ch04_sgd_batches.png")

# %% [markdown]
# 左图按更新次数看：全批量每一步都最准，但每轮只更新一次，训练结束时损失仍然很高；批大小为 1 时更新次数最多，曲线却一直抖动，停在比最小损失高的地方，因为单个样本的梯度噪声很大。
# 右图按时间看：批大小为 1 时 Python 要循环上万次，每次只做很少的计算，最费时间；小批量既有足够多的更新次数，每次更新又能用上向量化的矩阵运算，最快到达最低损失。这正是第 1 章用 `batch_size=128` 的原因。
#
# ## 4.6 动量：冲过局部最小值
#
# 损失曲线可能有多个"坑"。只比附近都低的坑叫局部最小值(local minimum)，最低的那个叫全局最小值(global minimum)。普通梯度下降只看脚下的坡度，掉进第一个坑就停了。动量(momentum)给参数加上"速度"：
#
# $$v \leftarrow \mu\, v - \eta\, \nabla f(w), \qquad w \leftarrow w + v$$
#
# 速度 $v$ 累积了过去的梯度，$\mu$（常取 0.9）决定保留多少。这也是 `keras.optimizers.SGD(momentum=0.9)` 的规则（`nesterov=False`）。
# 下面先打印从零写的 `SGD` 更新一个参数的代码（`*=`、`-=` 原地修改数组；`momentum=0` 时只走第一个分支，就是 4.3 节的普通梯度下降），再在一条有两个坑的曲线上比较两者：

# %%
print(dedent(inspect.getsource(SGD._update)))


def wells(w):
    return w**4 - 2 * w**2 + 0.5 * w


def wells_grad(w):
    return 4 * w**3 - 4 * w + 0.5


paths = {
    "SGD lr=0.01": descent.optimizer_path(SGD(0.01), wells_grad, 1.8, 200),
    "SGD lr=0.01, momentum=0.9": descent.optimizer_path(SGD(0.01, 0.9), wells_grad, 1.8, 200),
}
for label, path in paths.items():
    print(f"{label}: 200 步后 w = {path[-1, 0]:+.3f}, 损失 {wells(path[-1, 0]):+.3f}")
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
descent.plot_on_curve(ax1, wells, paths, "loss with a local minimum", span=(-1.8, 2.0))
descent.plot_positions(ax2, paths)
finish(fig, args.out, "ch04_momentum.png")

# %% [markdown]
# 普通 SGD 停在右边 $w\approx 0.93$ 的局部最小值；带动量的版本下坡时攒下的速度足以冲过中间的小坡，在左边更低的坑里来回晃几下后停下（上面打印了两者的终点和损失）。
#
# 我们的优化器和 Keras 的是否一字不差？让 `keras.optimizers.SGD(momentum=0.9)` 在同一条曲线上从同一点出发，每一步都把当前位置的梯度交给它，和我们的优化器比较两条路径（两边都用 float32）：

# %%
keras_sgd = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
theirs = descent.keras_optimizer_path(keras_sgd, wells_grad, 1.8, 200)
ours = descent.optimizer_path(SGD(0.01, momentum=0.9), wells_grad, 1.8, 200, dtype="float32")
print(f"200 步内两条路径的最大差距: {np.abs(ours - theirs).max():.2e}")

# %% [markdown]
# 两条路径相同，或只差 float32 最后几位的舍入（不同后端的运算顺序略有不同）。`tests/test_optimizers.py` 对 SGD、动量 SGD 和 RMSprop 都做了同样的核对：同一串梯度喂 100 步，参数差在 1e-6 以内。
#
# ## 4.7 RMSprop：每个参数有自己的步长
#
# 4.4 节的碗在两个方向上陡峭程度不同，一个学习率难以兼顾。RMSprop 为每个参数记住梯度平方的滑动平均(moving average) $s$，用它的平方根去除梯度：陡的方向步子自动变小，缓的方向自动变大。
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
runs = {name: descent.optimizer_path(opt, bowl_grad, start, 30) for name, opt in contenders.items()}
for label, path in runs.items():
    print(f"{label:>22}: 30 步后 f = {bowl(path[-1]):.2e}")
fig, ax = plt.subplots(figsize=(7, 3.8))
descent.plot_on_contour(ax, bowl, runs, "SGD, momentum and RMSprop on the same bowl")
finish(fig, args.out, "ch04_optimizers_2d.png")

# %% [markdown]
# SGD 在陡的方向折返；动量把折返的速度互相抵消，沿缓的方向越走越快；RMSprop 一开始在两个方向上迈出差不多大的步子，几乎斜着直奔中心。哪个最好取决于问题和学习率，上面打印的损失只说明这个碗上的情况。
#
# ## 4.8 链式法则与反向传播
#
# 神经网络是一串函数的复合。链式法则(chain rule)说：复合函数的导数等于每一环导数的乘积。
# 看一个只有一个神经元的例子：$z = wx + b$，$a = \mathrm{relu}(z)$，损失 $L=(a-t)^2$，
# 则 $\frac{\partial L}{\partial w} = \frac{\partial L}{\partial a}\cdot\frac{\partial a}{\partial z}\cdot\frac{\partial z}{\partial w} = 2(a-t)\cdot[z>0]\cdot x$。

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
# 反向传播(backpropagation)就是把链式法则用在整个网络上：前向计算时记下每一层的中间结果，然后从损失出发往回走，每经过一层就乘上这一层的导数，一次就得到所有参数的梯度。
# `keras_tutorial/numpy_net.py` 只用 NumPy 实现了第 1 章的网络（Dense 512 relu → Dense 10 softmax），这是它手写的反向传播：

# %%
print(inspect.getsource(numpy_net.backward))

# %% [markdown]
# softmax 接分类交叉熵，对输出层输入（logits）的导数恰好是"预测概率减去独热标签"，这是整段代码的起点。
# 手写的导数容易出错，所以要核对：在 float64 下，先和中心差分比（每个参数随机抽 10 个元素），
# 再和 Keras 当前后端的自动微分(automatic differentiation)比——TensorFlow 的 `GradientTape`、JAX 的 `jax.grad` 或 PyTorch 的 `autograd`，它们根据记录下来的运算自动应用链式法则。

# %%
check_rng = np.random.default_rng(args.seed)
params64 = numpy_net.init_params(seed=args.seed, dtype=np.float64)
x_small, y_small = check_rng.random((8, 784)), check_rng.integers(0, 10, 8)
_, grads = numpy_net.loss_and_gradients(params64, x_small, y_small)
small_loss = partial(numpy_net.loss, params64, x_small, y_small)
for name in numpy_net.PARAM_NAMES:
    picks = [tuple(check_rng.integers(0, s) for s in params64[name].shape) for _ in range(10)]
    numeric = [descent.central_difference(small_loss, params64[name], i) for i in picks]
    ours = [grads[name][i] for i in picks]
    print(f"{name}: 与有限差分的相对误差 {descent.relative_error(ours, numeric):.1e}")

_, auto_grads = numpy_net.autodiff_loss_and_gradients(params64, x_small, y_small)
worst = max(descent.relative_error(grads[k], auto_grads[k]) for k in grads)
print(f"与 {keras.backend.backend()} 自动微分的最大相对误差: {worst:.1e}")

# %% [markdown]
# 两种核对的相对误差都远小于 1e-6：手写的反向传播是对的。和自动微分的差距只在 float64 舍入误差的量级，因为两边做的是同样的乘法，只是顺序略有不同。
#
# ## 4.9 在真实 MNIST 上训练从零写的网络，并与 Keras 对比
#
# 数据预处理和第 1 章相同。从零写的网络用 float32、小批量 RMSprop（学习率 0.001，批大小 128），权重初始化模仿 Keras 的 `Dense`（glorot_uniform 权重，零偏置），每轮打乱训练集。

# %%
from keras_tutorial.data import load_mnist

(train_images, train_labels), (test_images, test_labels) = load_mnist()
if args.quick:
    train_images, train_labels = train_images[:2000], train_labels[:2000]
    test_images, test_labels = test_images[:1000], test_labels[:1000]
x_train = train_images.reshape((len(train_images), 28 * 28)).astype("float32") / 255
x_test = test_images.reshape((len(test_images), 28 * 28)).astype("float32") / 255

fit_args = {"epochs": args.epochs, "batch_size": args.batch_size}  # the same for Keras below
params, history = numpy_net.train(x_train, train_labels, **fit_args, seed=args.seed, verbose=True)
np_epochs = np.array(history["seconds"])
np_acc = numpy_net.evaluate(params, x_test, test_labels)
print(f"NumPy 网络: 训练 {np_epochs.sum():.1f} s, 测试准确率 test_acc = {np_acc:.4f}")
if not args.quick:
    print("测试准确率 ≥ 0.97:", np_acc >= 0.97)

# %% [markdown]
# 在同一次运行里，完全照第 1 章训练 Keras 模型：同样的网络、轮数和批大小，也用 1.5 节的 `compile_options(steps)` 编译，让一次后端调用跑完一整轮。
# 每轮只打印一行（`verbose=2`），回调记下每轮结束的时刻，最后把两边的用时和准确率并排列出（第 1 轮单独列，它包含编译等一次性开销）：

# %%
from keras_tutorial.models import chapter1_model
from keras_tutorial.tuning import compile_options, steps_per_epoch

steps = steps_per_epoch(len(x_train), args.batch_size)
model = chapter1_model(steps)  # the Sequential model and compile() call of chapter 1, 1.4–1.5
print("每轮批量数 steps per epoch:", steps, " 额外的编译参数:", compile_options(steps))
stamps = []  # time at the end of each epoch
timer = keras.callbacks.LambdaCallback(on_epoch_end=lambda *_: stamps.append(time.perf_counter()))
y_train = keras.utils.to_categorical(train_labels, num_classes=10)
tic = time.perf_counter()
model.fit(x_train, y_train, **fit_args, verbose=2, callbacks=[timer])
keras_epochs = np.diff([tic, *stamps])
_, keras_acc = model.evaluate(x_test, keras.utils.to_categorical(test_labels, 10), verbose=0)
descent.print_comparison({"NumPy": (np_epochs, np_acc), "Keras": (keras_epochs, keras_acc)}, steps)

# %% [markdown]
# 上表是这台机器、这次运行的实测（`--quick` 数据太少，只说明流程能跑通）。两个网络的结构、优化器、批大小都一样，准确率应该相近，差别来自随机初始化和打乱顺序。
# 从零实现的每一批花在哪里？下面给前向、反向、RMSprop 更新，以及其中最重的两次矩阵乘法（前向的 $x W_1$ 和反向求 $W_1$ 梯度的 $x^\top \delta$）分别计时：

# %%
parts = descent.time_numpy_step(params, x_train[: args.batch_size], train_labels[: args.batch_size])
for name, seconds in parts.items():
    print(f"{seconds * 1e3:7.2f} ms/批  {name}")

# %% [markdown]
# 为什么是这个结果？总用时大致是"第 1 轮的一次性开销 + 每批用时 × 批数"，两边各有长短：
#
# - **Keras** 和第 1 章一样，用 `compile_options(steps)` 把 `steps_per_execution` 设成每轮的批数，一次后端调用跑完一整轮：每批的调度、回调、指标这些框架开销每轮只付一次，整轮计算编译成一张计算图(computation graph)，逐元素运算还能合并。
#   代价是第 1 轮要先编译这个循环，表中 Keras 第 1 轮比其余各轮多出的时间主要就是它。（PyTorch 后端不支持这个设置，`compile_options` 返回空字典，仍是每批调用一次。）
# - **NumPy** 不用编译，但每批都回到 Python：前向、反向、更新各是一串独立的 NumPy 调用，中间结果每次都完整写回内存。上面的拆分显示两次大矩阵乘法是大头，RMSprop 更新也不便宜（40 万个参数要读写好几遍）。
#
# 两边做的是同样的矩阵乘法：NumPy 交给 OpenBLAS 库，TensorFlow 交给它自己的 CPU 内核（JAX 交给 XLA）。框架开销去掉以后，"每批用时"一行主要取决于这些内核在这台 CPU 上的效率，所以哪边快随机器而变，以上面打印的结论为准；CPU 被别的进程占用时用时还会成倍变化，最好多跑几次。
# 换成 GPU 或更大的模型，矩阵运算占绝对主导，Keras 能用 GPU 而 NumPy 只能用 CPU，Keras 通常会远远领先。何况 Keras 的价值不只在速度：任何结构的模型都不用手写反向传播，梯度由自动微分给出。
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
# | `**compile_options(steps)` | 不改变学到什么，只让一次后端调用跑完一整轮（4.9 节） |
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
# - 只用 NumPy 也能把第 1 章的网络训练到和 Keras 相当的准确率（见 4.9 节的表）；Keras 一次后端调用跑完一整轮，省掉每批的框架开销，代价是第 1 轮的编译。

# %% [markdown]
# ## 练习
#
# 1. 在 4.3 节试学习率 0.5 和 0.95：路径有什么不同？为什么 $f(w)=w^2$ 上学习率超过 1 就会发散？
# 2. 在 4.5 节把学习率改成 0.05，批大小为 1 的曲线会怎样？
# 3. 把 4.6 节的动量改成 0.5，或把起点改成 1.5，还能冲过局部最小值吗？
# 4. 在 4.7 节把 RMSprop 的学习率改小到 0.05，30 步后到哪里了？
# 5. 用 `KERAS_BACKEND=jax` 或 `torch` 再运行本章，4.8 节的自动微分核对和 4.9 节的速度对比有什么变化？
