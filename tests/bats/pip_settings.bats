#!/usr/bin/env bats
# The learner's pip settings (a mirror, a timeout, retries: PIP_* variables, or a pip.conf named by
# PIP_CONFIG_FILE) reach every pip call of setup_gpu_ubuntu.sh, conda's own pip run for
# environment.yml included. And the GPU build of TensorFlow replaces the CPU build that
# environment.yml installed, instead of landing beside it.

load helpers

MIRROR=https://pypi.tuna.tsinghua.edu.cn/simple

# conda as in the other tests, except that `run` runs its command as the real conda does, and that
# `env create` records the pip settings it passes on to its pip run. python is a stand-in that
# records, for each call, its arguments and the pip settings it sees, in $STUB_STATE/pip.log.
record_pip_calls() {
  mv "$STUBS/conda" "$STUBS/conda-stub"
  cat >"$STUBS/conda" <<'EOF'
#!/usr/bin/env bash
"$(dirname "$(readlink -f "$0")")/conda-stub" "$@" || exit
case "$1 ${2:-}" in
  "env create") "$(dirname "$(readlink -f "$0")")/python" -m pip install "(environment.yml)" ;;
  "run "*)
    shift
    while [[ $1 == -* ]]; do
      [[ $1 == -n ]] && shift
      shift
    done
    "$@"
    ;;
esac
EOF
  cat >"$STUBS/python" <<'EOF'
#!/usr/bin/env bash
{
  printf 'call:'
  printf ' %s' "$@"
  printf '\n'
  env | grep -E '^PIP_' | sort | sed 's/^/  /'
} >>"$STUB_STATE/pip.log"
EOF
  chmod +x "$STUBS/conda" "$STUBS/python"
  cp "$STUBS/python" "$BIN/python"
}

# The pip calls in pip.log, each with the settings it saw on one line: "ARGS | SETTINGS".
pip_calls() {
  awk '/^call: -m pip / { if (c) print c " |" s; c = substr($0, 7); s = ""; next }
       /^call:/ { if (c) print c " |" s; c = ""; next }
       /^  / { s = s " " substr($0, 3) }
       END { if (c) print c " |" s }' "$STUB_STATE/pip.log"
}

with_pip_settings() {
  printf '[global]\nindex-url = %s\n' "$MIRROR" >"$WORK/pip.conf"
  # shellcheck disable=SC2034  # helpers.bash's setup_command passes EXTRA_ENV to the script
  EXTRA_ENV=(PIP_CONFIG_FILE="$WORK/pip.conf" PIP_INDEX_URL="$MIRROR" PIP_DEFAULT_TIMEOUT=120
    PIP_RETRIES=10)
}

assert_every_pip_call_has_the_settings() {
  local calls line
  calls=$(pip_calls)
  [[ -n $calls ]] || {
    echo "no pip call recorded"
    return 1
  }
  while IFS= read -r line; do
    for setting in "PIP_CONFIG_FILE=$WORK/pip.conf" "PIP_INDEX_URL=$MIRROR" \
      PIP_DEFAULT_TIMEOUT=120 PIP_RETRIES=10; do
      [[ $line == *" $setting"* ]] || {
        echo "a pip call without $setting: $line"
        return 1
      }
    done
  done <<<"$calls"
}

@test "GPU set-up with TensorFlow: every pip call gets the learner's mirror, timeout and retries" {
  with_driver
  with_conda
  record_pip_calls
  with_pip_settings
  run_setup --yes
  assert_status 0
  assert_every_pip_call_has_the_settings
  pip_calls | grep -q "^-m pip install (environment.yml) |"
  pip_calls | grep -q "^-m pip install tensorflow\[and-cuda\]==$(pinned tensorflow) |"
}

@test "GPU set-up with PyTorch: the pip calls for its build and the project get the settings too" {
  with_driver
  with_conda
  record_pip_calls
  with_pip_settings
  run_setup --yes --backend torch
  assert_status 0
  assert_every_pip_call_has_the_settings
  pip_calls | grep -q "^-m pip install torch==$(pinned torch) --index-url "
  pip_calls | grep -q "^-m pip install -e ${REPO}\[torch\] |"
}

@test "TensorFlow's GPU build replaces the CPU build from environment.yml, never lands beside it" {
  with_driver
  with_conda
  record_pip_calls
  run_setup --yes
  assert_status 0
  local calls uninstall install
  calls=$(pip_calls)
  uninstall=$(grep -n "^-m pip uninstall --yes tensorflow-cpu |" <<<"$calls" | cut -d : -f 1)
  install=$(grep -n "^-m pip install tensorflow\[and-cuda\]" <<<"$calls" | cut -d : -f 1)
  [[ -n $uninstall && -n $install ]] && ((uninstall < install)) || {
    echo "expected tensorflow-cpu removed before the GPU build is installed:"
    echo "$calls"
    return 1
  }
}
