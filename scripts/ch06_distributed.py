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
# # 第 6 章（附录）多设备训练：数据并行
#
# - **本章做什么**：一块设备（一块 GPU 或一颗 CPU）不够快时，最常用的办法是数据并行(data parallelism)：每块设备上放一份同样的模型，把一个批量分给它们各算一部分梯度，再把梯度平均，所有副本做同一次更新。本章先用 NumPy 说明为什么这样算出的结果和一块设备上用同样的批量训练一样，再讲设备变多时批量大小和学习率怎么定；然后用现成的引擎来做：JAX 后端用 `keras.distribution.DataParallel`，TensorFlow 后端用 `tf.distribute.MirroredStrategy`，训练的是第 1 章的模型和 MNIST；最后说明在真正的多 GPU 和多台机器上要改什么。
# - **没有多块 GPU 也能运行**：本章把一颗 CPU 分成几个虚拟设备(virtual device)来演示，每个人的电脑都能跑。虚拟设备共用同样的 CPU 核心，算力没有变多，所以不会更快（6.5 节实测）；本章的代码没有在 GPU 上运行过。
# - **用到前面的什么**：第 1 章的 `build_model`（从 `keras_tutorial.ch01` 导入）和 MNIST，第 4 章的小批量 SGD：每个批量求一次平均梯度，更新一次权重。
# - **怎么运行**：在 Jupyter 里从上到下执行；或者在终端里运行 `python scripts/ch06_distributed.py`（完整运行：在 60000 张图上训练 2 轮），加 `--quick` 只用 2000 张图。换后端用 `KERAS_BACKEND=jax` 或 `KERAS_BACKEND=tensorflow`；PyTorch 后端能运行到底，但会跳过用引擎的几节（6.3 节说明原因和替代做法）。

# %% [markdown]
# 第一个单元格要在导入 Keras 之前告诉 JAX 分出几个 CPU 设备：JAX 只在第一次导入时读环境变量 `XLA_FLAGS`，之后再改不起作用（在 Jupyter 里要先重启内核）。TensorFlow 的设置在 6.3 节，对 PyTorch 这一行没有影响。

# %%
import os

DEVICES = 2  # 虚拟设备的个数
os.environ["XLA_FLAGS"] = (
    os.environ.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={DEVICES}"
)

from keras_tutorial.settings import start_chapter

args = start_chapter("第 6 章：多设备训练 / Chapter 6: training on several devices", epochs=2)

import time

import keras
import matplotlib.pyplot as plt
import numpy as np

from keras_tutorial import plotting
from keras_tutorial.ch01 import build_model
from keras_tutorial.data import load_mnist

backend = keras.backend.backend()
print(f"后端 {backend}  epochs={args.epochs}  quick={args.quick}  out={args.out}")

# %% [markdown]
# ## 6.1 数据并行：切开批量，平均梯度
#
# 第 4 章的小批量 SGD 每一步做三件事：取一个批量，求这个批量上平均损失的梯度，更新权重。数据并行把中间一步分给 $K$ 块设备：全局批量(global batch)有 $B$ 个样本，切成 $K$ 份，每块设备上的副本(replica)只对自己那 $B/K$ 个样本求平均梯度；然后所有设备把梯度加起来再除以 $K$，这一步叫全归约(all-reduce)，做完后每块设备手里都是同一个平均梯度，各自用它更新自己的那份权重。起点相同、梯度相同，更新后的权重也相同，副本之间始终一致。
#
# 为什么结果和一块设备一样？批量上的平均损失是每个样本损失的平均。每份一样大时，先在每份内平均、再对 $K$ 份平均，等于直接对 $B$ 个样本平均；梯度对求和是线性的，所以"各份梯度的平均"就等于"整个批量的梯度"。下面用 NumPy 在一个线性模型 $\hat y = xw$、均方误差上验证：梯度是 $\frac{2}{n}x^\top(xw-y)$。

# %%
rng = np.random.default_rng(0)
x_toy = rng.normal(size=(128, 5))
y_toy = x_toy @ np.array([1.0, -2.0, 0.5, 3.0, 0.0]) + rng.normal(scale=0.1, size=128)
w = np.zeros(5)


def gradient(x, y, w):
    """均方误差对 w 的梯度，在这批样本上平均。"""
    return 2 * x.T @ (x @ w - y) / len(x)


