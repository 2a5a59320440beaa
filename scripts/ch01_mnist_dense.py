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
# # 第 1 章 第一个神经网络：用全连接网络识别 MNIST 手写数字
#
# **本章做什么**：用 Keras 搭一个只有两层的全连接网络，让它学会认 0–9 的手写数字，
# 然后在从没见过的测试图片上检查它到底学得怎么样。先把整个流程跑通，
# 每一步背后的原理（张量(tensor)、张量运算(tensor operation)、梯度下降(gradient descent)）在第 2–4 章逐一展开。
#
# **怎么运行**：在 Jupyter 里从上到下执行每个单元格；或者在终端里运行
#
# ```bash
# python scripts/ch01_mnist_dense.py            # 默认设置：5 轮，批大小 128
# python scripts/ch01_mnist_dense.py --quick    # 只用一小部分数据，几秒钟跑完
# python scripts/ch01_mnist_dense.py --epochs 10 --batch-size 256 --out my_outputs
# ```
#
# 终端运行时，图片和模型保存在 `--out` 目录（默认 `outputs/`）；在 Jupyter 中图片直接显示在代码下方。

# %% [markdown]
# ## 1.1 准备工作
#
# 先读入命令行参数，固定随机种子(random seed)，让每次运行的结果可以复现；
# 再打印 Keras 用的是哪个后端(backend)、在什么设备上计算。
# 想换后端，在启动前设置环境变量，例如 `KERAS_BACKEND=jax`，代码一行都不用改。
#
# 用 TensorFlow 后端时，导入过程中可能会打印几行以 `I0000`、`E0000` 开头的日志，比如找不到 CUDA 驱动。没有 NVIDIA GPU 的电脑上这是正常的，可以不管。
#
# `with frozen_imports():` 只影响速度。导入 Keras 和 TensorFlow 会创建几十万个 Python 对象，几乎都一直用到程序结束
# （下面打印的"冻结的对象"是冻结那一刻进程里被跟踪的全部对象，大部分来自这次导入），Python 的垃圾回收器(garbage collector)却会在导入途中和程序退出时
# 一遍遍检查它们；在我们测过的两台 2 核 CPU 上，这合计要 1.5–3 秒（测量见 `benchmarks/README.md`）。
# 这个上下文管理器(context manager)在导入期间暂停垃圾回收，导入后用 `gc.freeze()` 让回收器以后不再查看这些对象。

# %%
import gc

from keras_tutorial.settings import (
    add_training_flags,
    backend_summary,
    chapter_parser,
    parse_args,
    set_seed,
)
from keras_tutorial.tuning import frozen_imports

parser = chapter_parser("第 1 章：用全连接网络识别 MNIST / Chapter 1: a Dense network on MNIST")
add_training_flags(parser)  # --epochs（默认 5）和 --batch-size（默认 128）
args = parse_args(parser)

with frozen_imports():
    import keras
    import numpy as np

set_seed(args.seed)
print(backend_summary())
print("冻结的对象 frozen objects:", gc.get_freeze_count())
print(f"epochs={args.epochs}  batch_size={args.batch_size}  quick={args.quick}  out={args.out}")

# %% [markdown]
# ## 1.2 加载 MNIST 数据集
#
# MNIST 是 7 万张 28×28 像素的灰度手写数字图片：6 万张训练集(training set)，1 万张测试集(test set)，
# 每张图都配有标签(label)，即它实际写的是哪个数字。
#
# `load_mnist()` 与 `keras.datasets.mnist.load_data()` 返回的东西完全一样，但下载失败时会告诉你怎么办：
# 它先看环境变量 `MNIST_PATH` 指向的本地文件，再看 Keras 的缓存 `~/.keras/datasets/mnist.npz`，
# 都没有才去下载（可用 `MNIST_MIRROR` 指定镜像），并校验文件的 sha256。

# %%
from keras_tutorial.data import load_mnist

(train_images, train_labels), (test_images, test_labels) = load_mnist()

# %% [markdown]
# 数据是 NumPy 数组。先看看它们的形状(shape)和数据类型(dtype)：

# %%
print("train_images:", train_images.shape, train_images.dtype)
print("train_labels:", train_labels.shape, train_labels.dtype, "前 10 个:", train_labels[:10])
print("test_images: ", test_images.shape, test_images.dtype)
print("test_labels: ", test_labels.shape, test_labels.dtype)
print("像素取值范围:", train_images.min(), "到", train_images.max())

