# Keras 教程 / Keras tutorial — `make run` and `make test` are all a learner needs.
# Every target creates the virtual environment .venv on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
# Who installs the locks. uv (the default): pip installs uv from the lock (its hashes checked),
# then uv installs the rest of it, twice as fast as pip with an empty cache
# (benchmarks/results/install-time-*.md). pip's settings (PIP_INDEX_URL, pip.conf: mirrors,
# find-links, certificates, timeouts) are passed on to uv by tools/pip_to_uv.py; where one cannot
# be, pip installs everything. INSTALLER=pip: pip alone, as before.
INSTALLER ?= uv
# Where the CPU build of PyTorch (for the tests) comes from. Empty when your own pip settings
# already provide it; PyPI's Linux wheels of torch are the CUDA build, several GB more.
TORCH_FIND_LINKS ?= https://download.pytorch.org/whl/torch/
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test lint lib notebooks lab doctor bench clean lock

help: ## 列出命令 / list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "错误：需要 Python 3.11 或更新版本（可用 PYTHON=python3.12 make ... 指定）。" >&2; \
	  echo "Error: Python 3.11 or newer is needed (choose one with PYTHON=python3.12 make ...)." >&2; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)

# Installs lock file $(1): every package at the version it pins, each file checked against its
# sha256, and --no-deps because the lock is complete (nothing left to resolve); then $(2), more
# requirements without hashes, if given; then the project itself, editable, built with the
# setuptools just installed from the lock. pip's own settings apply throughout (PIP_INDEX_URL,
# pip.conf: mirrors, timeouts; see README), with uv too.
# TensorFlow's GPU build (package tensorflow) and its CPU build (tensorflow-cpu) own the same
# folder, so only one may be installed. Where the lock has tensorflow-cpu and the GPU build is
# installed already, it stays when the NVIDIA driver works (the GPU route, the doctor's advice;
# nvidia-smi gets 20 s, since a broken driver can hang it) and tensorflow-cpu is left out;
# without a working driver it is replaced by the CPU build.
define locked_install
	@echo "安装 $(1) 锁定的版本 / installing the versions locked in $(1)"
	@cp $(1) $(VENV)/.lock.txt
	@if grep -q '^tensorflow-cpu==' $(1) && [ "$$(uname -sm)" = "Linux x86_64" ] \
	    && $(BIN)/python -c 'import importlib.metadata as m; m.distribution("tensorflow")' \
	    2>/dev/null; then \
	  if timeout 20 nvidia-smi >/dev/null 2>&1; then \
	    echo "保留已装的 TensorFlow GPU 版 / keeping the installed GPU build of TensorFlow"; \
	    awk '/^[^ #]/ { skip = /^tensorflow-cpu==/ } !skip' $(1) >$(VENV)/.lock.txt; \
	  else \
	    echo "没有可用的 NVIDIA 驱动：TensorFlow 换成 CPU 版 / no working NVIDIA driver:" \
	      "replacing TensorFlow's GPU build with its CPU build"; \
	    $(PIP) uninstall --quiet --yes tensorflow; \
	  fi; \
	fi
	@set -e; install="$(PIP) install --quiet"; \
	if [ "$(INSTALLER)" = uv ]; then \
	  if settings="$$($(BIN)/python tools/pip_to_uv.py)" && { [ -x $(BIN)/uv ] || { \
	      awk '/^[^ #]/ { keep = /^uv==/ } keep' $(VENV)/.lock.txt >$(VENV)/.uv.txt && \
	      (set -x; $(PIP) install --quiet --require-hashes --no-deps -r $(VENV)/.uv.txt); }; }; \
	  then \
	    eval "$$settings"; \
	    install="$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python"; \
	  else echo "改用 pip 安装 / installing with pip instead"; fi; \
	fi; \
	set -x; \
	$$install --require-hashes --no-deps -r $(VENV)/.lock.txt; \
	$(if $(2),$$install --no-deps $(2);) \
	$$install --no-deps --no-build-isolation -e .
endef
# Modules are byte-compiled at install (uv: --compile-bytecode, pip does it by default): where
# PYTHONDONTWRITEBYTECODE is set, as on many servers and in containers, nothing is compiled later,
# and every run would compile TensorFlow's modules again (3-4 s more for each import keras here).

# The stamps remember what was installed; editing pyproject.toml or a lock reinstalls. Each
# lock holds the one before it at the same versions (run ⊂ jupyter ⊂ test), so a larger install
# stamps the smaller ones too. make run: what the chapters import (Keras, TensorFlow's CPU build,
# NumPy, Matplotlib).
$(VENV)/.base: pyproject.toml requirements/run.txt | $(BIN)/python
	$(call locked_install,requirements/run.txt)
	@touch $@

