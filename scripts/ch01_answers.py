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
# # 第 1 章 练习参考答案
#
# 先自己做 `notebooks/ch01_mnist_dense.ipynb` 末尾的练习，再来对照。有确定答案的题用 `check` 核对；做实验的题在这里真的跑一遍，比较的都是**验证准确率**：挑选轮数、层的大小这类设置时不看测试集，所以本 notebook 根本不加载测试图片。
#
# **怎么运行**：在 Jupyter 里从上到下执行；或者在终端里运行
#
# ```bash
# python scripts/ch01_answers.py            # 完整运行：一次 20 轮的训练加几个 5 轮的实验，几分钟
# python scripts/ch01_answers.py --quick    # 只用 2000 张训练图、每个实验 1–2 轮，检查能否跑通
# ```

# %%
from keras_tutorial.settings import backend_summary, start_chapter

args = start_chapter("第 1 章练习参考答案 / Chapter 1: answers to the exercises")

import math

import keras
import numpy as np

from keras_tutorial.ch01 import build_model
from keras_tutorial.data import load_mnist
from keras_tutorial.exercises import check
from keras_tutorial.plotting import finish, plot_history

print(backend_summary())
print(f"quick={args.quick}  seed={args.seed}  out={args.out}")

# %% [markdown]
# 和第 1 章一样加载并预处理训练数据（测试集用 `_` 丢掉）。`--quick` 模式只取 2000 张，每个实验只训练 1–2 轮，这时的数字只说明代码能跑通，不能拿来下结论。
#
# 每个实验训练之前都用 `keras.utils.set_random_seed(args.seed)` 把随机种子设回同一个值，所以各个模型从同一种随机状态出发，比较的差别来自设置本身，而重跑本 notebook 会得到同样的数。

# %%
(train_images, train_labels), _ = load_mnist()
if args.quick:
    train_images, train_labels = train_images[:2000], train_labels[:2000]
x_train = train_images.reshape((len(train_images), 28 * 28)).astype("float32") / 255
y_train = keras.utils.to_categorical(train_labels, num_classes=10)

LONG_EPOCHS = 2 if args.quick else 20  # 练习 2 的长训练
EPOCHS = 1 if args.quick else 5  # 其余实验，和第 1 章一样 5 轮
n_fit = int(len(x_train) * 0.9)  # validation_split=0.1 时参与训练的张数


def train(model, x, epochs):
    """用第 1 章的设置训练 model（批量大小 128，留出最后 10% 做验证集），返回每轮的记录。"""
    history = model.fit(x, y_train, epochs=epochs, batch_size=128, validation_split=0.1, verbose=0)
    return history.history


print("训练数据:", x_train.shape, " 其中参与训练:", n_fit, " 验证集:", len(x_train) - n_fit)

# %% [markdown]
# ## 练习 1
#
# `validation_split=0.1` 把 60000 张中的最后 6000 张留作验证集，参与训练的是 54000 张。每批 128 张，54000 / 128 不是整数，最后剩下的不足 128 张也算一批、也更新一次权重，所以要向上取整。

# %%
updates_per_epoch = math.ceil(int(60000 * 0.9) / 128)
print("54000 / 128 =", 54000 / 128, " 向上取整:", updates_per_epoch)
check("ch01.1", updates_per_epoch)

# %% [markdown]
# ## 练习 2
#
# 不用分别训练 1 轮、10 轮、20 轮三个模型：训练 20 轮时，第 k 轮结束那一刻的模型，经历的正是"只训练 k 轮"的全部过程（只差随机性），所以一次 20 轮的训练，每轮结束时的验证结果就够用了。

# %%
keras.utils.set_random_seed(args.seed)
long_model = build_model()
long_history = train(long_model, x_train, LONG_EPOCHS)

val_loss = np.array(long_history["val_loss"])
val_acc = np.array(long_history["val_accuracy"])
print("每轮训练损失:", np.round(long_history["loss"], 4))
print("每轮验证损失:", np.round(val_loss, 4))
print("每轮验证准确率:", np.round(val_acc, 4))
for epoch in (1, 10, 20):
    if epoch <= LONG_EPOCHS:
        print(
            f"{epoch:2d} 轮后  val_acc: {val_acc[epoch - 1]:.4f}  val_loss: {val_loss[epoch - 1]:.4f}"
        )
