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
# # 第 2 章 练习参考答案
#
# 这里是第 2 章（`notebooks/ch02_tensors.ipynb`）末尾练习的参考答案，编号与章节里的 `### 练习 N` 一一对应。先在章节里自己做一遍，用 `check` 检查，再来对照。每个答案后面的 `check(...)` 打印 ✓ 和一句理由。
#
# **怎么运行**：在 Jupyter 里从上到下执行；或者在终端里运行 `python scripts/ch02_answers.py`，几秒钟就能跑完。图片保存在 `--out` 目录（默认 `outputs/`）。

# %%
from keras_tutorial.settings import start_chapter

# 读命令行参数、固定随机种子
args = start_chapter("第 2 章练习参考答案 / Chapter 2: answers to the exercises")

import matplotlib.pyplot as plt
import numpy as np

from keras_tutorial.ch02 import describe
from keras_tutorial.data import load_mnist
from keras_tutorial.exercises import check
from keras_tutorial.plotting import finish

(train_images, train_labels), _ = load_mnist()
describe("train_images", train_images)

# %% [markdown]
# ## 练习 1
#
# 三个轴分开算。样本轴上 `:100:3` 从下标 0 开始，每次加 3，直到 99 为止；行和列上 `::2` 每两个取一个，28 变成 14。样本轴最容易数错，让 NumPy 把取到的下标列出来：

# %%
taken = np.arange(100)[::3]
print("取到的下标:", taken[:4], "...", taken[-2:], " 共", len(taken), "个")
strided = train_images[:100:3, ::2, ::2]
answer_1 = strided.shape
check("ch02.1", answer_1)

# %% [markdown]
# 把前 8 张（原图下标 0、3、…、21）画在原图下面对比：

# %%
fig, axes = plt.subplots(2, 8, figsize=(10, 2.8))
for col in range(8):
    axes[0, col].imshow(train_images[3 * col], cmap="binary")
    axes[0, col].set_title(f"[{3 * col}] 28x28", fontsize=8)
    axes[1, col].imshow(strided[col], cmap="binary")
    axes[1, col].set_title(f"[{col}] 14x14", fontsize=8)
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
finish(fig, args.out, "ch02_answers_strided.png")

# %% [markdown]
# 每张图只剩原来 1/4 的像素（每个 2×2 的小方块里只留左上角那一个），所以画出来的格子更粗、笔画边缘呈锯齿状；上面的图里，这 8 个数字缩小后仍能认出来。

# %% [markdown]
# ## 练习 2
#
# 左上角是行和列都从下标 0 开始的一块：行取 `:14`（下标 0 到 13），列也取 `:14`；样本轴取 `:8`（下标 0 到 7）。切片不改变数据类型，结果仍是 `uint8`。

# %%
answer_2 = train_images[:8, :14, :14]
describe("answer_2", answer_2)
check("ch02.2", answer_2)

# %%
fig, axes = plt.subplots(1, 8, figsize=(10, 1.6))
for col, ax in enumerate(axes):
    ax.imshow(answer_2[col], cmap="binary", vmin=0, vmax=255)
    ax.set_title(f"标签 {train_labels[col]}", fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
finish(fig, args.out, "ch02_answers_corners.png")
print("每块里非零像素的个数:", (answer_2 > 0).sum(axis=(1, 2)))
print("整张图里非零像素的个数:", (train_images[:8] > 0).sum(axis=(1, 2)))

# %% [markdown]
# 左上角占整张图面积的 1/4。两行非零像素的个数一比：每块里的非零像素都不到整张图的三分之一，最少的一块只有个位数。MNIST 的数字写在图片中间，左上角只截到笔画的边缘，有的几乎是空白。

# %% [markdown]
# ## 练习 3
#
# 批数是 60000 ÷ 256 向上取整，最后一批的张数是总数减去前面各个整批用掉的张数。`divmod` 一次给出整批数和余数：

# %%
batch_size = 256
full, rest = divmod(len(train_images), batch_size)
print("整批数:", full, " 余下:", rest)
num_batches = full + (rest > 0)  # 余下的不满一批，也算一批
last = train_images[batch_size * (num_batches - 1) :]
describe("最后一批", last)
answer_3 = (num_batches, len(last))
check("ch02.3", answer_3)

# %% [markdown]
# 常见的两个错：只算整批（向下取整），漏了最后那一批；或者以为最后一批也是 256 张。上面真的切出了最后一批，它的形状就是答案的第二个数。

# %% [markdown]
# ## 练习 4
#
# 每天一个样本（轴 0）；时间在轴 1，一天 24 × 60 分钟，每 10 分钟一条记录；每条记录有温度、气压、湿度 3 个特征（最后一个轴）。

# %%
days, minutes_per_day, every = 365, 24 * 60, 10
timesteps = minutes_per_day // every
features = 3  # 温度、气压、湿度
answer_4 = (days, timesteps, features)
weather = np.zeros(answer_4, dtype="float32")  # 建一个这种形状的全零张量，确认形状
describe("weather", weather)
check("ch02.4", answer_4)

# %% [markdown]
# ## 练习 5
#
# 1920×1080 是宽 × 高，按 (帧, 高, 宽, 通道) 写形状；帧数是秒数乘每秒帧数。只按形状计算，不真的分配这么大的数组：

# %%
seconds, fps = 10, 30
shape = (seconds * fps, 1080, 1920, 3)
elements = int(np.prod(shape))
sizes = {dtype: elements * np.dtype(dtype).itemsize / 2**20 for dtype in ["uint8", "float32"]}
print("形状:", shape, f" 元素个数: {elements:,}")
for dtype, mib in sizes.items():
    print(f"{dtype:8s} {mib:8.1f} MiB  （{mib * 2**20 / 1e6:.1f} MB）")
answer_5 = (sizes["uint8"], sizes["float32"])
check("ch02.5", answer_5)

# %% [markdown]
# 10 秒的高清视频存成 `uint8` 就超过 1 GiB（1024 MiB），存成 `float32` 还要再乘 4。括号里的 MB 数字更大，是因为 1 MB = 10⁶ 字节比 1 MiB = 2²⁰ 字节小。

# %% [markdown]
# ## 练习 6
#
# 照 2.6 节的代码重做一遍词袋，只是多了一句：

# %%
texts = ["the dog bites the man", "the man bites the dog", "the cat sleeps"]
texts.append("the cat bites the dog")
vocabulary = sorted({word for text in texts for word in text.split()})
print("词表 vocabulary:", vocabulary)
bags = np.zeros((len(texts), len(vocabulary)), dtype="int32")
for row, text in enumerate(texts):
    for word in text.split():
        bags[row, vocabulary.index(word)] += 1
describe("bags", bags)
print(bags)
answer_6 = bags.shape
check("ch02.6", answer_6)

# %% [markdown]
# 样本轴多了一行；新句子里的 the、cat、bites、dog 在前三句里都出现过，打印出的词表和原来一样，所以词表那个轴的长度不变。
