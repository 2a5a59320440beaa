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
# # 第 4 章 练习参考答案
#
# 先在 `notebooks/ch04_gradient_descent.ipynb` 里自己做，再来对照。有唯一答案的题用 `check` 验证；实验题运行实验，并根据打印出的数字解释。
#
# 章节里定义的函数（`gd_step`、`descend`、`minibatch_sgd`、`momentum_step` ……）从 `keras_tutorial.ch04` 导入，它由章节里标记 `# @save` 的单元格生成。

# %%
from keras_tutorial.settings import start_chapter

args = start_chapter("第 4 章练习答案 / Chapter 4: answers")

import math

import numpy as np

from keras_tutorial.ch04 import descend, gd_step, minibatch_sgd, momentum_step
from keras_tutorial.exercises import check

print(f"quick={args.quick}")

# %% [markdown]
# ## 练习 1
#
# 每一步 $w$ 乘以 $(1-2\eta)$，$n$ 步后是 $(1-2\eta)^n w_0$。它趋于 0 当且仅当 $|1-2\eta| < 1$，即 $0 < \eta < 1$。上界是 1：$\eta = 1$ 时每步乘 $-1$，$w$ 在 4 和 −4 之间来回跳。在上界两侧和上界本身各走 12 步验证：

# %%
for lr in (0.99, 1.0, 1.01):
    w = 4.0
    for _ in range(12):
        w = w - lr * 2 * w
    print(f"学习率 {lr}：12 步后 w = {w:+.3f}")
answer_1 = 1.0
check("ch04.1", answer_1)

# %% [markdown]
# 学习率 0.99 时 $|w|$ 比起点 4 小，1.0 时 $w$ 回到 4，1.01 时 $|w|$ 比 4 大。

# %% [markdown]
# ## 练习 2
#
# $w_1$ 收敛要求 $|1-\eta| < 1$，即 $\eta < 2$；$w_2$ 收敛要求 $|1-10\eta| < 1$，即 $\eta < 0.2$。两个都要满足，取更严的：上界是 $2/10 = 0.2$，由最陡的方向决定。用 `descend` 在两侧各走 200 步：


# %%
def bowl(w):
    return 0.5 * (w[..., 0] ** 2 + 10 * w[..., 1] ** 2)


def bowl_grad(w):
    return np.array([w[0], 10 * w[1]])


for lr in (0.19, 0.21):
    path = descend(gd_step, bowl_grad, (-4.5, 2.0), 200, learning_rate=lr)
    print(f"学习率 {lr}：200 步后 f = {bowl(path[-1]):.3g}")
answer_2 = 2 / 10
check("ch04.2", answer_2)

# %% [markdown]
# 学习率 0.19 时损失趋于 0，0.21 时损失变得极大：0.2 两侧的行为正好相反。

# %% [markdown]
# ## 练习 3
#
# 和 4.1 节一样：参与训练的是 60000 × 0.9 = 54000 张，每轮的批数向上取整（最后一批不满 256 张也更新一次），再乘 5 轮。

# %%
n_fit = round(60000 * (1 - 0.1))
answer_3 = 5 * math.ceil(n_fit / 256)
print(f"每轮 {math.ceil(n_fit / 256)} 批，共 {answer_3} 次更新")
check("ch04.3", answer_3)

# %% [markdown]
# ## 练习 4
#
# 和 `rmsprop_step` 只差一处：$s$ 直接累加 $g^2$，不乘 $\rho$、$1-\rho$。先更新 $s$，再用新的 $s$ 算步长。


# %%
def adagrad_step(w, g, s, learning_rate=0.1, epsilon=1e-7):
    """AdaGrad：s ← s + g²，w ← w − η·g / √(s+ε)。返回新的 w 和 s。"""
    s = s + g**2
    return w - learning_rate * g / np.sqrt(s + epsilon), s


check("ch04.4", adagrad_step)

# %% [markdown]
# 因为 $s$ 只增不减，AdaGrad 的步长越走越小。在 4.4 节的碗上，它可以直接交给 `descend`：

# %%
path = descend(adagrad_step, bowl_grad, (-4.5, 2.0), 30, learning_rate=1.0)
print(f"AdaGrad 学习率 1.0：30 步后 f = {bowl(path[-1]):.3g}")

# %% [markdown]
# ## 练习 5
#
# 第 1 问：和 4.5 节同一个线性回归问题、同样的轮数，三种批量大小各用学习率 0.005、0.02 和 0.05 训练。对每次运行打印最后一轮的平均损失，以及某一轮的平均损失第一次降到最小损失 1.1 倍以内时的用时（没降到就是 nan），再按这个用时给到达的批量大小排序。

