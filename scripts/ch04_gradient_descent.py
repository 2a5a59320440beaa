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
# # 第 4 章 梯度下降：神经网络怎样一步步变好
#
# - **本章做什么**：第 1 章的 `model.fit` 在背后反复做一件事：算出损失对每个权重的梯度，再让权重沿梯度的反方向挪一小步。本章把这件事拆开写成能运行的代码：训练循环的五步、导数和梯度、梯度下降、小批量随机梯度下降、动量和 RMSprop。梯度怎样从网络里算出来（反向传播），以及只用 NumPy 从零写出第 1 章的网络，是第 5 章的内容。
# - **怎么运行**：在 Jupyter 里从上到下执行；或者在终端里运行 `python scripts/ch04_gradient_descent.py`（不用 MNIST，只训练几个很小的例子），加 `--quick` 让 4.5 节的实验少跑几轮。

# %%
from keras_tutorial.settings import start_chapter

args = start_chapter("第 4 章：梯度下降 / Chapter 4: gradient descent")

import math
import timeit

import keras
import numpy as np

from keras_tutorial import plotting
from keras_tutorial.ch01 import build_model

print(f"quick={args.quick}  seed={args.seed}  out={args.out}")

# %% [markdown]
# ## 4.1 训练循环：五步
#
# 第 1 章网络的权重是可训练参数(trainable parameter)：训练前随机初始化(random initialization)成小的随机数，训练就是一点点调整它们，让损失变小。`fit` 对每一批数据重复五步，这就是训练循环(training loop)：
# 1. 从训练集里取一批样本；
# 2. 前向计算(forward pass)：把这批样本送进网络，得到预测；
# 3. 用损失函数算出预测和标签差多远；
# 4. 算出损失对每个权重的梯度（本章的主题）；
# 5. 更新：每个权重朝让损失变小的方向挪一小步。
#
# 第 4 步最难：每个权重该往哪边挪？最笨的办法是逐个试探：把一个权重加一点点、再减一点点，各做一次前向计算，看损失怎么变。下面先看第 1 章的模型刚建好时的权重（Keras 把一层的权重矩阵叫 `kernel`，本章记作 $W$），按第 1 章 `fit` 的设置算它做了多少次第 5 步，再量一量逐个试探要多久（先调用一次不计时，再用 `timeit` 取 20 次的平均）：

# %%
model = build_model()
for weight in model.trainable_weights:
    first = keras.ops.convert_to_numpy(weight).ravel()[:3].round(4)
    print(f"{weight.path:<26} 形状 {str(tuple(weight.shape)):<11} 前 3 个值 {first}")
n_weights = model.count_params()
print(f"可训练参数一共 {n_weights:,} 个")
n_images, validation_split, batch_size, epochs = 60000, 0.1, 128, 5  # 第 1 章的设置
n_fit = round(n_images * (1 - validation_split))  # 验证集的图片不参与更新
batches = math.ceil(n_fit / batch_size)  # 最后一批不满 128 张也算一批
print(f"每轮 {n_fit} 张 ÷ {batch_size} → {batches} 批；{epochs} 轮共更新 {epochs * batches} 次")
x_batch = np.random.default_rng(args.seed).random((128, 784), dtype="float32")
model(x_batch)  # 第一次调用有一次性的准备工作，不计时
per_forward = timeit.timeit(lambda: model(x_batch), number=20) / 20
nudges = 2 * n_weights  # 每个权重两次前向计算
print(f"一次前向计算（128 张图）{per_forward * 1e3:.2f} ms")
print(f"逐个试探：每次更新 {nudges:,} 次前向计算，约 {nudges * per_forward / 60:.0f} 分钟")
print(f"{epochs * batches} 次更新约 {epochs * batches * nudges * per_forward / 86400:.0f} 天")