best = int(np.argmin(val_loss)) + 1
train_loss = np.array(long_history["loss"])
rises = int(np.sum(np.diff(val_loss) > 0))
print(f"验证损失最低的一轮: {best}（{val_loss[best - 1]:.4f}），最后一轮: {val_loss[-1]:.4f}")
print(f"验证准确率最高的一轮: {int(np.argmax(val_acc)) + 1}（{val_acc.max():.4f}）")
print(f"相邻两轮之间验证损失上升了 {rises} 次（共 {LONG_EPOCHS - 1} 次比较）")
if best < LONG_EPOCHS:
    print(
        f"结论：第 {best} 轮以后验证损失再没有更低，最后一轮比最低点高 {val_loss[-1] - val_loss[best - 1]:.4f}；"
        f"同一时期训练损失从 {train_loss[best - 1]:.4f} 降到 {train_loss[-1]:.4f}。按本教程的定义，第 {best} 轮以后是过拟合。"
    )
else:
    print("结论：验证损失到最后一轮仍在创新低，这次运行里还看不到过拟合。")

fig = plot_history(long_history)
finish(fig, args.out, "ch01_answers_long_run.png")

# %% [markdown]
# 顺便核对练习 1：优化器记着自己一共更新了多少次权重。

# %%
iterations = int(long_model.optimizer.iterations)
print(f"{LONG_EPOCHS} 轮共更新 {iterations} 次，每轮 {iterations // LONG_EPOCHS} 次；")
print("按练习 1 的算法，这些数据每轮应为", math.ceil(n_fit / 128), "次")

# %% [markdown]
# 训练到最后，再用 `evaluate` 量一下训练数据和验证集上的准确率，看泛化差距变成了多少，可以和第 1 章 1.7 节 5 轮时的差距比一比：

# %%
_, long_train_acc = long_model.evaluate(x_train[:n_fit], y_train[:n_fit], verbose=0)
_, long_val_acc = long_model.evaluate(x_train[n_fit:], y_train[n_fit:], verbose=0)
print(f"{LONG_EPOCHS} 轮后  train_acc: {long_train_acc:.4f}  val_acc: {long_val_acc:.4f}")
print(f"泛化差距 gap: {long_train_acc - long_val_acc:+.4f}")

# %% [markdown]
# **怎么读这些数字**：训练损失每轮都在降。验证损失不是这样：它在头几轮降得最快，此后有升有降（"上升了几次"那一行），最低点落在"结论"一行说的那一轮，之后再也没有更低。那以后训练损失还在降，验证损失却停在比最低点高的地方，这就是本教程所说的过拟合：网络越来越擅长训练图片，多学到的却是只属于训练图片的细节。
#
# 验证准确率和验证损失的最好一轮不一定是同一轮（比较"最低的一轮"和"最高的一轮"两行）。两者并不矛盾：准确率只数对错，损失还看把握有多大。网络越训练越自信，对仍然认错的那些验证图片也错得越来越自信，每张错图的损失变大，平均损失就上去了。所以"训练多少轮"要看你用哪个指标：按验证损失，停在它最低的那一轮附近；按验证准确率，看它最高的那一轮。无论按哪个，挑选用的都是验证集，测试集一次也没有用。

# %% [markdown]
# ## 练习 3
#
# 第一层：784 个输入 × 神经元数 个权重，加上 神经元数 个偏置；第二层：神经元数 × 10 个权重，加上 10 个偏置。


# %%
def count_parameters(hidden_units):
    return 784 * hidden_units + hidden_units + hidden_units * 10 + 10


parameter_counts = (count_parameters(64), count_parameters(1024))
print("公式:", parameter_counts)
print("count_params():", (build_model(64).count_params(), build_model(1024).count_params()))
check("ch01.3", parameter_counts)

# %% [markdown]
# ## 练习 4
#
# 三种宽度各训练 5 轮，比较最后一轮的验证准确率。512 个神经元、5 轮，正是练习 2 那次长训练的前 5 轮，直接取它第 5 轮的结果，不再重复训练。
#
# 这个 512 的数和第 1 章 1.7 节打印的 `val_acc` 不会完全一样：两次训练的随机种子相同，但第 1 章建模之前，1.3 节的演示层已经用掉了一些随机数，初始权重因此不同。两个数之差，正好说明只换一组初始权重，验证准确率会变多少。在第 1 章的练习 4 里先设种子再训练 64 和 1024，得到的是和这里同样设置下的结果。

# %%
width_results = {512: (count_parameters(512), val_acc[EPOCHS - 1], val_loss[EPOCHS - 1])}
for units in (64, 1024):
    keras.utils.set_random_seed(args.seed)
    h = train(build_model(units), x_train, EPOCHS)
    width_results[units] = (count_parameters(units), h["val_accuracy"][-1], h["val_loss"][-1])

n_val = len(x_train) - n_fit
correct = {}
for units, (params, acc, loss) in sorted(width_results.items()):
    correct[units] = round(acc * n_val)
    print(
        f"{units:5d} 个神经元  参数 {params:7d}  val_acc: {acc:.4f}（{n_val} 张里对 {correct[units]} 张）  val_loss: {loss:.4f}"
    )
