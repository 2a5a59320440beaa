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
# # 第 2 章 数据的表示：张量
#
# **本章做什么**：第 1 章训练网络用的图片和标签都是 NumPy 数组。这种多维数组统称张量(tensor)。本章从零阶的单个数字讲到五阶的视频数据，学会看张量的三个基本属性，用真实的 MNIST 练习切片和分批，最后看表格、序列、文字、图片和视频各是什么形状的张量。本章主要用 NumPy，不训练模型。
#
# **怎么运行**：在 Jupyter 里从上到下执行每个单元格；或者在终端里运行 `python scripts/ch02_tensors.py`（几秒钟跑完，图片存进 `--out` 目录，默认 `outputs/`）。本章计算量很小，`--quick` 只为和其他章节用法一致，结果不变。

# %% [markdown]
# ## 2.1 准备工作
#
# 第一行读入命令行参数并固定随机种子(random seed)：本章后面生成示例数据时用到了随机数。

# %%
from keras_tutorial.settings import start_chapter

# 读命令行参数、固定随机种子
args = start_chapter("第 2 章：数据的表示：张量 / Chapter 2: data representations (tensors)")

import numpy as np

print("NumPy", np.__version__, f"  quick={args.quick}  out={args.out}")

# %% [markdown]
# ## 2.2 从标量到高阶张量
#
# 张量是存放数字的容器，可以看成一个能有任意多个轴的数组。描述一个张量最常用三个属性：
#
# - `ndim`：它有几个轴(axis)，也叫它的阶(rank)；
# - `shape`：形状(shape)，每个轴上有多少个元素，是一个整数元组；
# - `dtype`：数据类型(dtype)，例如 `uint8`、`float32`、`float64`。
#
# 下面的小函数一次打印这三个属性，本章反复使用。第一行的 `# @save` 是本教程的约定：这样标记的单元格会原样复制进 `keras_tutorial/ch02.py`，练习答案里 `from keras_tutorial.ch02 import describe` 就能调用。


# %%
# @save
def describe(name, t):
    """打印数组 t 的阶、形状和数据类型。"""
    print(f"{name}: ndim={t.ndim}  shape={t.shape}  dtype={t.dtype}")


# %% [markdown]
# **标量(scalar)**：只有一个数，零个轴，形状是空元组 `()`。**向量(vector)**：一列数，一个轴，是一阶张量。

# %%
scalar = np.array(7)
describe("scalar", scalar)
vector = np.array([3, 1, 4, 1, 5])
describe("vector", vector)

# %% [markdown]
# 这里要分清两种"维"。这个向量 `ndim=1`、`shape=(5,)`：它沿唯一的轴有 5 个元素，数学上常叫"5 维向量"，但它是**一阶**张量，不是"5 维张量"。"维度(dimension)"有时指某个轴上的元素个数，有时指轴的个数，容易混淆，所以本教程说轴的个数时一律用"阶"。
#
# **矩阵(matrix)**：两个轴，是二阶张量。沿第一个轴排列的是各行，沿第二个轴排列的是各列。和 Python 的列表一样，每个轴上的下标(index)都从 0 开始：`matrix[0]` 是下标 0 的行，`matrix[:, 0]` 是下标 0 的列。

# %%
matrix = np.array([[2, 7, 1, 8], [2, 8, 1, 8], [4, 5, 9, 0]])
describe("matrix", matrix)
print("matrix[0]:", matrix[0], "  matrix[:, 0]:", matrix[:, 0])

# %% [markdown]
# **三阶及更高阶张量**：把几个形状相同的矩阵叠在一起，就多出一个轴，得到三阶张量；再叠就是四阶，依此类推。深度学习里常见的是零到四阶，视频会用到五阶。同样的数字换一种数据类型存放，形状不变，占的内存却不同（`nbytes` 是数组占用的字节数）：

# %%
tensor3 = np.stack([matrix, matrix * 10])
describe("tensor3", tensor3)
tensor4 = np.stack([tensor3, tensor3, tensor3])
describe("tensor4", tensor4)
for dtype in ["uint8", "float32", "float64"]:
    t = tensor4.astype(dtype)
    print(f"{dtype:8s} shape={t.shape}  每个元素 {t.itemsize} 字节，共 {t.nbytes} 字节")

# %% [markdown]
# ## 2.3 MNIST 也是张量
#
# 用第 1 章的加载函数读入 MNIST，看看训练图片的三个属性：

# %%
from keras_tutorial.data import load_mnist

(train_images, train_labels), (test_images, test_labels) = load_mnist()
describe("train_images", train_images)
describe("train_labels", train_labels)

