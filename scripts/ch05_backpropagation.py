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
# # 第 5 章 反向传播：从零写出第一个网络
#
# - **本章做什么**：第 4 章让权重沿梯度的反方向一步步挪，用的梯度都是对着公式手算的。一个网络有几十万个权重，它们的梯度要靠反向传播(backpropagation)算出来。本章先讲链式法则，再只用 NumPy 从零写出第 1 章的网络：初始化、前向计算、损失和反向传播（推导出 softmax 接交叉熵的梯度 $p-y$），用中心差分和当前后端的自动微分核对梯度，看清计算图与反向模式自动微分；然后在真实 MNIST 上训练它，并和 Keras 比较；最后逐行回顾第 1 章。
# - **用到第 4 章的什么**：训练循环的五步（4.1 节）、导数和中心差分（4.2 节）、梯度与梯度下降（4.3 节）、每轮打乱再切成一批批的循环（4.5 节），以及 RMSprop（4.7 节）：它的 `rmsprop_step` 从 `keras_tutorial.ch04` 导入，那个模块由第 4 章标记 `# @save` 的单元格生成。
# - **怎么运行**：在 Jupyter 里从上到下执行；或者在终端里运行 `python scripts/ch05_backpropagation.py`（完整运行：两个网络各在 MNIST 上训练 5 轮），加 `--quick` 只用一小部分数据，不到一分钟。

# %%
from keras_tutorial.settings import start_chapter

args = start_chapter("第 5 章：反向传播 / Chapter 5: backpropagation", epochs=5)

import keras
import numpy as np

from keras_tutorial import plotting
from keras_tutorial.ch01 import build_model
from keras_tutorial.data import load_mnist

print(f"epochs={args.epochs}  batch_size={args.batch_size}  quick={args.quick}  out={args.out}")

# %% [markdown]
# ## 5.1 链式法则
#
# 神经网络是一串函数的复合。链式法则(chain rule)说：复合函数的导数等于每一环导数的乘积。看一个只有一个神经元(neuron)的例子：$z = wx + b$，$a = \mathrm{relu}(z)$，损失 $L=(a-t)^2$（下面取 $w=1.5$，$x=2$，$b=-1$，$t=3$），则 $\frac{\partial L}{\partial w} = \frac{\partial L}{\partial a}\cdot\frac{\partial a}{\partial z}\cdot\frac{\partial z}{\partial w} = 2(a-t)\cdot[z>0]\cdot x$。

# %%
z = 1.5 * 2.0 - 1.0  # z = wx + b
factors = (2 * (max(z, 0.0) - 3.0), float(z > 0), 2.0)  # dL/da, da/dz, dz/dw = x
print(f"链式法则：dL/dw = {' × '.join(map(str, factors))} = {np.prod(factors)}")
up, down = ((max(w * 2.0 - 1.0, 0.0) - 3.0) ** 2 for w in (1.5 + 1e-6, 1.5 - 1e-6))  # L(w ± h)
print(f"中心差分：dL/dw ≈ {(up - down) / 2e-6:.6f}")

# %% [markdown]
# ## 5.2 从零写第 1 章的网络：前向计算、损失和反向传播
#
# 第 1 章的网络是 Dense 512 relu → Dense 10 softmax。参数是 $W_1$ (784×512)、$b_1$、$W_2$ (512×10)、$b_2$，随机初始化的方法和 Keras 的 `Dense` 一样。前向计算：$h = \mathrm{relu}(xW_1+b_1)$，输出层的原始分数(logits) $= hW_2+b_2$，softmax 把每行原始分数变成 10 个概率，损失是分类交叉熵：正确类别概率的 $-\log$ 的平均。


# %%
# @save
import numpy as np


def init_params(input_dim=784, hidden=512, classes=10, seed=0, dtype="float32"):
    """随机初始化，和 Keras 的 Dense 一样：权重取 glorot_uniform，偏置取 0。"""
    rng = np.random.default_rng(seed)
    # glorot_uniform：在 ±√(6 / (输入数 + 输出数)) 之间均匀抽取
    limit1 = np.sqrt(6 / (input_dim + hidden))
    limit2 = np.sqrt(6 / (hidden + classes))
    W1 = rng.uniform(-limit1, limit1, size=(input_dim, hidden)).astype(dtype)
    W2 = rng.uniform(-limit2, limit2, size=(hidden, classes)).astype(dtype)
    return {"W1": W1, "b1": np.zeros(hidden, dtype), "W2": W2, "b2": np.zeros(classes, dtype)}