# %% [markdown]
# 刚建好的权重矩阵是随机的小数，偏置全是 0；按最后一行的天数，逐个试探行不通。梯度(gradient)一次给出所有权重该挪的方向和幅度，反向传播(backpropagation)一次前向、一次反向就算出全部梯度（第 5 章）。为什么不像中学那样令导数为 0、在纸上解出最低点？那要解 40 万个未知数的方程组，relu 和 softmax 又让它是非线性的，没有公式解，只能从随机的起点一步步往下走。
#
# 本章的图只画一维或二维的损失，帮助理解每一步在做什么；但第 1 章的损失有 40 万个维度，一两维里看到的"坑"和"坡"搬过去未必还是那样，后面关于局部最小值的图尤其不能直接推广到真实网络。
#
# ## 4.2 导数：函数在一点附近的斜率
#
# 函数 $f(x)$ 在 $x_0$ 处的导数(derivative) $f'(x_0)$ 是曲线在这一点的切线斜率。"加一点点"就是在估计它：取很小的步长 $h$，算 $\frac{f(x_0+h)-f(x_0)}{h}$（前向差分(forward difference)）或更准的 $\frac{f(x_0+h)-f(x_0-h)}{2h}$（中心差分(central difference)），这种做法叫有限差分(finite difference)。下面用 $f(x)=x^3-3x$（精确导数 $3x^2-3$）比较两者。
#
# 导数还可以这样看：在 $x_0$ 附近，$f(x_0+h) \approx f(x_0) + f'(x_0)\,h$，曲线近似成它的切线，这叫线性近似(linear approximation)。它告诉我们往哪边走损失会降：这里 $f'(1.5)=3.75>0$，往左走（$h<0$）应当下降 $3.75\,|h|$。但近似只在 $x_0$ 附近可信，下面还比一比不同步长下切线的预测和实际的变化。


# %%
def f(x):
    return x**3 - 3 * x


x0, exact = 1.5, 3 * 1.5**2 - 3  # 精确导数 3x² − 3
steps_h = 10.0 ** -np.arange(1, 13)
forward_err = np.abs((f(x0 + steps_h) - f(x0)) / steps_h - exact)
central_err = np.abs((f(x0 + steps_h) - f(x0 - steps_h)) / (2 * steps_h) - exact)
best_forward, best_central = steps_h[forward_err.argmin()], steps_h[central_err.argmin()]
print(f"f'({x0}) = {exact}，误差最小的 h：前向差分 {best_forward:.0e}，中心差分 {best_central:.0e}")
fig = plotting.plot_derivative(f, x0, exact, steps_h, forward_err, central_err, "f(x) = x³ − 3x")
plotting.finish(fig, args.out, "ch04_derivative.png")
for h in (-0.01, -0.1, -1.0, -2.0):
    print(f"h = {h:+}：切线预测的变化 {exact * h:+.4f}，实际的变化 {f(x0 + h) - f(x0):+.4f}")

# %% [markdown]
# 右图里误差先随 $h$ 减小而减小，过了打印出的最佳 $h$ 又变大：$h$ 太大时割线不像切线，$h$ 太小时两个几乎相等的浮点数相减，舍入误差被放大。中心差分在较大的 $h$ 上就很准，后面检查梯度都用它。
#
# 步长 0.01 时预测和实际几乎一样，0.1 时已有些偏差；步长 1 时实际的下降远小于预测；步长 2 时函数值反而上升。导数只描述附近的情况，所以下降的每一步都要小。
#
# ## 4.3 梯度与一维梯度下降
#
# 函数有多个输入时，对每个输入分别求导得到偏导数(partial derivative)，排成一个向量就是梯度，它指向函数上升最快的方向。要让损失变小，就朝梯度的**反方向**走一小步：$w \leftarrow w - \eta \cdot \nabla f(w)$，这就是梯度下降(gradient descent)，步长 $\eta$ 叫学习率(learning rate)。先在一维的 $f(w)=w^2$ 上试三种学习率，循环里那一行就是整个算法：

# %%
panels = {}
for lr, verdict in ((0.05, "太小"), (0.3, "合适"), (1.05, "太大")):
    w, path = 4.0, [4.0]
    for _ in range(12):
        w = w - lr * 2 * w  # f(w) = w² 的导数是 2w
        path.append(w)
    print(f"学习率 {lr}：12 步后 w = {w:+.3f}，f(w) = {w**2:.3f}")
    panels[f"学习率 {lr}：{verdict}"] = {f"学习率 {lr}": np.array(path)}
plotting.finish(plotting.plot_curve_paths(np.square, panels), args.out, "ch04_gd_1d.png")