# %% [markdown]
# 训练图片是三阶张量：第一个轴是图片的下标，后两个轴是每张图的行和列；每个元素是一个像素(pixel)的灰度(grayscale)值，类型 `uint8`（0 到 255 的整数）。用 Matplotlib 把下标为 4 的图画出来：

# %%
import matplotlib.pyplot as plt

# 画图的辅助函数在 keras_tutorial/plotting.py；finish 在 Jupyter 里显示图，在终端里存成文件
from keras_tutorial.plotting import finish, plot_price_day, show_crops, show_digits

digit = train_images[4]
describe("digit", digit)
fig, ax = plt.subplots(figsize=(3, 3))
ax.imshow(digit, cmap="binary")
ax.set_title(f"train_images[4]，标签 {train_labels[4]}")
finish(fig, args.out, "ch02_digit.png")

# %% [markdown]
# ## 2.4 切片：取出张量的一部分
#
# 沿着某个轴取出一段元素叫切片(slicing)。`train_images[10:100]` 取出下标 10 到 99 的图片：切片包含起点、不含终点，一共 100 − 10 = 90 张。没写的轴默认整条取，`:` 也表示整条取，所以下面三种写法等价：

# %%
my_slice = train_images[10:100]
describe("train_images[10:100]", my_slice)
same_1 = np.array_equal(my_slice, train_images[10:100, :, :])
same_2 = np.array_equal(my_slice, train_images[10:100, 0:28, 0:28])
print("三种写法结果相同:", same_1 and same_2)

# %% [markdown]
# 切出来的仍然是图片，画出其中前 8 张（下标 10 到 17），标题是它们的标签：

# %%
fig = show_digits(my_slice[:8], train_labels[10:18], title="train_images[10:18]")
finish(fig, args.out, "ch02_slice.png")

# %% [markdown]
# 切片也可以作用在后两个轴上，即在每张图里截取一块。`14:` 从下标 14 取到末尾，所以 `[:, 14:, 14:]` 是每张图右下角 14×14 的一块；负数下标从末尾倒着数，`[:, 7:-7, 7:-7]` 是去掉四周各 7 个像素后的中间一块。下面把几张图的原图、右下角和中间并排画出来，截出的块画在它在原图中的位置上，灰色是被切掉的部分：

# %%
corner = train_images[:, 14:, 14:]
centre = train_images[:, 7:-7, 7:-7]
describe("右下角 corner", corner)
describe("中间 centre", centre)
views = [  # (标题, 图片, 截出的块在 28×28 原图中的起始下标)
    ("整张图 [:, :, :]", train_images, 0),
    ("右下角 [:, 14:, 14:]", corner, 14),
    ("中间 [:, 7:-7, 7:-7]", centre, 7),
]
fig = show_crops(views, [0, 1, 2, 4])
finish(fig, args.out, "ch02_crops.png")

# %% [markdown]
# 切片还可以带步长(step)：`start:stop:step` 从下标 `start` 开始，每次把下标加 `step`，一直取到 `stop` 之前。省略 `start` 从 0 开始，省略 `stop` 取到末尾，省略 `step` 就是步长 1。在一个短向量上看得最清楚：

# %%
v = np.arange(10)
print("v       :", v)
print("v[::3]  :", v[::3], "  元素个数:", len(v[::3]))
print("v[1:8:2]:", v[1:8:2], "  元素个数:", len(v[1:8:2]))
describe("digit[::2, ::2]", digit[::2, ::2])

# %% [markdown]
# `v[::3]` 取的是下标 0、3、6、9：下标 9 仍在终点 10 之前，所以也算在内。最后一行把步长用在一张图的行和列上：每隔一行、每隔一列取一个像素，图片的边长减半。

# %% [markdown]
# ## 2.5 批量和批量轴
#
# 第 1 章训练时，网络每次只看一小批图，称为一个批量(batch)。数据张量的第一个轴几乎总是样本(sample)的下标，称为样本轴(samples axis)；按批处理时也叫批量轴(batch axis)，一个批量就是沿它切出的一段。
#
# 为什么不一次把 6 万张图全送进网络？一是内存：送进去的数据，连同每一层算出的中间结果，都要同时放在内存里（用 GPU 时是显存里），数据越多占得越多。二是计算：每算一次梯度只能更新一次权重，用全部数据算一次很慢，用一个批量算出的梯度虽然只是估计，却能在同样的时间里更新几百次。批量也不是越小越好：太小时梯度的估计噪声大，每次的计算量又太少，用不满向量化运算的速度（第 3、4 章）。下面按第 1 章的设置算一算内存（第一层 512 个神经元，数据是 `float32`，每个数 4 字节）：