whole = gradient(x_toy, y_toy, w)  # 一块设备：整个批量
parts = [gradient(xs, ys, w) for xs, ys in zip(np.split(x_toy, 4), np.split(y_toy, 4), strict=True)]
averaged = np.mean(parts, axis=0)  # 四块设备各算一份，再全归约取平均
print("整个批量的梯度:  ", np.round(whole, 4))
print("四份梯度的平均:  ", np.round(averaged, 4))
print(f"最大差 {np.abs(whole - averaged).max():.1e}（float64 的舍入误差）")

# %% [markdown]
# 两者只差舍入误差(round-off error)：浮点数的加法换个顺序，最后几位就可能不同。所以"一样"的准确说法是：同样的全局批量、同样的起点，数据并行训练得到的权重和一块设备上的相同，差别在浮点舍入的量级。每份大小不同时，简单平均就不对了：要按每份的样本数加权（练习 4）。引擎在每份一样大时直接平均，最后一个不满的批量由它们自己处理。

# %% [markdown]
# ## 6.2 设备变多时：全局批量和学习率
#
# 常见的做法是让每块设备的批量保持不变，比如 128，这样每块设备的显存和算力都用得一样满；于是全局批量 = 每块设备的批量 × 设备数，随设备增加而变大。每轮的样本数不变，全局批量变大，每轮更新的次数就变少：