def forward(params, x):
    """前向计算：h = relu(x W1 + b1)，logits = h W2 + b2。h 留给反向传播用。"""
    h = np.maximum(0, x @ params["W1"] + params["b1"])
    return h @ params["W2"] + params["b2"], h


def softmax(logits):
    """把每行原始分数变成概率。先减去行最大值，exp 不会溢出，结果不变。"""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(probs, labels):
    """分类交叉熵：每个样本正确类别概率的 −log，对一批取平均。"""
    return -np.mean(np.log(probs[np.arange(len(labels)), labels]))


def loss(params, x, labels):
    """网络在 (x, labels) 上的损失：前向计算 → softmax → 交叉熵。"""
    logits, _ = forward(params, x)
    return cross_entropy(softmax(logits), labels)


# %% [markdown]
# 反向传播就是把链式法则用在整个网络上：从损失出发往回走，每经过一层就乘上这一层的导数，一次得到所有参数的梯度。起点是损失对原始分数 $z$ 的导数。看一个样本，正确类别是 $c$，$p_k = e^{z_k} / \sum_j e^{z_j}$，于是 $L = -\log p_c = -z_c + \log \sum_j e^{z_j}$。对 $z_k$ 求导：第一项给出 $-[k=c]$；第二项按链式法则是 $\frac{1}{\sum_j e^{z_j}} \cdot e^{z_k} = p_k$。合起来 $\frac{\partial L}{\partial z_k} = p_k - y_k$，$y$ 是独热标签：预测概率减去独热标签。一批 $n$ 个样本的损失是平均值，所以再除以 $n$。


# %%
# @save
def backward(params, x, h, probs, labels):
    """反向传播：从损失往回逐层用链式法则，得到四个参数的梯度。"""
    one_hot = np.eye(probs.shape[1], dtype=probs.dtype)[labels]
    d_logits = (probs - one_hot) / len(labels)  # ∂L/∂logits = (p − y) / n
    d_W2 = h.T @ d_logits  # logits = h W2 + b2
    d_b2 = d_logits.sum(axis=0)
    d_h = d_logits @ params["W2"].T
    d_z = d_h * (h > 0)  # h = relu(z)：z > 0 处梯度照常通过，其余为 0
    d_W1 = x.T @ d_z  # z = x W1 + b1
    d_b1 = d_z.sum(axis=0)
    return {"W1": d_W1, "b1": d_b1, "W2": d_W2, "b2": d_b2}


# %% [markdown]
# 手写的导数容易出错，所以要核对。在 float64 下取 8 张随机"图片"，算出四个梯度，再在每个参数里随机挑一个元素，用中心差分重新算它的偏导数。顺便看形状：每个梯度和它所属的权重张量形状相同，每个权重都有自己的偏导数。

# %%
check_rng = np.random.default_rng(args.seed)
params64 = init_params(seed=args.seed, dtype="float64")
x_small, y_small = check_rng.random((8, 784)), check_rng.integers(0, 10, 8)
logits, h = forward(params64, x_small)
grads = backward(params64, x_small, h, softmax(logits), y_small)
for name, p in params64.items():
    i = tuple(int(check_rng.integers(0, n)) for n in p.shape)  # 随机挑一个元素
    saved = p[i]
    p[i] = saved + 1e-5
    up = loss(params64, x_small, y_small)
    p[i] = saved - 1e-5
    down = loss(params64, x_small, y_small)
    p[i] = saved
    print(f"{name} 形状 {p.shape}，梯度形状 {grads[name].shape}；元素 {i}：")
    print(f"    反向传播 {grads[name][i]:+.10f}，中心差分 {(up - down) / 2e-5:+.10f}")