# %%
batch_size = 128
pixels, hidden = 28 * 28, 512
float32_bytes = np.dtype("float32").itemsize
for name, count in [("全部训练图片", len(train_images)), ("一个批量", batch_size)]:
    inputs = count * pixels * float32_bytes
    activations = count * hidden * float32_bytes
    print(
        f"{name}（{count} 张）: 输入 {inputs / 2**20:8.2f} MiB，第一层输出 {activations / 2**20:8.2f} MiB"
    )
print(
    "每轮的更新次数：整个训练集一次算完是 1 次，批量大小 128 时是",
    -(-len(train_images) // batch_size),
    "次",
)

# %% [markdown]
# 6 万张图的输入和第一层输出合起来是几百 MiB，而一个批量不到 1 MiB。本章的小网络用全部数据其实也放得下，但网络更大、图片更大时（第 2.6 节的视频就是例子），一次放不下全部数据是常态；更重要的是，同样训练一轮，分成批量能更新几百次权重。
#
# 批量也从 0 编号：每批 128 张时，批量 n 是 `train_images[128 * n : 128 * (n + 1)]`。6 万不是 128 的整数倍，所以最后一批短一些；切片越过末尾不会报错，只是取到末尾为止：

# %%
for n in [0, 1, 2]:
    start, stop = batch_size * n, batch_size * (n + 1)
    batch = train_images[start:stop]
    print(f"批量 {n}: 图片下标 {start} 到 {stop - 1}, shape={batch.shape}")
num_batches = -(-len(train_images) // batch_size)  # 向上取整
last = train_images[batch_size * (num_batches - 1) : batch_size * num_batches]
print(f"一共 {num_batches} 批；最后一批（批量 {num_batches - 1}）的形状: {last.shape}")
sizes = [len(train_images[batch_size * n : batch_size * (n + 1)]) for n in range(num_batches)]
print("各批大小加起来:", sum(sizes), " 训练图片总数:", len(train_images))

# %% [markdown]
# ## 2.6 现实中的数据都是什么形状
#
# 不管原始数据是什么，送进网络前都要变成张量。下面为几类常见数据各造一个小例子，重点看每个轴的含义。
#
# ### 向量数据：(样本, 特征)
#
# 最常见的是表格：每行一个样本，每列一个特征(feature)。例如 200 套二手房，每套记录面积（平方米）、房间数、楼层、房龄（年）这 4 个数，就是形状 (200, 4) 的二阶张量。

# %%
rng = np.random.default_rng(args.seed)
area = rng.uniform(30, 150, 200).round(1)  # 面积（平方米）
rooms, floor, age = rng.integers(1, 6, 200), rng.integers(1, 31, 200), rng.integers(0, 40, 200)
houses = np.column_stack([area, rooms, floor, age])  # 四列并排，每行一套房
describe("houses", houses)
print("houses[0]  [面积, 房间数, 楼层, 房龄]:", houses[0])

# %% [markdown]
# ### 序列数据：(样本, 时间步, 特征)
#
# 数据是一个接一个出现的序列(sequence)时，顺序本身就是信息，于是单独占一个轴，叫时间步(timestep)。约定的顺序是：轴 0 是样本，**轴 1 是时间**，最后一个轴是每个时间步上的特征。Keras 处理序列的层默认按这个顺序读数据。
#
# 以股价为例：美股一个交易日开盘 390 分钟，每分钟记 3 个数（这一分钟的收盘价、最高价、最低价），一天就是 (390, 3)；一年约 250 个交易日，叠起来就是 (250, 390, 3)。这里用随机游走(random walk)生成一年的假数据：


# %%
def fake_trading_day(rng, start=100.0, minutes=390):
    """一天里每分钟的价格，三列依次是收盘价、最高价、最低价。"""
    close = start + np.cumsum(rng.normal(0, 0.05, minutes))
    spread = np.abs(rng.normal(0, 0.03, (minutes, 2)))
    return np.column_stack([close, close + spread[:, 0], close - spread[:, 1]])


one_day = fake_trading_day(rng)
describe("one_day", one_day)
year = np.stack([fake_trading_day(rng) for _ in range(250)])
describe("year", year)
print("year[0, 0]  [收盘, 最高, 最低]:", year[0, 0].round(2))

# %% [markdown]
# 按轴的含义切片：固定轴 1（时间）上的下标，得到每一天同一分钟的数据；固定轴 0（样本），得到一天里的整条序列。最后把 `one_day` 画出来，横轴就是时间轴：

# %%
describe("year[:, 0, :]（每天开盘第一分钟）", year[:, 0, :])
describe("year[0, :, 0]（下标 0 那天每分钟的收盘价）", year[0, :, 0])
print("时间步个数 year.shape[1]:", year.shape[1])
fig = plot_price_day(one_day, title="one_day：形状 (390, 3)")
finish(fig, args.out, "ch02_prices.png")

# %% [markdown]
# ### 文本之一：字符序列 (样本, 字符位置, 字符表)
#
# 文本也是序列，时间步就是字符的位置。一条推文最多 280 个字符。把每个字符写成长度 128 的独热编码(one-hot encoding)向量（128 是 ASCII 字符表的大小，只有该字符编号的位置是 1），一条推文就是 (280, 128)，不足 280 个字符的部分全是 0；一批推文再加一个样本轴，正好是 (样本, 时间步, 特征)。


# %%
def encode_tweet(text, length=280, alphabet=128):
    """把一个 ASCII 字符串编码成形状 (length, alphabet) 的独热编码数组。"""
    codes = [ord(c) for c in text]
    if any(code >= alphabet for code in codes) or len(codes) > length:
        raise ValueError(f"expects at most {length} ASCII characters, got {text!r}")
    one_hot = np.zeros((length, alphabet), dtype="uint8")
    one_hot[np.arange(len(codes)), codes] = 1  # 第 i 行在第 codes[i] 列放一个 1
    return one_hot


tweet = encode_tweet("Tensors are just boxes of numbers.")
describe("tweet", tweet)
first = np.flatnonzero(tweet[0])
print("tweet[0] 中为 1 的位置:", first, " 对应的字符:", repr(chr(first[0])))
print("从独热编码还原:", "".join(chr(row.argmax()) for row in tweet if row.any()))
tweets = np.stack([encode_tweet(t) for t in ["Hello, Keras!", "NumPy first.", "Deep learning"]])
describe("tweets", tweets)

# %% [markdown]
# ### 文本之二：词袋 (样本, 词表)
#
# 另一种常见的表示是词袋(bag of words)：不管词序，只数每个词在一条文本里出现几次。把所有文本里出现过的词排好序，组成词表(vocabulary)；每条文本变成一个长度等于词表大小的向量，一批文本就是形状 (样本, 词表大小) 的二阶张量，没有时间轴：

# %%
texts = ["the dog bites the man", "the man bites the dog", "the cat sleeps"]
vocabulary = sorted({word for text in texts for word in text.split()})
print("词表 vocabulary:", vocabulary)
bags = np.zeros((len(texts), len(vocabulary)), dtype="int32")
for row, text in enumerate(texts):
    for word in text.split():
        bags[row, vocabulary.index(word)] += 1  # 这个词又出现了一次
describe("bags", bags)
print(bags)
print("bags[0] 与 bags[1] 相同:", np.array_equal(bags[0], bags[1]))

# %% [markdown]
# 最后一行是 `True`：词袋丢掉了词序，"狗咬人"和"人咬狗"成了同一个向量。字符序列保留了顺序，代价是多一个轴、张量大得多。
#
# ### 图像：(样本, 高, 宽, 通道)
#
# 图像有高、宽两个空间轴，再加一个通道(channel)轴：灰度图 1 个通道，彩色图 3 个（红、绿、蓝）。通道轴放在最后叫"通道在后(channels-last)"，放在高之前叫"通道在前(channels-first)"。Keras 默认用哪一种，可以用 `keras.config.image_data_format()` 查询。
#
# MNIST 是灰度图，本来没有通道轴。给一批 128 张图在最后加一个长度为 1 的轴，就是通道在后；用 `np.transpose` 把通道轴移到前面，就是通道在前。两种格式装的是同一批像素。彩色图片同理，例如一批 16 张 64×64 的彩色图片（这里全填 0）：

# %%
import keras

print("keras.config.image_data_format():", keras.config.image_data_format())
mnist_batch = train_images[:128]
channels_last = mnist_batch[..., np.newaxis]
channels_first = np.transpose(channels_last, (0, 3, 1, 2))
describe("channels_last ", channels_last)
describe("channels_first", channels_first)
print("同一个像素:", channels_last[4, 14, 14, 0], "==", channels_first[4, 0, 14, 14])
print("全部像素相同:", np.array_equal(channels_last[..., 0], channels_first[:, 0]))
describe("colour_batch", np.zeros((16, 64, 64, 3), dtype="uint8"))

# %% [markdown]
# ### 视频：(样本, 帧, 高, 宽, 通道)
#
# 视频是一串图像，每张图像叫一帧(frame)，所以再多一个帧轴，成为五阶张量；帧轴就是时间轴，仍是轴 1。设有 4 段视频，每段 8 秒、每秒 30 帧，每帧是 144×256 的彩色图像；帧数等于秒数乘每秒帧数，由代码来算。内存大小常用 MiB 表示：1 MiB = 2²⁰ = 1,048,576 字节；硬盘厂商常用的 MB 是 10⁶ 字节。下面两种都打印：

# %%
clips, seconds, fps = 4, 8, 30  # 4 段，每段 8 秒，每秒 30 帧
frames = seconds * fps
print("每段的帧数:", frames)
videos = np.zeros((clips, frames, 144, 256, 3), dtype="float32")
describe("videos", videos)
print(f"元素个数: {videos.size:,}")
mib, mb = videos.nbytes / 2**20, videos.nbytes / 1e6
print(f"float32 占用: {videos.nbytes:,} 字节 = {mib:.1f} MiB = {mb:.1f} MB")
print(f"存成 uint8 只要: {videos.size * np.dtype('uint8').itemsize / 2**20:.1f} MiB")
del videos  # 后面用不到了，释放这块内存

# %% [markdown]
# 仅仅 4 段 8 秒的小视频，存成 `float32` 就要几百 MiB，存成 `uint8` 也要约四分之一。这也是视频通常以压缩格式保存、需要时才解码成张量的原因。

# %% [markdown]
# ## 小结
#
# - 张量用三个属性描述：阶 `ndim`（轴的个数，"5 维向量"只是一阶张量）、形状 `shape`、数据类型 `dtype`。
# - 下标从 0 开始；切片 `start:stop:step` 包含起点、不含终点，可以用在任何一个轴上。
# - 第一个轴通常是样本轴（批量轴），一个批量就是沿它切出的一段，最后一批可能不满。分批是内存和计算的折中：一个批量占的内存小，一轮能更新很多次权重。
# - 表格 (样本, 特征)；序列 (样本, 时间步, 特征)，时间在轴 1；词袋 (样本, 词表大小)；图像 (样本, 高, 宽, 通道)；视频 (样本, 帧, 高, 宽, 通道)。

# %% [markdown]
# ## 练习
#
# 在每道题下面的单元格里写出答案并运行，`check` 会告诉你答得对不对；答错时它给出提示，但不直接给答案。参考答案在 `notebooks/ch02_answers.ipynb`，先自己试一试再看。

# %%
from keras_tutorial.exercises import check

# %% [markdown]
# ### 练习 1
#
# 不运行代码，先写出 `train_images[:100:3, ::2, ::2]` 的形状，再运行验证（看 2.4 节最后的步长切片）。把其中前 8 张画出来，和原图相比有什么变化？

# %%
answer_1 = None  # 在这里写出形状，例如 (2, 3, 4)
check("ch02.1", answer_1)

# %% [markdown]
# ### 练习 2
#
# 用切片取出训练集下标 0 到 7 这 8 张图各自左上角 14×14 的一块（一个三阶数组），再把它们画出来。

# %%
answer_2 = None  # 在这里写出切片表达式
check("ch02.2", answer_2)

# %% [markdown]
# ### 练习 3
#
# 训练集按每批 256 张分，一共几批？最后一批有几张？用代码算出来（看 2.5 节）。

# %%
answer_3 = None  # 在这里写出 (批数, 最后一批的张数)
check("ch02.3", answer_3)

# %% [markdown]
# ### 练习 4
#
# 一个气象站每 10 分钟记录一次温度、气压和湿度。把每一天（24 小时）作为一个样本，按本章的约定（时间在轴 1），一年 365 天的记录是什么形状的张量？

# %%
answer_4 = None  # 在这里写出形状
check("ch02.4", answer_4)

# %% [markdown]
# ### 练习 5
#
# 一段 10 秒、每秒 30 帧、每帧 1920×1080 的彩色视频，存成 `uint8` 和 `float32` 各要多少 MiB？用代码算出来。

# %%
answer_5 = None  # 在这里写出 (uint8 的 MiB, float32 的 MiB)
check("ch02.5", answer_5)

# %% [markdown]
# ### 练习 6
#
# 在 2.6 节词袋例子的 `texts` 里再加一句 `"the cat bites the dog"`，先想一想，再运行验证：`bags` 的形状变成什么？

# %%
answer_6 = None  # 在这里写出形状
check("ch02.6", answer_6)