# %%
per_device = 128
device_counts, updates = [1, 2, 4, 8], []
for k in device_counts:
    global_batch = per_device * k
    updates.append(-(-60000 // global_batch))  # 向上取整：最后一批不满也算一次
    print(f"{k} 块设备：全局批量 {global_batch:5d}，每轮 60000 张图更新 {updates[-1]:4d} 次")

fig, ax = plt.subplots(figsize=(5, 3))
ax.bar([str(k) for k in device_counts], updates)
ax.set_xlabel("设备数（每块设备的批量都是 128）")
ax.set_ylabel("每轮更新次数")
ax.set_title("全局批量越大，每轮更新越少")
plotting.finish(fig, args.out, "ch06_updates.png")

# %% [markdown]
# 更新次数少了，每次更新用的梯度却更准（平均了更多样本，噪声更小）。一条常用的经验规则是线性缩放(linear scaling)：全局批量变成 $k$ 倍，SGD 的学习率也乘以 $k$，训练开始时再用几轮从小到大的预热(warm-up)。这是经验，不是定理：批量太大时它会失效，用 RMSprop、Adam 这类会自己调步长的优化器时也常常不用这样放大。稳妥的做法是先用原来的学习率，再在验证集上试几个值。另一种做法是保持全局批量不变、让每块设备分得更少，这样训练过程和一块设备完全一样，只是每块设备的活少了。下面几节都用这种方式来核对结果：全局批量固定为 128。

# %% [markdown]
# ## 6.3 虚拟设备和三个后端
#
# `keras.distribution.list_devices()` 列出 Keras 能用来分布计算的设备：有 GPU 时列 GPU，没有时列 CPU。JAX 的 CPU 设备数在第一个单元格里已经设好；TensorFlow 要在第一次用它计算之前，用 `tf.config.set_logical_device_configuration` 把物理 CPU 分成几个逻辑设备(logical device)。
#
# PyTorch 后端没有 Keras 的分布式接口：`keras.distribution` 只支持 JAX（TensorFlow 后端的实现还只是原型，所以下面用 TensorFlow 自己的 `MirroredStrategy`）。用 PyTorch 做数据并行，要自己写训练循环，用 PyTorch 的 `DistributedDataParallel` 包住模型，再用 `torchrun --nproc_per_node=GPU数 train.py` 为每块 GPU 启动一个进程（Keras 官网的 "Multi-GPU distributed training with PyTorch" 指南有完整例子）。所以在 PyTorch 后端，6.4 和 6.5 节会说明并跳过。

# %%
if backend == "tensorflow":
    import tensorflow as tf

    tf.get_logger().setLevel("WARNING")  # 不显示 MirroredStrategy 的 INFO 日志
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * DEVICES
        )
    except RuntimeError:  # TensorFlow 已经开始计算，设备不能再改
        print("TensorFlow 已经初始化，逻辑设备数不能再改；请重启内核后从头运行。")

if backend == "torch":
    devices = []
    print("PyTorch 后端：keras.distribution 不支持，6.4、6.5 节跳过（见上面的说明）。")
else:
    devices = keras.distribution.list_devices()
    print(f"设备数 {len(devices)}：{', '.join(devices)}")

# %% [markdown]
# 接下来把"在这些设备上做数据并行"写成一个函数：它返回一个作用域(scope)，在 `with` 块里建的模型会在每块设备上各放一份，`fit` 会自动切分每个批量、做全归约。JAX 上是 `DataParallel(devices=...).scope()`；TensorFlow 上是 `MirroredStrategy(...).scope()`，镜像(mirrored)指每块设备上有一份同样的变量。

# %%
# @save
import keras


def data_parallel_scope(devices):
    """在 devices 上做数据并行的作用域：JAX 用 DataParallel，TensorFlow 用 MirroredStrategy。"""
    backend = keras.backend.backend()
    if backend == "jax":
        return keras.distribution.DataParallel(devices=devices).scope()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.distribute.MirroredStrategy(["/" + d for d in devices]).scope()
    raise ValueError(f"后端 {backend} 没有 Keras 的数据并行接口")


# %% [markdown]
# ## 6.4 同样的全局批量，同样的权重
#
# 先读入 MNIST，像第 1 章那样变成 784 个 0 到 1 之间的数，标签变成独热编码。

# %%
(x_train, y_train), (x_test, y_test) = load_mnist()
x_train = x_train.reshape((-1, 28 * 28)).astype("float32") / 255
x_test = x_test.reshape((-1, 28 * 28)).astype("float32") / 255
y_train = keras.utils.to_categorical(y_train, 10)
y_test = keras.utils.to_categorical(y_test, 10)
if args.quick:
    x_train, y_train = x_train[:2000], y_train[:2000]
print("训练图像", x_train.shape, " 测试图像", x_test.shape)

# %% [markdown]
# 现在核对 6.1 的结论：同一组初始权重，一次在一块设备上、一次在所有设备上，用同样的 15 个全局批量（每批 128 张，不打乱）各训练 15 步，再比较权重。这里把第 1 章的 RMSprop 换成普通 SGD（学习率 0.1）：RMSprop 会按梯度自身的大小调整步长，梯度整体放大一倍它几乎看不出来，用 SGD 时平均算错会直接体现在权重上。

# %%
STEPS, GLOBAL_BATCH = 15, 128
keras.utils.set_random_seed(args.seed)
initial = build_model().get_weights()  # 两次训练共用的初始权重
x_steps, y_steps = x_train[: STEPS * GLOBAL_BATCH], y_train[: STEPS * GLOBAL_BATCH]


def train_steps(model):
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="categorical_crossentropy")
    model.set_weights(initial)
    model.fit(x_steps, y_steps, batch_size=GLOBAL_BATCH, epochs=1, shuffle=False, verbose=0)
    return model.get_weights()


if devices:
    weights_one = train_steps(build_model())  # 一块设备
    with data_parallel_scope(devices):
        weights_dp = train_steps(build_model())  # 每块设备一份副本
    moved = max(np.abs(w1 - w0).max() for w1, w0 in zip(weights_one, initial, strict=True))
    gap = max(np.abs(w1 - w2).max() for w1, w2 in zip(weights_one, weights_dp, strict=True))
    print(f"{STEPS} 步后权重最多变了 {moved:.4f}")
    print(f"一块设备和 {len(devices)} 块设备的权重最大差 {gap:.1e}")

# %% [markdown]
# 上面两行：15 步里权重本身最多变了 0.01 以上，而两种训练的差别在 1e-8 的量级，正是 float32 舍入误差的大小（float32 大约有 7 位有效数字）。两块设备各算 64 张图的梯度再平均，和一块设备算 128 张图的梯度，是同一个数。