# %% [markdown]
# 学习率太小，12 步后离最低点还很远；合适时几步就到；太大时每一步都越过最低点，落点比出发点还高，越跳越远，这叫发散(diverge)：学习率 1.05 那一行的 $|w|$ 已经比起点 4 大。
#
# ## 4.4 二维梯度下降：等高线图上的路径
#
# 把更新规则写成函数。`gd_step` 做一步梯度下降；`descend` 从起点出发反复调用它，记下路径。这里每一步都用精确的梯度，相当于每次都看了"全部数据"，所以它是全批量梯度下降(full-batch gradient descent)，还不是 4.5 节的随机梯度下降。后面的动量和 RMSprop 要记住一个"状态"（速度、梯度平方的平均），所以每个更新规则都接收并返回状态，普通梯度下降原样传回。单元格第一行的 `# @save` 表示它会被原样复制进 `keras_tutorial/ch04.py`，供第 5 章、练习答案和测试使用（改了这里要运行 `make lib`）。然后在两个参数的 $f(w_1, w_2) = \frac{1}{2}(w_1^2 + 10\,w_2^2)$ 上试三种学习率，它的梯度是 $(w_1, 10\,w_2)$。

# %%
# @save
import numpy as np


def gd_step(w, g, state, learning_rate):
    """梯度下降的一步：w ← w − η·g。没有要记住的状态，state 原样返回。"""
    return w - learning_rate * g, state


def descend(step, grad, start, steps, dtype="float64", **hyperparameters):
    """从 start 出发，用更新规则 step 走 steps 步；返回途经的每个位置（含起点）。"""
    w = np.atleast_1d(np.array(start, dtype=dtype))
    state = np.zeros_like(w)  # 动量的速度、RMSprop 的平均都从 0 开始
    path = [w]
    for _ in range(steps):
        w, state = step(w, grad(w), state, **hyperparameters)
        path.append(w)
    return np.array(path)


# %%
def bowl(w):
    return 0.5 * (w[..., 0] ** 2 + 10 * w[..., 1] ** 2)


def bowl_grad(w):
    return np.array([w[0], 10 * w[1]])


start, panels = (-4.5, 2.0), {}
for lr in (0.02, 0.15, 0.205):
    path = descend(gd_step, bowl_grad, start, 30, learning_rate=lr)
    print(f"学习率 {lr}：30 步后 f = {bowl(path[-1]):.4g}")
    panels[f"梯度下降，学习率 {lr}"] = {f"学习率 {lr}": path}
plotting.finish(plotting.plot_contour_paths(bowl, panels), args.out, "ch04_gd_2d.png")

# %% [markdown]
# 这个"碗"像一道沟壑(ravine)：沿着沟的方向（$w_1$，图的横轴）平缓，横穿沟的方向（$w_2$，纵轴）陡 10 倍。学习率小，路径平稳但走不远；大一些，路径横穿沟底来回折返，但仍能收敛；超过某个值，横穿的幅度每步都放大，路径发散（练习 2 求这个值）。能用多大的学习率由最陡的方向决定，沿沟方向因此走得很慢，动量和 RMSprop 要解决的正是这个问题。
#
# ## 4.5 随机梯度下降：每次用多少样本算梯度？
#
# 真正的损失是全部训练样本损失的平均，精确的梯度要过一遍全部数据。实际做法是每次随机取一小批样本估计梯度就更新，这叫随机梯度下降(stochastic gradient descent, SGD)；一批有多个样本时也叫小批量(mini-batch) SGD。下面在一个小的线性回归(linear regression)问题 $y \approx Xw$ 上写出它：每轮先打乱样本顺序，再按顺序切出一批批数据，用这一批的平均损失（均方误差）的梯度 $\frac{2}{b}X_b^\top(X_b w - y_b)$ 更新 $w$（$b$ 是这一批的样本数）。每轮记下的损失和 Keras 每轮打印的一样算：各批损失按样本数加权的平均。然后比较每次用 1 个样本、32 个（小批量）和全部 2000 个（全批量梯度下降），学习率相同、轮数相同。


# %%
# @save
import time