# %% [markdown]
# 两列数字几乎每一位都相同：手写的反向传播是对的。但网络每改一处，`backward` 就要重写。深度学习框架用自动微分(automatic differentiation)代劳：前向计算时，它把每一步运算和中间结果记成一张计算图(computation graph)。第 1 章的网络是这样一张图：
#
# $x \xrightarrow{\;\cdot W_1\;} \xrightarrow{\;+b_1\;} z \xrightarrow{\;\mathrm{relu}\;} h \xrightarrow{\;\cdot W_2\;} \xrightarrow{\;+b_2\;} \text{logits} \xrightarrow{\;\text{softmax + 交叉熵}\;} L$
#
# 求梯度时，它从 $L$ 出发沿图往回走，在每个节点乘上这一步的局部导数，和 `backward` 一行行做的一样：先得到 $\partial L/\partial\,\text{logits} = (p-y)/n$；穿过 $+b_2$ 和 $\cdot W_2$ 得到 `d_b2`、`d_W2` 和 `d_h`；穿过 relu 只留下 $z>0$ 的位置；再穿过 $+b_1$ 和 $\cdot W_1$ 得到 `d_b1`、`d_W1`。从输出往输入走一趟就得到所有参数的梯度，这叫反向模式自动微分(reverse-mode automatic differentiation)。三种后端各有自己的工具：TensorFlow 的 `tf.GradientTape` 在 `with` 块里边算边记，JAX 的 `jax.grad` 追踪一个函数得到图再对它求导，PyTorch 在每个 `requires_grad=True` 的张量上边算边挂节点，`loss.backward()` 沿图往回走。下面的单元格用三种工具各写一遍同一个损失，只有当前后端（`keras.backend.backend()`，第 1 章用 `KERAS_BACKEND` 选择）那一段会运行，另外两段可以读，换了后端也能运行。都用 float64，最后和手写的梯度逐个比较。

# %%
backend = keras.backend.backend()
if backend == "tensorflow":
    import tensorflow as tf

    weights = {k: tf.Variable(v) for k, v in params64.items()}
    with tf.GradientTape() as tape:  # 磁带记下 with 块里的每一步运算：这就是计算图
        h_tf = tf.nn.relu(x_small @ weights["W1"] + weights["b1"])
        logits_tf = h_tf @ weights["W2"] + weights["b2"]
        loss_tf = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y_small, logits_tf))
    auto_grads = {k: g.numpy() for k, g in tape.gradient(loss_tf, weights).items()}
elif backend == "jax":
    import jax
    import jax.numpy as jnp

    def jax_loss(p):  # jax.grad 对第一个参数 p（装着四个参数的字典）求导
        h_jax = jax.nn.relu(x_small @ p["W1"] + p["b1"])
        logits_jax = h_jax @ p["W2"] + p["b2"]
        return -jnp.mean(jax.nn.log_softmax(logits_jax)[jnp.arange(len(y_small)), y_small])

    with jax.enable_x64(True):  # JAX 默认只用 float32 计算
        auto_grads = {k: np.asarray(g) for k, g in jax.grad(jax_loss)(params64).items()}
elif backend == "torch":
    import torch

    weights = {k: torch.tensor(v, requires_grad=True) for k, v in params64.items()}
    h_torch = torch.relu(torch.from_numpy(x_small) @ weights["W1"] + weights["b1"])
    logits_torch = h_torch @ weights["W2"] + weights["b2"]
    loss_torch = torch.nn.functional.cross_entropy(logits_torch, torch.from_numpy(y_small))
    loss_torch.backward()  # 沿计算图往回走，梯度存进每个张量的 .grad
    auto_grads = {k: t.grad.numpy() for k, t in weights.items()}
diffs = {name: np.abs(grads[name] - auto_grads[name]).max() for name in grads}
for name, diff in diffs.items():
    print(
        f"{name}：与 {backend} 自动微分的最大差 {diff:.1e}，梯度最大 {np.abs(grads[name]).max():.1e}"
    )

# %% [markdown]
# 每个参数的最大差都比梯度本身小十几个数量级，只是 float64 的舍入误差：框架沿计算图算出的，就是 `backward` 手写的那些乘法。`forward` 加 `backward` 只是几次矩阵乘法，就得到全部 40 万个梯度；逐个试探则每次更新要做的前向计算次数是参数个数的两倍（第 4 章 4.1 节）。
#
# ## 5.3 训练循环：在真实 MNIST 上训练
#
# 把第 4 章 4.1 节的五步写成代码，更新用第 4 章 4.7 节的 `rmsprop_step`（学习率 0.001，和第 1 章一样），每轮打乱训练集。每轮的损失和 Keras 每轮打印的一样算：各批损失按样本数加权的平均。然后像第 1 章那样预处理数据，在全部 60000 张训练图片上训练，最后在测试集上评估一次。