# %% [markdown]
# ## 6.5 在 MNIST 上训练第 1 章的模型，量一量用时
#
# 用第 1 章原样的模型和编译设置（优化器是 RMSprop），在所有设备上做数据并行训练，全局批量 128，然后在测试集上评估。为了比较速度，一块设备也训练同样的轮数。`EpochTimer` 是一个回调(callback)：`fit` 在每轮开始和结束时调用它，它记下每轮的用时。第 1 轮里包含编译计算图的时间，所以比较最后一轮。它还有一个什么也不做的 `on_train_batch_end`：有了它，Keras 每批结束时都先取回这一批的损失，等这一步算完再派发下一步。不加的话，JAX 会连续派发很多步而不等它们算完；在本机（2 核 CPU）的虚拟设备上实测，完整数据的训练会卡在全归约上，XLA 报告 rendezvous 等待超时后退出。这是为 CPU 上的虚拟设备加的，两种训练都加，计时也公平。


# %%
class EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.tic = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        pass  # 让每一步算完再派发下一步（见上文）

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.tic)


def timed_fit(model):
    timer = EpochTimer()
    model.fit(
        x_train, y_train, batch_size=GLOBAL_BATCH, epochs=args.epochs, verbose=2, callbacks=[timer]
    )
    return timer.seconds[-1]


if devices:
    keras.utils.set_random_seed(args.seed)
    single = build_model()
    seconds_one = timed_fit(single)
    with data_parallel_scope(devices):
        parallel = build_model()
        seconds_dp = timed_fit(parallel)
    test_acc = parallel.evaluate(x_test, y_test, verbose=0)[1]
    print(f"数据并行训练后 test_acc: {test_acc:.4f}")
    print(
        f"最后一轮用时：一块设备 {seconds_one:.2f} 秒，{len(devices)} 块虚拟设备 {seconds_dp:.2f} 秒"
    )
    print(f"比值 {seconds_dp / seconds_one:.2f}（小于 1 才是变快了）")

# %% [markdown]
# 两次训练的进度条在同一个水平，每轮的准确率只差千分之几：这里两个模型的初始权重和每轮的打乱顺序是分别抽的随机数，不完全一样；用同一组权重、同样的批量时，差别只剩舍入误差（6.4 节）。数据并行训练后的测试准确率在上面打印，它只训练了 2 轮，第 1 章训练 5 轮。用时却没有变少：虚拟设备只是把同样的 CPU 核心分成几份，总算力不变，还多了切分批量、在设备之间复制和全归约的开销，上面的比值就是这个代价。这个代价的大小取决于后端和机器：同一台机器上，JAX 的 `DataParallel` 和 TensorFlow 的 `MirroredStrategy` 测出的比值并不一样（README 的后端对照表里有两者的实测）。
#
# 在真正的多块 GPU 上，每块 GPU 有自己的计算单元和显存，$K$ 块 GPU 同时各算一份，每步的计算时间接近原来的 $1/K$；代价是每一步都要在 GPU 之间传一次梯度（NVLink 或 PCIe，多台机器时还要走网络），模型越大、每块设备分到的样本越少，这部分占比越高。所以实际的加速比小于 $K$，要在自己的机器上量。本章没有在 GPU 上运行过，这里说的只是原理，不是测量结果。