def minibatch_sgd(x, y, batch_size, learning_rate, epochs, seed=0):
    """线性回归 y ≈ x·w 上的小批量 SGD，从 w = 0 出发。
    每轮返回一行：(累计更新次数, 累计用时（秒）, 这一轮的平均损失)。"""
    rng = np.random.default_rng(seed)
    w = np.zeros(x.shape[1])
    updates, seconds, rows = 0, 0.0, []
    for _ in range(epochs):
        tic = time.perf_counter()
        order = rng.permutation(len(x))  # 每轮重新打乱样本顺序
        loss_sum = 0.0
        for begin in range(0, len(x), batch_size):
            batch = order[begin : begin + batch_size]  # 切出一批
            xb, yb = x[batch], y[batch]
            error = xb @ w - yb
            loss_sum += np.sum(error**2)  # 按样本累加，一轮结束再除以样本数
            grad = 2 * xb.T @ error / len(batch)  # 这一批平均损失的梯度
            w = w - learning_rate * grad  # 更新
            updates += 1
        seconds += time.perf_counter() - tic
        rows.append((updates, seconds, loss_sum / len(x)))
    return np.array(rows)


# %%
rng = np.random.default_rng(args.seed)
x_lin = rng.normal(size=(2000, 20))
y_lin = x_lin @ rng.normal(size=20) + 0.5 * rng.normal(size=2000)
best_w = np.linalg.lstsq(x_lin, y_lin, rcond=None)[0]
print(f"噪声决定的最小损失约为 {np.mean((x_lin @ best_w - y_lin) ** 2):.3f}")
learning_rate, lin_epochs = 0.02, (5 if args.quick else 20)
records = {}
for size, name in ((1, "批量大小 1"), (32, "小批量 32"), (2000, "全批量 2000")):
    records[name] = minibatch_sgd(x_lin, y_lin, size, learning_rate, lin_epochs, seed=args.seed)
    updates, seconds, last = records[name][-1]
    print(f"{name}：{updates:.0f} 次更新，用时 {seconds:.3f} 秒，最后一轮的平均损失 {last:.3f}")
plotting.finish(plotting.plot_loss_records(records), args.out, "ch04_sgd_batches.png")

# %% [markdown]
# 左图按更新次数看：全批量每一步最准，但每轮只更新一次，最后的损失仍然远高于最小损失；批量大小为 1 时更新次数最多，但单个样本的梯度噪声很大，最后一轮的损失仍明显高于最小损失。右图按时间看：批量大小为 1 时 Python 要循环上万次，每次只做很少的计算；在这次实验里（这个问题、学习率 0.02），小批量最快到达低损失，因为它更新次数够多，每次更新又能用上向量化的矩阵运算。这只是一个实验、一个学习率，换一个学习率排序可能变（练习 5）；第 1 章的 128 是常用的批量大小之一，并不是这个实验选出来的。
#
# ## 4.6 动量：带着速度前进
#
# 动量(momentum)给参数加上"速度" $v$：它累积过去的梯度，$\mu$（常取 0.9）决定保留多少。这也是 `keras.optimizers.SGD(momentum=0.9)` 的规则（`nesterov=False`；Keras 把梯度下降这一族都叫 `SGD`，因为它们通常用在小批量上）：
# $$v \leftarrow \mu\, v - \eta\, \nabla f(w), \qquad w \leftarrow w + v$$
# 动量的主要作用要到 4.7 节的碗上才看得清。先看一个常被提到的现象：损失曲线可能有多个"坑"，只比附近都低的坑叫局部最小值(local minimum)，最低的那个叫全局最小值(global minimum)。下面先把规则写成 `momentum_step`，再在一条有两个坑的曲线上，从同一点出发比较有无动量。


# %%
# @save
def momentum_step(w, g, v, learning_rate, momentum=0.9):
    """动量：v ← μ·v − η·g，w ← w + v。v 是速度，返回新的 w 和 v。"""
    v = momentum * v - learning_rate * g
    return w + v, v


# %%
def wells(w):
    return w**4 - 2 * w**2 + 0.5 * w


def wells_grad(w):
    return 4 * w**3 - 4 * w + 0.5


paths = {
    "梯度下降 学习率 0.01": descend(gd_step, wells_grad, 1.8, 200, learning_rate=0.01),
    "动量 学习率 0.01, μ=0.9": descend(momentum_step, wells_grad, 1.8, 200, learning_rate=0.01),
}
for label, path in paths.items():
    print(f"{label}：200 步后 w = {path[-1, 0]:+.3f}，损失 {wells(path[-1, 0]):+.3f}")
fig = plotting.plot_curve_paths(wells, {"有局部最小值的损失曲线": paths}, (-1.8, 2.0), True)
plotting.finish(fig, args.out, "ch04_momentum.png")