# %%
# @save
import time

from keras_tutorial.ch04 import rmsprop_step  # 第 4 章 4.7 节的更新规则


def train(x, labels, epochs=5, batch_size=128, learning_rate=0.001, seed=0):
    """小批量 RMSprop 训练。返回参数和每轮的 loss、accuracy（训练时各批的平均）与 seconds。"""
    rng = np.random.default_rng(seed)
    params = init_params(x.shape[1], seed=seed, dtype=x.dtype)
    s = {name: np.zeros_like(p) for name, p in params.items()}  # RMSprop 的梯度平方平均
    history = {"loss": [], "accuracy": [], "seconds": []}
    for _ in range(epochs):
        tic = time.perf_counter()
        order = rng.permutation(len(x))
        total_loss = correct = 0
        for begin in range(0, len(x), batch_size):
            batch = order[begin : begin + batch_size]
            xb, yb = x[batch], labels[batch]  # 1. 取一批
            logits, h = forward(params, xb)  # 2. 前向计算
            probs = softmax(logits)
            total_loss += float(cross_entropy(probs, yb)) * len(yb)  # 3. 损失（按样本累加）
            correct += int((probs.argmax(axis=1) == yb).sum())
            grads = backward(params, xb, h, probs, yb)  # 4. 梯度
            for name in params:  # 5. 更新
                params[name], s[name] = rmsprop_step(
                    params[name], grads[name], s[name], learning_rate
                )
        history["loss"].append(total_loss / len(x))
        history["accuracy"].append(correct / len(x))
        history["seconds"].append(time.perf_counter() - tic)
    return params, history


def evaluate(params, x, labels):
    """准确率：原始分数最大的类别等于标签的比例。"""
    logits, _ = forward(params, x)
    return float(np.mean(logits.argmax(axis=1) == labels))


# %%
(train_images, train_labels), (test_images, test_labels) = load_mnist()
if args.quick:
    train_images, train_labels = train_images[:2000], train_labels[:2000]
    test_images, test_labels = test_images[:1000], test_labels[:1000]
x_train = train_images.reshape((len(train_images), 28 * 28)).astype("float32") / 255
x_test = test_images.reshape((len(test_images), 28 * 28)).astype("float32") / 255
fit_args = {"epochs": args.epochs, "batch_size": args.batch_size}  # Keras 下面用同样的设置
params, history = train(x_train, train_labels, **fit_args, seed=args.seed)
np_acc = evaluate(params, x_test, test_labels)
print(f"每轮的训练损失 {np.round(history['loss'], 4)}，测试准确率 test_acc = {np_acc:.4f}")
print(f"每轮用时 {np.round(history['seconds'], 2)} 秒")

# %% [markdown]
# 在同一次运行里，用第 1 章的 `build_model()` 以同样的数据、轮数和批量大小训练 Keras 模型，每轮打印一行（`verbose=2`，含这一轮的用时和损失），最后并排打印两边的测试准确率，再把两边每轮的训练损失和准确率画在一张图上：

# %%
model = build_model()
y_train = keras.utils.to_categorical(train_labels, num_classes=10)
keras_history = model.fit(x_train, y_train, **fit_args, verbose=2)
_, keras_acc = model.evaluate(x_test, keras.utils.to_categorical(test_labels, 10), verbose=0)
print(f"测试准确率：NumPy {np_acc:.4f}，Keras {keras_acc:.4f}")
fig = plotting.plot_histories({"NumPy（本章）": history, "Keras（第 1 章）": keras_history.history})
plotting.finish(fig, args.out, "ch05_numpy_vs_keras.png")