# %% [markdown]
# 训练集是 60000 张 28×28 的图，每个像素是 0–255 的整数（`uint8`）。画出前 16 张看看：

# %%
from keras_tutorial.plotting import finish, plot_history, show_digits

fig = show_digits(train_images[:16], train_labels[:16], title="MNIST training samples")
finish(fig, args.out, "ch01_samples.png")

# %% [markdown]
# ## 1.3 数据预处理
#
# 网络的第一层是全连接层(Dense layer)，它吃的是一维向量，所以把每张 28×28 的图展平成长度 784 的向量；
# 再把像素从 0–255 的整数缩放到 0–1 的 `float32`，数值范围小而统一，训练更稳定。
#
# 标签从一个整数变成独热编码(one-hot encoding)：长度 10 的向量，只有正确数字的位置是 1，
# 其余都是 0。这正好对应网络最后一层输出的 10 个概率。
#
# `--quick` 模式只取 2000 张训练图和 1000 张测试图，用来快速检查整个流程能否跑通。

# %%
if args.quick:
    train_images, train_labels = train_images[:2000], train_labels[:2000]
    test_images, test_labels = test_images[:1000], test_labels[:1000]

x_train = train_images.reshape((len(train_images), 28 * 28)).astype("float32") / 255
x_test = test_images.reshape((len(test_images), 28 * 28)).astype("float32") / 255
y_train = keras.utils.to_categorical(train_labels, num_classes=10)
y_test = keras.utils.to_categorical(test_labels, num_classes=10)

print("x_train:", x_train.shape, x_train.dtype, " 取值范围:", x_train.min(), "~", x_train.max())
print("y_train:", y_train.shape, " 第一个标签", train_labels[0], "→", y_train[0])

# %% [markdown]
# ## 1.4 搭建网络
#
# 网络由层(layer)堆叠而成，`Sequential` 就是把层按顺序串起来：
#
# - 第一层 `Dense(512, activation="relu")`：512 个神经元，每个都和输入的 784 个像素全部相连，
#   再经过 relu 激活函数(activation function)，即把负数变成 0；
# - 第二层 `Dense(10, activation="softmax")`：输出 10 个数，softmax 把它们变成加起来等于 1 的概率，
#   第 i 个数就是"这张图是数字 i"的概率。
#
# `model.summary()` 列出每层的输出形状和参数(parameter)个数，也就是网络要学习的权重(weight)的数量。

