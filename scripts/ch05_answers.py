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
# # 第 5 章 练习参考答案
#
# 先在 `notebooks/ch05_backpropagation.ipynb` 里自己做，再来对照。有唯一答案的题用 `check` 验证，并用中心差分核对；实验题运行实验，并根据打印出的数字解释。
#
# 章节里定义的函数（`softmax`、`train`、`evaluate` ……）从 `keras_tutorial.ch05` 导入，它由章节里标记 `# @save` 的单元格生成。

# %%
from keras_tutorial.settings import start_chapter

args = start_chapter("第 5 章练习答案 / Chapter 5: answers")

import numpy as np

from keras_tutorial.ch05 import evaluate, softmax, train
from keras_tutorial.data import load_mnist
from keras_tutorial.exercises import check

print(f"quick={args.quick}")

# %% [markdown]
# ## 练习 1
#
# 逐环算：$z = 0.25 \times 2 - 1 = -0.5 < 0$，所以 $a = \mathrm{relu}(z) = 0$；$\partial L/\partial a = 2(a-t) = -6$，$\partial a/\partial z = [z>0] = 0$，$\partial z/\partial w = x = 2$。乘起来是 0：relu 在 $z<0$ 处的导数是 0，梯度从这里传不过去，这一步 $w$ 不会被更新。再用中心差分验证：

# %%
w, x, b, t = 0.25, 2.0, -1.0, 3.0
z = w * x + b
factors = (2 * (max(z, 0.0) - t), float(z > 0), x)  # dL/da, da/dz, dz/dw
answer_1 = float(np.prod(factors)) + 0.0  # 加 0.0 把 −0.0 写成 0.0
print(f"z = {z}；链式法则：dL/dw = {' × '.join(map(str, factors))} = {answer_1}")
up, down = ((max(v * x + b, 0.0) - t) ** 2 for v in (w + 1e-6, w - 1e-6))  # L(w ± h)
print(f"中心差分：dL/dw ≈ {(up - down) / 2e-6:.6f}")
check("ch05.1", answer_1)

# %% [markdown]
# 两种算法都得到 0。反向传播里的 `d_z = d_h * (h > 0)` 做的是同一件事：$z \le 0$ 的位置梯度为 0。

# %% [markdown]
# ## 练习 2
#
# 5.2 节推导出 $\partial L/\partial z_k = p_k - y_k$：先用 `softmax` 算出三个概率 $p$，再在正确类别 $c=0$ 那一项减 1。`softmax` 按行计算，所以把一个样本写成 1 行：

# %%
z = np.array([[2.0, 1.0, 0.1]])
p = softmax(z)[0]
y = np.array([1.0, 0.0, 0.0])  # 独热标签，正确类别 c = 0
answer_2 = p - y
print(f"p = {p.round(4)}，p − y = {answer_2.round(4)}")
check("ch05.2", answer_2)

# %% [markdown]
# 再用中心差分逐个核对三个导数（$L = -\log p_0$）：

# %%
for k in range(3):
    step = np.zeros_like(z)
    step[0, k] = 1e-6
    up, down = (-np.log(softmax(z + s)[0, 0]) for s in (step, -step))
    print(f"∂L/∂z{k}：p − y 给出 {answer_2[k]:+.6f}，中心差分 {(up - down) / 2e-6:+.6f}")

# %% [markdown]
# 两列一致。正确类别那一项是负的：增大它的原始分数，损失下降；其余两项是正的。三个数加起来是 0，因为 $p$ 和 $y$ 各自的和都是 1。

# %% [markdown]
# ## 练习 3
#
# 训练集的最后 10000 张作验证集，前 50000 张训练，三种学习率各训练 2 轮，比较验证准确率。测试集一次也没用。

# %%
(train_images, train_labels), _ = load_mnist()
if args.quick:
    train_images, train_labels = train_images[:3000], train_labels[:3000]
x_all = train_images.reshape(len(train_images), 784).astype("float32") / 255
split = len(x_all) - len(x_all) // 6  # 完整数据时前 50000 张训练，后 10000 张验证
val_acc = {}
for lr in (0.0001, 0.001, 0.01):
    params, history = train(x_all[:split], train_labels[:split], epochs=2, learning_rate=lr)
    val_acc[lr] = evaluate(params, x_all[split:], train_labels[split:])
    print(f"学习率 {lr:<6}：训练损失 {history['loss'][-1]:.4f}，验证准确率 {val_acc[lr]:.4f}")
best_lr = max(val_acc, key=val_acc.get)
print(f"验证准确率最高的是学习率 {best_lr}（{val_acc[best_lr]:.4f}），就选它")

# %% [markdown]
# 最后一行按验证准确率选出了学习率；用测试集来选，测试准确率就不再是对新数据的公正估计。学习率 0.0001 的训练损失最高：2 轮里权重挪得不够远。学习率 0.01 的步子更大，训练损失却不比 0.001 低，步子大并不等于降得快。轮数更多时排序可能变化，这个实验只比较了 2 轮。
