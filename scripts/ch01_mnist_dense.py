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
# **本章做什么**：用 Keras 搭一个只有两层的全连接网络，让它学会认 0–9 的手写数字，然后在从没见过的测试图片上检查它到底学得怎么样。先把整个流程跑通，每一步背后的原理（张量(tensor)、张量运算(tensor operation)、梯度下降(gradient descent)）在第 2–4 章逐一展开。
#
# **怎么运行**：在 Jupyter 里从上到下执行每个单元格；或者在终端里运行
#
# ```bash
# python scripts/ch01_mnist_dense.py            # 默认设置：5 轮，批量大小 128
# python scripts/ch01_mnist_dense.py --quick    # 只用一小部分数据，几秒钟跑完
# python scripts/ch01_mnist_dense.py --epochs 10 --batch-size 256 --out my_outputs
# ```
#
# 终端运行时，图片和模型保存在 `--out` 目录（默认 `outputs/`）；在 Jupyter 中图片直接显示在代码下方。

# %% [markdown]
# ## 1.1 准备工作
#
# 第一个单元格做所有章节开头都要做的事：读入命令行参数（在 Jupyter 里用默认值），固定随机种子(random seed)让每次运行的结果可以复现。然后导入 Keras 和 NumPy，并打印 Keras 用的是哪个后端(backend)、在什么设备上计算。
#
# 后端是什么？Keras 管的是模型这一层：怎样用层搭网络、怎样编译、怎样训练和评估。真正做张量运算（矩阵乘法、求梯度、在 CPU 或 GPU 上分配内存）的是它下面的计算引擎，也就是后端：TensorFlow、JAX 或 PyTorch。同一份 Keras 代码，由哪个引擎执行都可以。默认是 TensorFlow；想换，在启动 Python 之前设置环境变量 `KERAS_BACKEND`，例如 `KERAS_BACKEND=jax`（要先装好那个引擎），本章代码一行都不用改。

# %%
from keras_tutorial.settings import backend_summary, start_chapter

args = start_chapter(
    "第 1 章：用全连接网络识别 MNIST / Chapter 1: a Dense network on MNIST", epochs=5
)

import keras
import numpy as np

print(backend_summary())
print(f"epochs={args.epochs}  batch_size={args.batch_size}  quick={args.quick}  out={args.out}")

# %% [markdown]
# ## 1.2 加载 MNIST 数据集
#
# MNIST 是 7 万张 28×28 像素的灰度手写数字图片：6 万张训练集(training set)，1 万张测试集(test set)，每张图都配有标签(label)，即它实际写的是哪个数字。
#
# `load_mnist()` 与 `keras.datasets.mnist.load_data()` 返回的东西完全一样，但下载失败时会告诉你怎么办：它先看环境变量 `MNIST_PATH` 指向的本地文件，再看 Keras 的缓存 `~/.keras/datasets/mnist.npz`，都没有才去下载（可用 `MNIST_MIRROR` 指定镜像），并校验文件的 sha256。

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

fig = show_digits(train_images[:16], train_labels[:16], title="训练集的前 16 张图（标题是标签）")
finish(fig, args.out, "ch01_samples.png")

# %% [markdown]
# ## 1.3 数据预处理
#
# 本章网络的第一层是全连接层(Dense layer)。全连接层并不要求输入是一维的：它只作用在输入的最后一个轴上，前面有几个轴都行，每个位置用同一组权重各算各的。把一个 32 个神经元的全连接层直接用在两张 28×28 的图上看看：

# %%
dense = keras.layers.Dense(32)
result = dense(np.zeros((2, 28, 28), dtype="float32"))
print("输入形状 (2, 28, 28) → 输出形状", tuple(result.shape))
print("它的权重矩阵 kernel 的形状:", tuple(dense.kernel.shape))