# %%
model = keras.Sequential(
    [
        keras.Input(shape=(28 * 28,)),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
model.summary()

# %% [markdown]
# 第一层有 784 × 512 个权重加 512 个偏置(bias)，第二层有 512 × 10 + 10 个，合计约 40 万个参数。
#
# ## 1.5 编译：选择损失函数、优化器和指标
#
# 训练之前还要告诉网络三件事：
#
# - **损失函数(loss function)**：怎样衡量预测和正确答案差多远。多分类加独热标签，用分类交叉熵
#   `categorical_crossentropy`；
# - **优化器(optimizer)**：根据损失怎样调整权重。这里用 `rmsprop`，第 4 章会从零实现它；
# - **指标(metric)**：训练时顺便报告的、人容易看懂的数字，这里是准确率(accuracy)。
#
# 最后一个参数是本教程加的，只影响速度，不影响网络学到什么。`fit` 每处理一个批量，都要从 Python 调用一次后端编译好的训练步骤；
# 这个小网络在 CPU 上算一个批量只要几毫秒，每次调用的固定开销（调度、回调、进度条）就显得很大。
# `compile_options(steps)` 设置 `steps_per_execution=steps`，让一次调用连续跑完一整轮的所有批量，开销只付一次。
# 代价是进度条每轮只在结尾更新一次。PyTorch 后端不支持这个设置，函数会返回空字典，什么也不改。
# 用 `make bench` 可以在你的机器上比较改与不改的用时。

# %%
from keras_tutorial.tuning import compile_options, steps_per_epoch

steps = steps_per_epoch(len(x_train), args.batch_size)
model.compile(
    optimizer="rmsprop",
    loss="categorical_crossentropy",
    metrics=["accuracy"],
    **compile_options(steps),
)
print("每轮批量数 steps per epoch:", steps, " 额外的编译参数:", compile_options(steps))

# %% [markdown]
# ## 1.6 训练
#
# `fit` 把训练集切成每批 128 张的小批量(mini-batch)，每批算一次损失、更新一次权重；
# 全部训练数据过一遍叫一轮(epoch)。进度条显示每轮的损失和准确率。

# %%
history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, verbose=1)

# %% [markdown]
# 损失一轮比一轮低，训练准确率一轮比一轮高。把这两条训练曲线画出来：

# %%
fig = plot_history(history.history)
finish(fig, args.out, "ch01_history.png")

# %% [markdown]
# ## 1.7 在测试集上评估
#
# 训练集上的成绩不算数：网络可能只是把见过的图"背"了下来。真正的考验是从没见过的测试集。

# %%
test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
print(f"test_loss: {test_loss:.4f}")
print(f"test_acc: {test_acc:.4f}")

# %% [markdown]
# ## 1.8 用模型做预测
#
# `predict` 对每张图输出 10 个概率，取最大的那个位置（`argmax`）就是预测的数字。
# 下面画出测试集的前 16 张图，标题里是"预测 / 真实"，预测错了的标成红色。

# %%
probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
print("第一张测试图的 10 个概率:", np.round(probabilities[0], 3))
print("预测:", predicted[0], " 真实:", test_labels[0])

fig = show_digits(test_images[:16], test_labels[:16], predicted[:16], title="Test predictions")
finish(fig, args.out, "ch01_predictions.png")

# %% [markdown]
# 再专门看看它认错的图。很多错例连人看着都犹豫，也有一些是网络明显犯傻：

# %%
wrong = np.flatnonzero(predicted != test_labels)
print(f"{len(test_labels)} 张测试图中认错了 {len(wrong)} 张")
if len(wrong):
    shown = wrong[:16]
    fig = show_digits(
        test_images[shown], test_labels[shown], predicted[shown], title="Misclassified test digits"
    )
    finish(fig, args.out, "ch01_mistakes.png")

# %% [markdown]
# ## 1.9 训练集和测试集的差距：过拟合
#
# 比较最后一轮的训练准确率和测试准确率：

# %%
train_acc = history.history["accuracy"][-1]
print(f"训练准确率 train accuracy: {train_acc:.4f}")
print(f"测试准确率 test accuracy:  {test_acc:.4f}")
print(f"差距 gap: {train_acc - test_acc:+.4f}")

# %% [markdown]
# 在完整数据上，测试准确率通常比训练准确率低一点（上面打印的差距为正）。
# 模型在新数据上的表现不如在训练数据上，这叫过拟合(overfitting)：
# 网络除了学到"数字长什么样"这种普遍规律，也记住了训练集里的个别细节，而这些细节对新图片没有用。
# 训练轮数越多，这个差距往往越大。`--quick` 模式数据太少，差距的大小和方向都不可靠。
#
# ## 1.10 保存和加载模型
#
# 训练好的模型可以存成 Keras 原生的 `.keras` 文件（结构、权重和优化器状态都在里面），
# 以后直接加载使用，不用再训练。加载回来的模型对同样的输入给出同样的预测：

# %%
from keras_tutorial.files import atomic_path

model_path = args.out / "ch01_mnist_dense.keras"
with atomic_path(model_path) as tmp:
    model.save(tmp)
print("模型已保存到 / model saved to", model_path)

reloaded = keras.models.load_model(model_path)
same = np.array_equal(reloaded.predict(x_test[:100], verbose=0).argmax(axis=1), predicted[:100])
print("重新加载后前 100 张预测相同:", same)

# %% [markdown]
# ## 小结
#
# - 一个 Keras 项目的基本流程：加载数据 → 预处理 → 搭网络 → 编译 → 训练(`fit`) →
#   评估(`evaluate`) → 预测(`predict`) → 保存(`save`)。
# - 全连接网络吃一维向量，所以 28×28 的图被展平成 784 维；像素缩放到 0–1，标签做独热编码。
# - 只有两层、约 40 万个参数的网络，训练几轮就能在测试集上认对绝大多数数字（见 1.7 节打印的 `test_acc`）。
# - 训练集上的成绩总比测试集好一点，这就是过拟合；判断模型好坏要看测试集。

# %% [markdown]
# ## 练习
#
# 1. 把 `--epochs` 改成 1、10、20，记下训练准确率和测试准确率，差距怎样变化？
# 2. 把第一层改成 64 个或 1024 个神经元，参数个数和测试准确率各怎么变？
# 3. 去掉 `/ 255` 这一步直接训练，会发生什么？为什么？
# 4. 在第一层后面再加一层 `Dense(256, activation="relu")`，结果有没有变好？
# 5. 用 `KERAS_BACKEND=jax` 或 `KERAS_BACKEND=torch` 再跑一次，比较速度和准确率。
