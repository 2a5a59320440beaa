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
.PHONY: help run test lint lib notebooks lab doctor bench clean lock gpu cpu

help: ## 列出命令 / list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null || { \
	  echo "错误：需要 Python 3.11–3.13（锁定的 TensorFlow 只有这几个版本的 wheel；可用 PYTHON=python3.12 make ... 指定）。" >&2; \
	  echo "Error: Python 3.11 to 3.13 is needed (the locked TensorFlow has wheels for those only; choose one with PYTHON=python3.12 make ...)." >&2; \
	  echo "Ubuntu 22.04: sudo apt-get install python3.11 python3.11-venv，然后 / then PYTHON=python3.11 make ..." >&2; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)

# Installs lock file $(1): every package at the version it pins, each file checked against its
# sha256, and --no-deps because the lock is complete (nothing left to resolve); then $(2), more
# requirements without hashes, if given; then the project itself, editable, built with the
# setuptools just installed from the lock. pip's own settings apply throughout (PIP_INDEX_URL,
# pip.conf: mirrors, timeouts; see README), with uv too.
# With a GPU build chosen (make gpu, recorded in $(VENV)/.gpu), the lock of that build follows:
# TensorFlow's GPU build replaces tensorflow-cpu (both own the same folder), PyTorch's CUDA build
# the CPU one from torch.txt; nothing is ever uninstalled because a probe failed.
define locked_install
	@echo "安装 $(1) 锁定的版本 / installing the versions locked in $(1)"
	@gpu=$$(cat $(VENV)/.gpu 2>/dev/null || true); \
	awk -v gpu="$$gpu" '/^[^ #]/ { skip = gpu == "gpu-tensorflow.txt" && /^tensorflow-cpu==/ } !skip' \
	  $(1) >$(VENV)/.lock.txt
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
	$$install --require-hashes --no-deps -r $(VENV)/.lock.txt || { \
	  [ "$$install" != "$(PIP) install --quiet" ] || exit 1; \
	  echo "uv 安装失败，改用 pip / uv failed: installing with pip"; \
	  install="$(PIP) install --quiet"; \
	  $$install --require-hashes --no-deps -r $(VENV)/.lock.txt; }; \
	gpu=$$(cat $(VENV)/.gpu 2>/dev/null || true); \
	$(if $(2),[ "$${gpu#gpu-torch-}" != "$$gpu" ] || $$install --no-deps $(2);) \
	case $$gpu in \
	  "") ;; \
	  gpu-torch-*) $$install -r requirements/$$gpu --extra-index-url \
	    "$${TORCH_INDEX_URL:-https://download.pytorch.org/whl/$${gpu#gpu-torch-}}";; \
	  *) $$install --require-hashes --no-deps -r requirements/$$gpu;; \
	esac; \
	$$install --no-deps --no-build-isolation -e .
endef
# Modules are byte-compiled at install (uv: --compile-bytecode, pip does it by default): where
# PYTHONDONTWRITEBYTECODE is set, as on many servers and in containers, nothing is compiled later,
# and every run would compile TensorFlow's modules again (3-4 s more for each import keras here).

# The stamps remember what was installed; editing pyproject.toml or a lock reinstalls. Each
# lock holds the one before it at the same versions (run ⊂ jupyter ⊂ test), so a larger install
# stamps the smaller ones too. make run: what the chapters import (Keras, TensorFlow's CPU build,
# NumPy, Matplotlib).
# The GPU build chosen by make gpu (see there): its record and its lock are prerequisites too, so
# choosing or re-locking one reinstalls.
GPU_RECORD := $(wildcard $(VENV)/.gpu)
GPU_LOCK := $(if $(GPU_RECORD),requirements/$(shell cat $(GPU_RECORD)))
# Keras's backend for the commands a learner runs, where make gpu chose JAX or PyTorch (their own
# KERAS_BACKEND wins); make test keeps the suite's own choices.
GPU_BACKEND := $(if $(GPU_RECORD),$(word 2,$(subst -, ,$(shell cat $(GPU_RECORD)))))
ifneq ($(filter jax torch,$(GPU_BACKEND)),)
run lab notebooks doctor bench: export KERAS_BACKEND ?= $(GPU_BACKEND)
endif

$(VENV)/.base: pyproject.toml requirements/run.txt $(GPU_RECORD) $(GPU_LOCK) | $(BIN)/python
	$(call locked_install,requirements/run.txt)
	@touch $@

# make lab, make notebooks, make lib: Jupyter (about 80 packages more), on first use.
$(VENV)/.jupyter: pyproject.toml requirements/jupyter.txt $(GPU_RECORD) $(GPU_LOCK) | $(BIN)/python
	$(call locked_install,requirements/jupyter.txt)
	@touch $@ $(VENV)/.base