print(f"64 → 512 个神经元：参数约多 8 倍，多认对 {correct[512] - correct[64]} 张")
print(f"512 → 1024 个神经元：参数约多 1 倍，多认对 {correct[1024] - correct[512]} 张")

# %% [markdown]
# **怎么读**：看最后两行认对的张数。宽度不够时，第一层的 64 个数装不下区分 10 个数字所需的全部信息；够用之后再加宽，收益就小了，而每轮的计算量却跟着参数一起涨。验证集只有 6000 张，一张图约 0.017 个百分点，相差几张图的两个结果，换个随机种子就可能颠倒。

# %% [markdown]
# ## 练习 5
#
# 照 `build_model` 的样子写一个三层的模型，编译参数不变：


# %%
def build_deeper_model():
    model = keras.Sequential(
        [
            keras.Input(shape=(28 * 28,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


keras.utils.set_random_seed(args.seed)
deeper_model = build_deeper_model()
deeper = train(deeper_model, x_train, EPOCHS)
print(
    f"三层  参数 {deeper_model.count_params()}  每轮 val_acc: {np.round(deeper['val_accuracy'], 4)}"
)
print(f"两层  参数 {count_parameters(512)}  每轮 val_acc: {np.round(val_acc[:EPOCHS], 4)}")
print(
    f"第 {EPOCHS} 轮  三层 val_acc: {deeper['val_accuracy'][-1]:.4f}  两层 val_acc: {val_acc[EPOCHS - 1]:.4f}"
)
difference = round((deeper["val_accuracy"][-1] - val_acc[EPOCHS - 1]) * n_val)
print(f"三层比两层多认对 {difference} 张验证图（共 {n_val} 张）")

# %% [markdown]
# **怎么读**：最后一行是两者认对张数之差（负数表示三层反而少认对）。两层的网络在 MNIST 上已经认对了绝大多数验证图片，多加一层能改进的空间本来就不大；相差几十张以内的结果，换个随机种子就可能反过来，不能说明谁更好。对这么简单的任务，加深网络不是提高准确率的捷径。

# %% [markdown]
# ## 练习 6
#
# 去掉 `/ 255`，像素保持 0–255 的 `float32`：

# %%
x_train_raw = train_images.reshape((len(train_images), 28 * 28)).astype("float32")
keras.utils.set_random_seed(args.seed)
raw = train(build_model(), x_train_raw, EPOCHS)
print("不缩放  每轮训练损失:", np.round(raw["loss"], 4))
print("不缩放  每轮验证损失:", np.round(raw["val_loss"], 4))
print("不缩放  每轮验证准确率:", np.round(raw["val_accuracy"], 4))
print("缩放到 0–1  每轮验证损失:", np.round(val_loss[:EPOCHS], 4))
print("缩放到 0–1  每轮验证准确率:", np.round(val_acc[:EPOCHS], 4))
print(f"第一轮训练损失：不缩放是缩放时的 {raw['loss'][0] / long_history['loss'][0]:.0f} 倍")
print(
    f"第 {EPOCHS} 轮验证准确率：不缩放 {raw['val_accuracy'][-1]:.4f}，缩放 {val_acc[EPOCHS - 1]:.4f}"
)

# %% [markdown]
# **怎么读**：对照两组数和最后两行的比较。不缩放时，第一轮的训练损失是缩放时的许多倍，验证损失和验证准确率也都比缩放时差。原因是输入大了 255 倍：第一层算出的数跟着变大，网络一开始就给出极端自信的错误答案；RMSprop 每一步让每个权重挪动的幅度差不多（第 4 章会看到），输入大 255 倍，同样一步对输出的影响也大 255 倍，训练就在大损失附近来回跳。把输入缩放到小而统一的范围，是几乎所有网络训练前都要做的一步。

# %% [markdown]
# ## 练习 7
#
# 全连接层只作用在最后一个轴上：(4, 28, 28) 的最后一个轴长 28，16 个神经元把每 28 个数变成 16 个数，前面的 (4, 28) 原样保留。所以权重矩阵是 (28, 16)，输出是 (4, 28, 16)。用一个真的层核对：

# %%
dense = keras.layers.Dense(16)
output = dense(np.zeros((4, 28, 28), dtype="float32"))
dense_shapes = (tuple(output.shape), tuple(dense.kernel.shape))
print("输出形状:", dense_shapes[0], " kernel 的形状:", dense_shapes[1])
print("参数个数:", dense.count_params())
check("ch01.7", dense_shapes)

# %% [markdown]
# 这个层一共只有 28 × 16 + 16 个参数：每张图的 28 行共用同一组权重，各算各的，行与行之间没有交流。第 1 章把图展平成 784 维，第一层的每个神经元才看得到整张图；这是那个网络的选择，不是全连接层的要求。