# %% [markdown]
# 两个网络的结构、优化器、批量大小都一样：Keras 每轮打印的损失和 NumPy 每轮的损失在同一个量级，图上两边的曲线一起下降，准确率相近，差别来自随机初始化和打乱顺序（`--quick` 数据太少，只说明流程能跑通）。用时是这台机器、这次运行的实测：两边做同样的矩阵乘法，NumPy 交给 OpenBLAS，Keras 交给后端。本章的 NumPy 写法照着公式来，没有为速度优化，哪边快随机器、后端和负载而变，系统的测速在 `make bench`（`benchmarks/`）。Keras 的价值也不只在速度：任何结构的模型都不用手写反向传播。
#
# ## 5.4 回顾第一个例子：第 1 章的每一行背后发生了什么
#
# | 第 1 章的代码 | 背后发生的事 |
# | --- | --- |
# | `x_train = train_images.reshape(...).astype("float32") / 255` | 输入是 float32 张量(tensor)；数值范围小，梯度和学习率才好配合 |
# | `Dense(512, activation="relu")`、`Dense(10, activation="softmax")` | $\mathrm{relu}(xW_1+b_1)$ 和 $\mathrm{softmax}(hW_2+b_2)$；`kernel`（$W$）用 glorot_uniform 随机初始化，偏置为 0 |
# | `loss="categorical_crossentropy"` | 要最小化的函数；它对原始分数的梯度是"概率 − 独热标签"除以批量大小（5.2 节推导） |
# | `optimizer="rmsprop"` | 第 4 章 4.7 节的 `rmsprop_step`：$\rho=0.9$，$\epsilon=10^{-7}$，学习率 0.001 |
# | `fit(..., epochs=5, batch_size=128, validation_split=0.1)` | 5.3 节的训练循环：每轮打乱，每 128 张图走一遍五步，梯度由后端的自动微分沿计算图算出（5.2 节）；验证集不参与更新，共 5 × 422 = 2110 次更新（第 4 章 4.1 节） |
# | `model.evaluate(x_test, y_test)` | 只做前向计算，统计 argmax 与标签相同的比例 |


# %% [markdown]
# ## 小结
#
# - 反向传播就是沿计算图反向应用链式法则：从损失出发往回走，每经过一步乘上这一步的局部导数，一次得到所有参数的梯度。softmax 接交叉熵对原始分数的梯度是 $p-y$，一批取平均时再除以批量大小。
# - 每个梯度和它所属的权重张量形状相同。手写的梯度容易出错，要用中心差分核对。
# - TensorFlow 的 `tf.GradientTape`、JAX 的 `jax.grad`、PyTorch 的 `loss.backward()` 都是反向模式自动微分，给出和手写一样的梯度；框架替我们写了 `backward`，任何结构的模型都不用手写反向传播。
# - 只用 NumPy 写的网络（初始化、前向计算、损失、反向传播、第 4 章的 RMSprop）在 MNIST 上的准确率和 Keras 相当；第 1 章的每一行，背后就是这些步骤。

# %% [markdown]
# ## 练习
#
# 在每道题下面的单元格里写答案并运行，`check` 会告诉你对不对；实验题没有自动检查，填好单元格再运行才开始实验。参考答案在 `notebooks/ch05_answers.ipynb`，先自己做再看。

# %%
from keras_tutorial.exercises import check

# %% [markdown]
# ### 练习 1
#
# 5.1 节的神经元里把 $w$ 换成 0.25（$x=2$、$b=-1$、$t=3$ 不变），$\partial L/\partial w$ 是多少？先按链式法则逐环算，再照 5.1 节的样子用中心差分验证。

# %%
answer_1 = None  # 一个数
check("ch05.1", answer_1)

# %% [markdown]
# ### 练习 2
#
# 一个样本的原始分数是 $z=(2.0,\ 1.0,\ 0.1)$，正确类别是 $c=0$。按 5.2 节的推导，损失 $L=-\log p_c$ 对三个原始分数的导数 $\partial L/\partial z$ 是多少？写成 3 个数（列表或 NumPy 数组都行），可以用上面的 `softmax` 来算。

# %%
answer_2 = None  # 3 个数
check("ch05.2", answer_2)

# %% [markdown]
# ### 练习 3
#
# 实验：用 5.3 节的 `train` 比较学习率 0.0001、0.001 和 0.01。留出训练集最后 10000 张图作验证集，只在前 50000 张上训练 2 轮，比较验证准确率（不要用测试集来选）。

# %%
learning_rates = []  # 填要比较的学习率，如 [0.0001, 0.001, 0.01]
split = len(x_train) - len(x_train) // 6  # 完整数据时前 50000 张训练，后 10000 张验证
for lr in learning_rates:
    params_e, _ = train(x_train[:split], train_labels[:split], epochs=2, learning_rate=lr)
    print(
        f"学习率 {lr}：验证准确率 {evaluate(params_e, x_train[split:], train_labels[split:]):.4f}"
    )