# %% [markdown]
# ## 6.6 真正的多 GPU 和多台机器
#
# **一台机器、多块 GPU**：去掉第一个单元格里的 `XLA_FLAGS` 和 6.3 节的逻辑设备设置，其余不变。`list_devices()` 会列出 GPU，`MirroredStrategy()` 不带参数时也会用上所有 GPU；每块设备的批量通常设成单卡能放下的大小，全局批量随之乘以 GPU 数（6.2 节）。
#
# **多台机器**：每台机器上运行同一个脚本，每个进程启动时要知道三件事：协调者(coordinator)的地址（0 号进程的 IP 和端口）、一共有几个进程、自己是第几个。
#
# JAX 后端：在脚本开头、任何计算之前调用 `keras.distribution.initialize`，之后 `list_devices()` 返回所有机器上的设备，`DataParallel` 照常使用，每个进程只读入自己那一份数据（`tf.data.Dataset` 会被自动切分）：
#
# ```python
# # 机器 0 上（协调者 10.0.0.1）；机器 1 上把 process_id 改成 1
# keras.distribution.initialize(job_addresses="10.0.0.1:1234", num_processes=2, process_id=0)
# ```
#
# 也可以不改代码，用环境变量 `KERAS_DISTRIBUTION_JOB_ADDRESSES`、`KERAS_DISTRIBUTION_NUM_PROCESSES`、`KERAS_DISTRIBUTION_PROCESS_ID` 告诉它，再调用不带参数的 `initialize()`。
#
# TensorFlow 后端：把 `MirroredStrategy` 换成 `tf.distribute.MultiWorkerMirroredStrategy()`，每个进程在启动前设置环境变量 `TF_CONFIG`，列出所有工作进程(worker)的地址，并说明自己是第几个：
#
# ```bash
# # 机器 0 上；机器 1 上把 "index": 0 改成 1
# TF_CONFIG='{"cluster": {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]}, "task": {"type": "worker", "index": 0}}' \
#   KERAS_BACKEND=tensorflow python train.py
# ```
#
# PyTorch：`torchrun --nnodes=2 --node_rank=0 --nproc_per_node=GPU数 --master_addr=10.0.0.1 --master_port=1234 train.py`，第二台机器上 `--node_rank=1`，脚本里用 `DistributedDataParallel`（6.3 节）。
#
# **模型一块设备放不下时**：数据并行要求每块设备放得下整个模型。放不下时，下一步是模型并行(model parallelism)：把一层的权重矩阵切开放在几块设备上。Keras 在 JAX 上用 `keras.distribution.ModelParallel` 做这件事，`LayoutMap` 写明每个权重怎么切（例如把 `dense.*kernel` 按列切到 `"model"` 轴上），`DeviceMesh` 把设备排成"数据 × 模型"两个轴，两种并行可以同时用。本章不展开。

# %% [markdown]
# ## 小结
#
# - 数据并行：每块设备一份同样的模型，全局批量切成几份，各算一份梯度，全归约取平均后做同一次更新，副本始终一致。
# - 每份一样大时，各份平均梯度的平均就是整个批量的平均梯度；所以同样的全局批量、同样的起点，结果和一块设备一样，只差浮点舍入（6.4 节打印的最大差）。
# - 保持每块设备的批量不变，全局批量随设备数变大，每轮更新次数变少；SGD 常按线性缩放放大学习率并预热，但这只是经验，要在验证集上确认。
# - JAX 后端用 `keras.distribution.DataParallel` 和 `list_devices()`，TensorFlow 后端用 `tf.distribute.MirroredStrategy`；PyTorch 后端用 PyTorch 自己的 `DistributedDataParallel` 和 `torchrun`。
# - CPU 上的虚拟设备让每个人都能运行这些代码，但不会更快；真正的加速来自多块 GPU，大小要自己量。多台机器要告诉每个进程协调者地址、进程数和自己的编号；模型放不下一块设备时，用 `ModelParallel` 和 `LayoutMap`。

# %% [markdown]
# ## 练习
#
# 在每道题下面的单元格里写答案并运行，`check` 会告诉你对不对。参考答案在 `notebooks/ch06_answers.ipynb`，先自己做再看。

# %%
from keras_tutorial.exercises import check

# %% [markdown]
# ### 练习 1
#
# 4 块 GPU，每块设备的批量是 64。全局批量是多少？

# %%
answer_1 = None  # 一个整数
check("ch06.1", answer_1)

# %% [markdown]
# ### 练习 2
#
# 接着练习 1：用这个全局批量在 60000 张图上训练一轮，一共更新多少次权重（最后一批不满也算一次）？

# %%
answer_2 = None  # 一个整数
check("ch06.2", answer_2)

# %% [markdown]
# ### 练习 3
#
# 一块设备上用 SGD、全局批量 128、学习率 0.01 训练得不错。换到 8 块设备，每块设备的批量仍是 128。按线性缩放规则，学习率该设成多少？

# %%
answer_3 = None  # 一个数
check("ch06.3", answer_3)

# %% [markdown]
# ### 练习 4
#
# 一个批量没法平均分时，各份大小不同，比如 3 块设备分到 50、50、28 张图。写出 `combine(grads, sizes)`：`grads` 是各设备在自己那份上算出的平均梯度（一个数组的列表），`sizes` 是各份的样本数，返回整个批量的平均梯度。用 6.1 节的 `gradient` 和 `np.split(x_toy, [50, 100])` 自己先验证一下。


# %%
def combine(grads, sizes): ...  # 返回整个批量的平均梯度


check("ch06.4", combine)