# %%
rng = np.random.default_rng(args.seed)
x_lin = rng.normal(size=(2000, 20))
y_lin = x_lin @ rng.normal(size=20) + 0.5 * rng.normal(size=2000)
lin_epochs = 5 if args.quick else 20
best_w = np.linalg.lstsq(x_lin, y_lin, rcond=None)[0]
best = np.mean((x_lin @ best_w - y_lin) ** 2)
print(f"最小损失 {best:.3f}")
rankings = {}
for lr in (0.005, 0.02, 0.05):
    reach = {}
    for size in (1, 32, 2000):
        with np.errstate(over="ignore", invalid="ignore"):  # 发散时数值会溢出
            run = minibatch_sgd(x_lin, y_lin, size, lr, lin_epochs, seed=args.seed)
        close = run[run[:, 2] < 1.1 * best]
        reach[size] = close[0, 1] if len(close) else np.nan
        print(
            f"学习率 {lr:<5} 批量大小 {size:>4}：最后一轮损失 {run[-1, 2]:.3g}，到 1.1 倍最小损失用时 {reach[size]:.4f} 秒"
        )
    rankings[lr] = sorted((n for n in reach if not np.isnan(reach[n])), key=reach.get)
    missed = [n for n in reach if np.isnan(reach[n])]
    print(f"学习率 {lr}：到达低损失的先后 {rankings[lr]}，没有到达的批量大小 {missed}")
same = all(r == rankings[0.02] for r in rankings.values())
print("三个学习率下的排序" + ("都和 0.02 时相同" if same else "并不都和 0.02 时相同"))

# %% [markdown]
# 从打印的结果读：
#
# - 批量大小 1 在学习率 0.05 时最后的损失变得极大：单个样本的梯度噪声大，这个学习率让它发散。学习率越小，它抖得越少，但每轮要循环 2000 次，在这些轮数里都没有降到最小损失的 1.1 倍以内。
# - 全批量每轮只更新一次，在这三个学习率、这么多轮里都没有降到最小损失的 1.1 倍以内（用时一列是 nan）。
# - 小批量 32 在三个学习率下都降到了最小损失附近。排序没有变（最后一行）：三个学习率下都只有它在这些轮数里降到了最小损失的 1.1 倍以内。
#
# 所以在这个问题上，小批量对学习率最不挑剔；但这只是一个问题、三个学习率的结果，换了问题要重新比较。
#
# 第 2 问：删掉 `/ len(batch)` 后，梯度变成一批损失之**和**的梯度，正好是平均损失的梯度乘以这一批的样本数 $b$。所以改过的循环等于原来的循环用学习率 $0.02 \times b$（最后一批不满 $b$ 个时略有不同）：批量大小 1 完全不受影响，批量越大，等效的学习率越大。直接用放大后的学习率运行原来的 `minibatch_sgd` 验证：

# %%
for size in (1, 32, 2000):
    with np.errstate(over="ignore", invalid="ignore"):
        run = minibatch_sgd(x_lin, y_lin, size, 0.02 * size, lin_epochs, seed=args.seed)
    verdict = "发散" if not np.isfinite(run[-1, 2]) or run[-1, 2] > run[0, 2] else "收敛"
    print(
        f"批量大小 {size:>4}：等效学习率 {0.02 * size:g}，最后一轮损失 {run[-1, 2]:.3g}，{verdict}"
    )

# %% [markdown]
# 批量大小 1 的结果和 4.5 节一样；批量大小 32 和 2000 的等效学习率远超这个问题能承受的上限（练习 2 的道理：上限由最陡的方向决定），损失发散。这就是损失要按样本取平均的原因：批量大小一变，学习率不必跟着重调；Keras 的损失函数默认也是取平均。

# %% [markdown]
# ## 练习 6
#
# 在 4.6 节的两个坑的曲线上，带动量（$\mu=0.9$ 和 $\mu=0.5$）与不带动量，从几个起点出发各走 200 步，看终点在哪个坑（右边的局部最小值在 $w \approx 0.93$，左边更低的在 $w \approx -1.06$）：


# %%
def wells_grad(w):
    return 4 * w**3 - 4 * w + 0.5


crossed = []
rules = {
    "梯度下降": (gd_step, {}),
    "动量 μ=0.9": (momentum_step, {"momentum": 0.9}),
    "动量 μ=0.5": (momentum_step, {"momentum": 0.5}),
}
for start in (1.8, 1.5, 1.2):
    for name, (rule, hp) in rules.items():
        end = descend(rule, wells_grad, start, 200, learning_rate=0.01, **hp)[-1, 0]
        where = "越过小坡，停在左边更低的坑" if end < 0 else "停在右边的局部最小值"
        print(f"起点 {start}，{name}：200 步后 w = {end:+.3f}，{where}")
        if end < 0:
            crossed.append(f"起点 {start}、{name}")
print(f"越过小坡的组合：{'；'.join(crossed)}")

# %% [markdown]
# 不带动量的梯度下降从这三个起点出发都停在右边的坑。带动量时，能不能越过中间的小坡取决于下坡时攒下多少速度：起点越高、$\mu$ 越大，速度越大；最后一行列出了越过小坡的组合，起点低或 $\mu$ 小时都没有越过。动量"冲过局部最小值"不是一定的，取决于起点、学习率和 $\mu$。