# %% [markdown]
# 输出是 (2, 28, 32)：每张图的 28 行各自变成 32 个数，权重矩阵只有 28 行，一个神经元一次只看到一行的 28 个像素，行与行之间从不相遇。本章想让第一层的每个神经元看到整张图的全部像素，所以选择把每张图展平成长度 784 的向量；这是本章网络的设计，不是全连接层的要求。再把像素从 0–255 的整数缩放到 0–1 的 `float32`，数值范围小而统一，训练更稳定。
#
# 标签从一个整数变成独热编码(one-hot encoding)：长度 10 的向量，只有正确数字的位置是 1，其余都是 0。这正好对应网络最后一层输出的 10 个概率。
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
# ## 1.4 层：一步步把数据提炼成有用的表示
#
# 深度学习的核心部件是层(layer)。可以把一层看成一个数据过滤器：数据从一头进去，出来的是同一份信息的另一种描述，叫作表示(representation)。层的参数是从数据里学来的，训练的目标就是让每一层的输出比它的输入更有助于回答眼前的问题。把几层串起来，原始像素就被一层层提炼，越往后越接近最终答案"这是数字几"，就像把矿石一遍遍提纯，原书把这叫作数据蒸馏(data distillation)。
#
# 本章的网络只有两层：
#
# - 第一层 `Dense(512, activation="relu")`：512 个神经元(neuron)，每个都和输入的 784 个像素全部相连，算出的结果再经过 relu 激活函数(activation function)，即把负数变成 0。它输出 512 个数，这就是网络为每张图学到的新表示；
# - 第二层 `Dense(10, activation="softmax")`：从这 512 个数算出 10 个数，softmax 把它们变成加起来等于 1 的概率，第 i 个数就是"这张图是数字 i"的概率。
#
# ## 1.5 编译：选择损失函数、优化器和指标
#
# 网络能训练之前，还要在编译(`compile`)时告诉它三件事：
#
# - **损失函数(loss function)**：怎样衡量预测和正确答案差多远。多分类加独热标签，用分类交叉熵 `categorical_crossentropy`；
# - **优化器(optimizer)**：根据损失怎样调整权重(weight)。这里用 `rmsprop`，第 4 章会从零实现它；
# - **指标(metric)**：训练时顺便报告的、人容易看懂的数字，这里是准确率(accuracy)。
#
# 下面的函数 `build_model` 把搭网络和编译写在一起，返回一个可以训练的模型；`hidden_units` 是第一层的神经元个数，默认 512。
#
# 单元格第一行的 `# @save` 是本教程的约定：这样标记的单元格会被原样复制进 `keras_tutorial/ch01.py`，第 5 章、练习答案和基准测试都用 `from keras_tutorial.ch01 import build_model` 拿到同一个模型（所以这个单元格自己也写了 `import keras`，复制出去的代码才能单独运行）。

# %%
# @save
import keras