# %% [markdown]
# 这一次，普通梯度下降停在右边的局部最小值；带动量的版本下坡时攒下的速度越过了中间的小坡，停在左边更低的坑里。能不能越过取决于起点、学习率和 $\mu$，换一个起点结果可能相反（练习 6）；而且一维曲线上的现象未必能搬到 40 万维（4.1 节），这不能说明动量总能找到更低的坑。
#
# ## 4.7 RMSprop：每个参数有自己的步长
#
# RMSprop 为每个参数记住梯度平方的滑动平均(moving average) $s$，用它的平方根去除梯度：梯度大的方向步子自动变小，梯度小的方向自动变大。Keras 的默认设置是 $\rho=0.9$、$\epsilon=10^{-7}$，$\epsilon$ 加在根号**里面**；第 1 章 `optimizer="rmsprop"` 用的就是它（学习率 0.001）：
# $$s \leftarrow \rho\, s + (1-\rho)\, g^2, \qquad w \leftarrow w - \frac{\eta\, g}{\sqrt{s+\epsilon}}$$
# 然后在 4.4 节的沟壑上比较，都走 30 步。梯度一直不变时，动量的速度最终稳定在 $\eta/(1-\mu)$ 倍梯度，这是它的等效步长；为了公平，再加一行用这个等效步长做学习率的梯度下降。除了最终损失，还数一数 $w_2$ 改变符号（横穿沟底）几次、第 10 步以后横向摆动的最大幅度 $|w_2|$，以及沿沟方向还剩多远（$|w_1|$）。


