# Keras 教程 / Keras tutorial — `make run` and `make test` are all a learner needs.
# Every target creates the virtual environment .venv on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Extras installed for tests and benchmarks: the three Keras backends and the dev tools.
DEV_EXTRAS ?= dev,jax,torch
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test lint lib notebooks lab doctor bench clean

help: ## 列出命令 / list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "错误：需要 Python 3.11 或更新版本（可用 PYTHON=python3.12 make ... 指定）。" >&2; \
	  echo "Error: Python 3.11 or newer is needed (choose one with PYTHON=python3.12 make ...)." >&2; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamps remember what was installed; editing pyproject.toml reinstalls.
$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[$(DEV_EXTRAS)]'
	@touch $@ $(VENV)/.base

run: $(VENV)/.base ## 运行第 1 章 / run chapter 1 (ARGS="--quick" to pass flags)
	$(BIN)/python scripts/ch01_mnist_dense.py $(ARGS)

test: $(VENV)/.dev ## 运行全部测试 / run the whole test suite
	$(BIN)/python -m pytest $(ARGS)

lint: $(VENV)/.dev ## ruff 检查 / lint with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lib: $(VENV)/.base ## 把各章 `# @save` 单元格复制进 keras_tutorial / regenerate modules from chapter cells
	$(BIN)/python -m tools.lib

notebooks: $(VENV)/.base ## 由脚本重新生成并执行全部 notebook / regenerate and execute all notebooks
	$(BIN)/python -m tools.notebooks $(ARGS)

lab: $(VENV)/.base ## 在本机启动 JupyterLab（带令牌）/ start JupyterLab on 127.0.0.1 with a token
	$(BIN)/python -m keras_tutorial.lab $(ARGS)

doctor: $(VENV)/.base ## 检查环境与 GPU / check the environment and the GPU
	$(BIN)/python -m keras_tutorial.doctor $(ARGS)

bench: $(VENV)/.dev ## 基准测试 / run the benchmarks on this machine
	$(BIN)/python -m benchmarks $(ARGS)

clean: ## 删除输出和缓存 / remove outputs and caches
	rm -rf outputs .pytest_cache .ruff_cache .hypothesis
