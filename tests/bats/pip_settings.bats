#!/usr/bin/env bats
# The learner's pip settings (a mirror, a timeout, retries: PIP_* variables, or a pip.conf named by
# PIP_CONFIG_FILE) and TORCH_INDEX_URL reach make, which installs the GPU build with them (make
# hands pip's settings on to uv: tools/pip_to_uv.py, tested in tests/test_environment.py).

load helpers

MIRROR=https://pypi.tuna.tsinghua.edu.cn/simple

# make records the settings it sees, one "NAME=VALUE" a line, in $STUB_STATE/make.env.
record_make_env() {
  cat >"$BIN/make" <<EOF
#!/usr/bin/env bash
source "$STUBS/_record.bash"
env | grep -E '^(PIP_|TORCH_INDEX_URL=)' | sort >>"$STUB_STATE/make.env"
EOF
  chmod +x "$BIN/make"
}

@test "make gets the learner's pip mirror, timeout and retries unchanged" {
  with_driver
  record_make_env
  printf '[global]\nindex-url = %s\n' "$MIRROR" >"$WORK/pip.conf"
  extra_env PIP_CONFIG_FILE="$WORK/pip.conf" PIP_INDEX_URL="$MIRROR" PIP_DEFAULT_TIMEOUT=120 PIP_RETRIES=10
  run_setup --yes
  assert_status 0
  assert_called "make -C $REPO gpu BACKEND=tensorflow"
  grep -qx "PIP_INDEX_URL=$MIRROR" "$STUB_STATE/make.env"
  grep -qx "PIP_CONFIG_FILE=$WORK/pip.conf" "$STUB_STATE/make.env"
  grep -qx "PIP_DEFAULT_TIMEOUT=120" "$STUB_STATE/make.env"
  grep -qx "PIP_RETRIES=10" "$STUB_STATE/make.env"
}

@test "TORCH_INDEX_URL reaches make for PyTorch's CUDA build" {
  with_driver 580.82.07
  record_make_env
  extra_env TORCH_INDEX_URL=https://mirrors.example.cn/pytorch/whl/cu130
  run_setup --yes --backend torch
  assert_status 0
  grep -qx "TORCH_INDEX_URL=https://mirrors.example.cn/pytorch/whl/cu130" "$STUB_STATE/make.env"
}