# %%
# @save
def rmsprop_step(w, g, s, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    """RMSprop：s ← ρ·s + (1−ρ)·g²，w ← w − η·g / √(s+ε)。返回新的 w 和 s。"""
    s = rho * s + (1 - rho) * g**2
    return w - learning_rate * g / np.sqrt(s + epsilon), s


# %%
mu = 0.7
effective = 0.05 / (1 - mu)
print(f"动量（学习率 0.05，μ = {mu}）的等效步长 η/(1−μ) = {effective:.3f}")
contenders = {
    "梯度下降 学习率 0.05": (gd_step, {"learning_rate": 0.05}),
    f"梯度下降 学习率 {effective:.3f}": (gd_step, {"learning_rate": effective}),
    "动量 学习率 0.05, μ=0.7": (momentum_step, {"learning_rate": 0.05, "momentum": mu}),
    "RMSprop 学习率 0.3": (rmsprop_step, {"learning_rate": 0.3}),
}
runs = {name: descend(rule, bowl_grad, start, 30, **hp) for name, (rule, hp) in contenders.items()}
for name, p in runs.items():
    flips = np.count_nonzero(np.diff(np.sign(p[:, 1])))  # w2 变号的次数
    swing = np.abs(p[10:, 1]).max()
    print(
        f"{name}：f = {bowl(p[-1]):.1e}，横穿沟底 {flips} 次，第 10 步后 |w2| 最大 {swing:.1e}，|w1| = {abs(p[-1, 0]):.3f}"
    )
fig = plotting.plot_contour_paths(bowl, {"同一道沟壑上的梯度下降、动量和 RMSprop": runs})
plotting.finish(fig, args.out, "ch04_optimizers_2d.png")

# %% [markdown]
# 先比等效步长相近的两行：梯度下降每一步都横穿沟底，动量只横穿几次：一正一负的横向梯度在速度里互相抵消，来回折返变成了较慢的摆动。但它摆得更远（第 10 步后的 $|w_2|$ 更大），这点摆动到第 30 步还没停。动量赢在沿沟方向：那里的梯度一直同号，在速度里不断累加，所以它的 $|w_1|$ 更小、最终损失更低。学习率同为 0.05 的梯度下降根本没有横穿沟底，和它比看不出抑制振荡(oscillation)，只看得出沿沟方向慢得多。RMSprop 头几步按梯度的大小重新调整步长，横向一开始就单调滑向沟底，沿沟方向也迈得开，最终损失最低；它打印出的变号都发生在 $w_2$ 已经接近 0 之后，第 10 步后的横向摆动比其余几行都小。哪个最好取决于问题和学习率，这些数只说明这道沟壑上的情况。

# %% [markdown]
# ## 小结
#
# - 训练循环反复做五步：取一批、前向计算、损失、梯度、更新；权重从随机值开始，逐个试探每个权重太慢，梯度一次给出所有权重该挪的方向。
# - 导数是函数在一点附近的线性近似，只在附近可信，所以每一步要小；学习率太小走不动、太大会发散，能用多大由最陡的方向决定。中心差分比前向差分准。
# - 梯度下降每步用全部数据的精确梯度；随机梯度下降(SGD)每步只用随机的一小批，更新更勤、更便宜但有噪声。批量大小、动量和起点的效果都要看问题和学习率，本章的实验只说明这几次运行：在那道沟壑上，动量把横穿沟底的来回折返变成较慢的摆动、加快沿沟方向的前进；RMSprop 按梯度大小给每个参数调整步长。
# - 本章的梯度都是手算的公式。第 5 章用链式法则算出整个网络的梯度（反向传播），再用本章的 `rmsprop_step` 只用 NumPy 训练第 1 章的网络。

# %% [markdown]
# ## 练习
#
# 在每道题下面的单元格里写答案并运行，`check` 会告诉你对不对；实验题没有自动检查，填好单元格再运行才开始实验。参考答案在 `notebooks/ch04_answers.ipynb`，先自己做再看。

# %%
from keras_tutorial.exercises import check

# %% [markdown]
# ### 练习 1
#
# 在 4.3 节的 $f(w)=w^2$ 上，每一步 $w \leftarrow w - \eta \cdot 2w = (1-2\eta)\,w$。学习率 $\eta$ 小于多少时，梯度下降从任何起点都收敛到 0？写出这个上界（$\eta$ 等于它时不收敛）。

# %%
answer_1 = None  # 一个数
check("ch04.1", answer_1)

# %% [markdown]
# ### 练习 2
#
# 同样的推理用到 4.4 节的碗上：每一步 $w_1$ 乘以 $(1-\eta)$，$w_2$ 乘以 $(1-10\eta)$。学习率小于多少时两个方向都收敛？用 `descend` 在这个值两侧各试一个学习率来验证。

# %%
answer_2 = None  # 一个数
check("ch04.2", answer_2)

# %% [markdown]
# ### 练习 3
#
# 照 4.1 节的算法：第 1 章改用 `batch_size=256`（仍是 60000 张图、`validation_split=0.1`、5 轮），一共更新多少次权重？

# %%
answer_3 = None  # 一个整数
check("ch04.3", answer_3)

# %% [markdown]
# ### 练习 4
#
# AdaGrad 是 RMSprop 的前身：$s$ 不是滑动平均，而是把梯度平方一直累加下去，$s \leftarrow s + g^2$，$w \leftarrow w - \frac{\eta\, g}{\sqrt{s+\epsilon}}$。照 `rmsprop_step` 的样子写出 `adagrad_step`：返回一个元组 `(新的 w, 新的 s)`，不要原地修改传入的数组（写 `s = s + ...`，不写 `s += ...`），因为 `descend` 要保留走过的每个位置。


# %%
def adagrad_step(w, g, s, learning_rate=0.1, epsilon=1e-7): ...  # 返回 (新的 w, 新的 s)


check("ch04.4", adagrad_step)

# %% [markdown]
# ### 练习 5
#
# 实验，改的是 4.5 节的两个单元格（做完改回去）：
# 1. 在实验单元格里把 `learning_rate, lin_epochs = 0.02, ...` 的 0.02 改成 0.005，运行，再改成 0.05 运行。三种批量大小谁最先到达低损失？排序和 0.02 时一样吗？
# 2. 学习率改回 0.02，在 `minibatch_sgd` 里把梯度那一行的 `/ len(batch)` 删掉（梯度变成一批损失之**和**的梯度），重新运行这两个单元格。哪种批量大小受影响最大，为什么？

# %%
# 这道题在 4.5 节的单元格里做；把你看到的排序和解释记在这里。

# %% [markdown]
# ### 练习 6
#
# 实验：在 4.6 节的曲线上换几个起点（比如 1.5、1.2），或把 $\mu$ 改成 0.5，带动量的版本还能越过中间的小坡吗？

# %%
starts = []  # 填几个起点，如 [1.5, 1.2]；也可以改下面的 momentum
for w0 in starts:
    path = descend(momentum_step, wells_grad, w0, 200, learning_rate=0.01, momentum=0.9)
    print(f"起点 {w0}：200 步后 w = {path[-1, 0]:+.3f}")