# make lab, make notebooks, make lib: Jupyter (about 80 packages more), on first use.
$(VENV)/.jupyter: pyproject.toml requirements/jupyter.txt | $(BIN)/python
	$(call locked_install,requirements/jupyter.txt)
	@touch $@ $(VENV)/.base

# The tests add the dev tools and the JAX and PyTorch backends (the CPU build of PyTorch, which
# has no hashes in its lock: its wheels come from PyTorch's own index, not PyPI).
$(VENV)/.dev: pyproject.toml requirements/test.txt requirements/torch.txt | $(BIN)/python
	$(call locked_install,requirements/test.txt,-r requirements/torch.txt $(TORCH_LINKS))
	@touch $@ $(VENV)/.jupyter $(VENV)/.base $(VENV)/.site

run: $(VENV)/.base ## 运行第 1 章 / run chapter 1 (ARGS="--quick" to pass flags)
	$(BIN)/python scripts/ch01_mnist_dense.py $(ARGS)

# The suite runs on TEST_JOBS processes (pytest-xdist), each test file on one of them: most of its
# time is chapters and notebooks run as separate processes, which a second core overlaps.
TEST_JOBS ?= 2

test: $(VENV)/.dev ## 运行全部测试 / run the whole test suite
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile $(ARGS)

lint: $(VENV)/.dev ## ruff 检查 / lint with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lib: $(VENV)/.jupyter ## 把各章 `# @save` 单元格复制进 keras_tutorial / regenerate modules from chapter cells
	$(BIN)/python -m tools.lib

notebooks: $(VENV)/.jupyter ## 由脚本重新生成并执行全部 notebook / regenerate and execute all notebooks
	$(BIN)/python -m tools.notebooks $(ARGS)

lab: $(VENV)/.jupyter ## 在本机启动 JupyterLab（带令牌）/ start JupyterLab on 127.0.0.1 with a token
	$(BIN)/python -m keras_tutorial.lab $(ARGS)

doctor: $(VENV)/.base ## 检查环境与 GPU / check the environment and the GPU
	$(BIN)/python -m keras_tutorial.doctor $(ARGS)

bench: $(VENV)/.dev ## 基准测试 / run the benchmarks on this machine
	$(BIN)/python -m benchmarks $(ARGS)

# make site: the website (Sphinx, its theme, jieba for the Chinese search, MathJax) from its own
# lock, which holds no TensorFlow; make test installs it too (test.txt holds site.txt).
$(VENV)/.site: pyproject.toml requirements/site.txt | $(BIN)/python
	$(call locked_install,requirements/site.txt)
	@touch $@

.PHONY: site
site: $(VENV)/.site ## 由 notebook 生成静态网站 build/site / build the website from the notebooks
	$(BIN)/python -m tools.site $(ARGS)

clean: ## 删除输出和缓存 / remove outputs and caches
	rm -rf outputs .pytest_cache .ruff_cache .hypothesis

# Writes requirements/*.txt from pyproject.toml with uv (pinned in the dev extra). It keeps the
# versions already locked unless asked: make lock LOCK_ARGS=--upgrade (or --upgrade-package x).
LOCK_ARGS ?=
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 \
  --custom-compile-command "make lock" $(LOCK_ARGS)
TORCH_LINKS = $(if $(TORCH_FIND_LINKS),--find-links $(TORCH_FIND_LINKS))

$(BIN)/uv: | $(BIN)/python
	$(PIP) install --quiet "$$(grep -o '"uv==[^"]*"' pyproject.toml | tr -d '"')"

# Each hashed lock is pyproject.toml with some extras, constrained by the lock before it (-c), so
# that a larger install never changes a version a smaller one installed: run ⊂ jupyter ⊂ test.
# A new lock is one more line: $(call hashed_lock,NAME,EXTRAS,CONSTRAINT[,MORE OPTIONS]).
hashed_lock = $(UV_COMPILE) --generate-hashes pyproject.toml $(addprefix --extra ,$(2)) \
  $(if $(3),-c requirements/$(3)) $(4) -o requirements/$(1)

lock: $(BIN)/uv ## 由 pyproject.toml 重新生成锁文件 / re-lock requirements/*.txt from pyproject.toml
	$(call hashed_lock,run.txt,cpu installer)
	$(call hashed_lock,jupyter.txt,cpu installer jupyter,run.txt)
	$(call hashed_lock,test.txt,cpu installer jupyter dev jax torch site,jupyter.txt, \
	  --override requirements/torch-cpu.in --no-emit-package torch $(TORCH_LINKS))
	$(call hashed_lock,site.txt,installer site,test.txt)
	$(UV_COMPILE) --no-deps requirements/torch-cpu.in $(TORCH_LINKS) -o requirements/torch.txt
	$(UV_COMPILE) pyproject.toml --extra cpu --extra jupyter --extra dev -c requirements/test.txt \
	  -o requirements/conda.txt