# The tests add the dev tools and the JAX and PyTorch backends (the CPU build of PyTorch, which
# has no hashes in its lock: its wheels come from PyTorch's own index, not PyPI).
$(VENV)/.dev: pyproject.toml requirements/test.txt requirements/torch.txt $(GPU_RECORD) $(GPU_LOCK) | $(BIN)/python
	$(call locked_install,requirements/test.txt,-r requirements/torch.txt $(TORCH_LINKS))
	@touch $@ $(VENV)/.jupyter $(VENV)/.base $(VENV)/.site

run: $(VENV)/.base ## 运行第 1 章 / run chapter 1 (ARGS="--quick" to pass flags)
	$(BIN)/python scripts/ch01_mnist_dense.py $(ARGS)

# The suite runs on TEST_JOBS processes (pytest-xdist), each test file on one of them: most of its
# time is chapters and notebooks run as separate processes, which a second core overlaps. Files
# are handed out in the order tests/conftest.py sorts them.
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

# make gpu BACKEND=tensorflow|jax|torch: the backend's CUDA build that this machine's GPU (compute
# capability) and driver can run, chosen by src/keras_tutorial/gpu.py from gpu_builds.tsv (the one
# table, which setup_gpu_ubuntu.sh and the doctor read too), installed into this same environment
# from its lock (requirements/gpu-*.txt) and recorded in $(VENV)/.gpu, so that every later install
# keeps it. It stops before any download when no build fits, saying which driver or backend would.
# make cpu: back to the CPU builds. Both are the only switches: nothing else changes the build.
# GPU_BUILD=gpu-torch-cu126.txt skips the choice (a lock of requirements/ by name).
BACKEND ?= tensorflow
GPU_BUILD ?=
# The largest install made so far (make test's, make lab's or make run's): switching reinstalls it.
INSTALLED = $$(for s in .dev .jupyter; do if [ -e $(VENV)/$$s ]; then echo $$s; exit; fi; done; echo .base)
gpu: | $(BIN)/python ## 换成本机 GPU 能用的 GPU 版 / switch to the GPU build (BACKEND=tensorflow|jax|torch)
	@set -e; lock="$(GPU_BUILD)"; \
	if [ -z "$$lock" ]; then \
	  choice=$$($(BIN)/python src/keras_tutorial/gpu.py choose --backend $(BACKEND)); \
	  lock=$$(printf '%s' "$$choice" | cut -f 2); fi; \
	[ -f "requirements/$$lock" ] || { echo "没有这个锁文件 / no such lock: requirements/$$lock" >&2; exit 2; }; \
	old=$$(cat $(VENV)/.gpu 2>/dev/null || true); \
	if [ "$$old" != "$$lock" ]; then \
	  $(BIN)/python src/keras_tutorial/gpu.py leftovers "$$old" "$$lock" | xargs -r $(PIP) uninstall --quiet --yes; \
	  echo "$$lock" >$(VENV)/.gpu; fi; \
	echo "GPU 版 / GPU build: requirements/$$lock"
	@$(MAKE) --no-print-directory $(VENV)/$(INSTALLED)

cpu: | $(BIN)/python ## 换回 CPU 版 / switch back to the CPU builds
	@old=$$(cat $(VENV)/.gpu 2>/dev/null || true); \
	if [ -n "$$old" ]; then \
	  $(BIN)/python src/keras_tutorial/gpu.py leftovers "$$old" | xargs -r $(PIP) uninstall --quiet --yes; \
	  level=$(INSTALLED); rm -f $(VENV)/.gpu $(VENV)/.base $(VENV)/.jupyter $(VENV)/.dev; \
	  echo "CPU 版 / CPU builds"; $(MAKE) --no-print-directory $(VENV)/$$level; \
	else echo "已是 CPU 版 / the CPU builds already"; fi

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
TORCH_PIN = $(shell grep -o '"torch==[^"]*"' pyproject.toml | tr -d '"' | cut -d = -f 3)

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
	$(call hashed_lock,gpu-tensorflow.txt,tensorflow,test.txt,requirements/gpu-tensorflow.in)
	$(call hashed_lock,gpu-jax-cuda12.txt,jax,test.txt,requirements/gpu-jax-cuda12.in)
	$(call hashed_lock,gpu-jax-cuda13.txt,jax,test.txt,requirements/gpu-jax-cuda13.in)
	@for cu in cu126 cu128 cu130; do sed -i "s/^torch==.*/torch==$(TORCH_PIN)+$$cu/" \
	  requirements/gpu-torch-$$cu.txt; done