def build_model(hidden_units=512):
    """第 1 章的网络：Dense(hidden_units, relu) → Dense(10, softmax)，已编译。"""
    model = keras.Sequential(
        [
            keras.Input(shape=(28 * 28,)),
            keras.layers.Dense(hidden_units, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


# %% [markdown]
# `model.summary()` 列出每层的输出形状和参数(parameter)个数，也就是网络要学习的数的个数：

# %%
model = build_model()
model.summary()
print("参数总数:", model.count_params())
print("784 × 512 + 512 + 512 × 10 + 10 =", 784 * 512 + 512 + 512 * 10 + 10)

# %% [markdown]
# 第一层有 784 × 512 个权重加 512 个偏置(bias)，第二层有 512 × 10 个权重加 10 个偏置，最后一行按这个数法算出的和与 `count_params()` 相同。
#
# ## 1.6 训练，同时留出验证集
#
# `fit` 把训练数据切成一个个 128 张的批量(batch)，每个批量算一次损失、更新一次权重；一个批量的图片张数叫批量大小(batch size)，全部训练数据过一遍叫一轮(epoch)。训练图片数不是 128 的整数倍时，最后剩下的不足 128 张也照样算一批，同样更新一次权重。
#
# 要知道网络在没见过的图上表现如何，又不能为此动用测试集（原因在 1.8 节），就从训练数据里再留出一部分当验证集(validation set)。`validation_split=0.1` 让 Keras 把训练数据的最后 10%（完整数据时是 6000 张）留出来不参与训练，只用前 90% 更新权重；每轮结束时在验证集上算一次损失和准确率，进度条里的 `val_loss`、`val_accuracy` 就是它们。

# %%
history = model.fit(
    x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, validation_split=0.1
)

# %% [markdown]
# 把训练集和验证集上的损失、准确率画在一起：

# %%
fig = plot_history(history.history)
finish(fig, args.out, "ch01_history.png")
print("每轮验证损失 val_loss:", np.round(history.history["val_loss"], 4))
lowest = int(np.argmin(history.history["val_loss"])) + 1
print("验证损失最低的一轮:", lowest, " 一共训练了", len(history.history["val_loss"]), "轮")
print("每一轮都比前一轮低:", bool(np.all(np.diff(history.history["val_loss"]) < 0)))

# %% [markdown]
# ## 1.7 训练准确率、验证准确率和泛化差距
#
# 进度条上的 `accuracy` 并不是训练好的模型在训练集上的准确率：它是这一轮里各个批量准确率的平均，而这一轮中权重一直在变，前面的批量是用较差的权重算的。要知道最终模型在训练数据上的准确率，就用 `evaluate` 在参与训练的那 90% 上重新算一遍；验证集也照样算一遍。

# %%
n_fit = int(len(x_train) * 0.9)  # validation_split=0.1：前 90% 用于训练，最后 10% 是验证集
train_loss, train_acc = model.evaluate(x_train[:n_fit], y_train[:n_fit], verbose=0)
val_loss, val_acc = model.evaluate(x_train[n_fit:], y_train[n_fit:], verbose=0)
print(f"进度条最后一轮的平均准确率: {history.history['accuracy'][-1]:.4f}")
print(f"train_acc: {train_acc:.4f}   （evaluate，训练用的 {n_fit} 张）")
print(f"val_acc: {val_acc:.4f}   （evaluate，验证集 {len(x_train) - n_fit} 张）")
print(f"泛化差距 gap: {train_acc - val_acc:+.4f}")

# %% [markdown]
# 模型在训练过的数据上通常比在没见过的数据上做得好一些，两者之差叫泛化差距(generalization gap)，最后一行就是这次的差距。差距本身并不说明出了问题：网络除了学到"数字长什么样"这种普遍规律，也难免记住一些只属于训练图片的细节。
#
# 本教程说的过拟合(overfitting)要看曲线：训练损失还在下降，验证损失却停止下降、开始回升，从那一轮起，多训练只会让网络把训练集记得更牢，在新数据上的损失反而变大。原书的说法更宽：模型在新数据上比在训练数据上差，这个差距本身就叫过拟合；本教程把单纯的差距叫泛化差距，只把验证损失回升叫过拟合。
#
# 回到 1.6 节末尾打印的三行。如果验证损失最低的一轮就是最后一轮，这只说明到这一轮为止验证损失还没有从最低点回升；中间某一轮比前一轮高一点，可能只是波动，所以还要看"每一轮都比前一轮低"是不是 True。最低点在更早的某一轮、之后一直没有更低，才是回升的迹象。练习 2 把训练延长到 20 轮，看看会发生什么。`--quick` 模式数据太少，这些数字都不可靠。
#
# ## 1.8 在测试集上评估
#
# 测试集只在最后用一次，用来报告最终成绩。如果根据测试准确率去挑轮数或层的大小，测试集就变成了挑选模型的依据，它给出的成绩不再是"没见过的数据"上的成绩，这叫测试集泄露。所以比较不同设置时（本章的练习就是这样）看验证准确率，测试集留到最后。

# %%
test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
print(f"test_loss: {test_loss:.4f}")
print(f"test_acc: {test_acc:.4f}")

# %% [markdown]
# ## 1.9 用模型做预测
#
# `predict` 对每张图输出 10 个概率，取最大的那个位置（`argmax`）就是预测的数字。下面画出测试集的前 16 张图，标题里是"预测 / 真实"，预测错了的标成红色。

# %%
probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
print("第一张测试图的 10 个概率:", np.round(probabilities[0], 3))
print("预测:", predicted[0], " 真实:", test_labels[0])

fig = show_digits(test_images[:16], test_labels[:16], predicted[:16], title="测试集前 16 张的预测")
finish(fig, args.out, "ch01_predictions.png")

# %% [markdown]
# 再专门看看它认错的图。有些错例连人看着都犹豫，有些则是人一眼就能认对的：

# %%
wrong = np.flatnonzero(predicted != test_labels)
print(f"{len(test_labels)} 张测试图中认错了 {len(wrong)} 张")
if len(wrong):
    shown = wrong[:16]
    fig = show_digits(
        test_images[shown], test_labels[shown], predicted[shown], title="认错的测试图片"
    )
    finish(fig, args.out, "ch01_mistakes.png")

# %% [markdown]
# ## 1.10 保存和加载模型
#
# 训练好的模型可以存成 Keras 原生的 `.keras` 文件（结构、权重和优化器状态都在里面），以后直接加载使用，不用再训练。加载回来的模型对同样的输入给出同样的预测：

# %%
model_path = args.out / "ch01_mnist_dense.keras"
model.save(model_path)
print("模型已保存到", model_path)

reloaded = keras.models.load_model(model_path)
same = np.array_equal(reloaded.predict(x_test[:100], verbose=0).argmax(axis=1), predicted[:100])
print("重新加载后前 100 张预测相同:", same)

# %% [markdown]
# ## 小结
#
# - Keras 负责模型这一层，张量运算由后端（TensorFlow、JAX 或 PyTorch）执行，用 `KERAS_BACKEND` 选择。
# - 一个 Keras 项目的基本流程：加载数据 → 预处理 → 搭网络并编译（`build_model`）→ 训练(`fit`) → 评估(`evaluate`) → 预测(`predict`) → 保存(`save`)。
# - 全连接层作用在输入的最后一个轴上，输入可以是任意阶；本章把 28×28 的图展平成 784 维，是为了让第一层的每个神经元看到全部像素。像素缩放到 0–1，标签做独热编码。
# - 每一层把输入变成一种更有用的表示；两层、约 40 万个参数的网络训练 5 轮，就在测试集上认对了绝大多数数字（1.8 节的 `test_acc`）。
# - 训练数据上的准确率高于验证集，两者之差是泛化差距；本教程把验证损失开始回升叫作过拟合。
# - 挑选设置看验证集；测试集只在最后用一次。

# %% [markdown]
# ## 练习
#
# 在每道题下面的单元格里写答案并运行：有确定答案的题，`check` 会告诉你对不对，不对时给出提示；做实验的题，填好空再运行才会开始训练，没有自动检查。参考答案在 `notebooks/ch01_answers.ipynb`，先自己试，再去看。

# %%
from keras_tutorial.exercises import answered, check

# %% [markdown]
# ### 练习 1
#
# 本章用 `validation_split=0.1`、批量大小 128 训练。完整数据时，一轮里权重一共更新多少次？先用 1.6 节讲的规则算出来，再对照训练时进度条上的数字。

# %%
updates_per_epoch = None  # 在这里写出一个整数
check("ch01.1", updates_per_epoch)

# %% [markdown]
# ### 练习 2
#
# 把轮数改成 1、10、20 各训练一次，比较每次最后的验证准确率；再看 20 轮时每轮的验证损失：从哪一轮起它不再创新低？训练损失那时在做什么？（一次 20 轮的训练就够了，想想为什么。）

# %%
epochs = None  # 写上轮数，例如 20，再运行
if answered(epochs):
    model_e = build_model()
    history_e = model_e.fit(
        x_train, y_train, epochs=epochs, batch_size=128, validation_split=0.1, verbose=0
    )
    print("每轮训练损失:", np.round(history_e.history["loss"], 4))
    print("每轮验证损失:", np.round(history_e.history["val_loss"], 4))
    print("每轮验证准确率:", np.round(history_e.history["val_accuracy"], 4))

# %% [markdown]
# ### 练习 3
#
# 按 1.5 节的数法，不运行代码，算出 `build_model(64)` 和 `build_model(1024)` 各有多少个参数，写成两个整数 `(64 个神经元时, 1024 个神经元时)`；算完可以用 `count_params()` 核对。

# %%
parameter_counts = None  # 例如 (12345, 67890)
check("ch01.3", parameter_counts)

# %% [markdown]
# ### 练习 4
#
# 用 `build_model(64)` 和 `build_model(1024)` 各训练 5 轮（同样 `validation_split=0.1`），比较它们和 512 个神经元时的验证准确率。参数多了 16 倍，准确率也跟着涨吗？训练前先固定随机种子，结果才能和参考答案对照。

# %%
hidden_units = None  # 先写 64，再换成 1024
if answered(hidden_units):
    keras.utils.set_random_seed(args.seed)  # 参考答案用的也是这个种子
    model_h = build_model(hidden_units)
    history_h = model_h.fit(
        x_train, y_train, epochs=5, batch_size=128, validation_split=0.1, verbose=0
    )
    print("最后一轮验证准确率:", round(history_h.history["val_accuracy"][-1], 4))

# %% [markdown]
# ### 练习 5
#
# 在第一层后面再加一层 `keras.layers.Dense(256, activation="relu")`（照 `build_model` 的样子自己写一个模型，编译参数不变），训练 5 轮。验证准确率有没有变好？

# %%
model_d = keras.Sequential(
    [
        keras.Input(shape=(28 * 28,)),
        keras.layers.Dense(512, activation="relu"),
        # 在这里加一层，再照 build_model 编译，像练习 4 那样训练并打印验证准确率
        keras.layers.Dense(10, activation="softmax"),
    ]
)

# %% [markdown]
# ### 练习 6
#
# 去掉预处理里的 `/ 255`，让像素保持 0–255，再训练 5 轮。验证损失和验证准确率怎么变？为什么？

# %%
x_train_raw = train_images.reshape((len(train_images), 28 * 28)).astype("float32")
# 用 x_train_raw 代替 x_train，训练一个新的 build_model()，打印每轮的验证损失和验证准确率

# %% [markdown]
# ### 练习 7
#
# 不运行代码，先想一想：`keras.layers.Dense(16)` 用在形状 (4, 28, 28) 的输入上（不展平），输出是什么形状？它的权重矩阵 `kernel` 又是什么形状？写成 `(输出形状, kernel 的形状)`，再照 1.3 节的单元格运行核对。

# %%
dense_shapes = None  # 例如 ((1, 2, 3), (4, 5))
check("ch01.7", dense_shapes)
