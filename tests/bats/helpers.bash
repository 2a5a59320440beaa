# shellcheck shell=bash disable=SC2154  # bats's run sets $output and $status
# Shared set-up for the tests of setup_gpu_ubuntu.sh.
#
# Each test gets a fresh $HOME, a state folder the stubs read and write ($STUB_STATE), a call log
# ($STUB_LOG, one line per stub call) and a PATH that holds only the stubs and a fixed list of
# harmless real tools: a command the script runs that is neither is "not found", so no test can
# reach the real apt-get, sudo or network.

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
SCRIPT="$REPO/setup_gpu_ubuntu.sh"
REAL_TOOLS=(awk basename bash cat chmod cp cut date dirname env grep head ln ls mkdir mktemp mv
  readlink rm sed sha256sum sleep sort tail tee touch tr wc)

setup() {
  WORK="$BATS_TEST_TMPDIR"
  BIN="$WORK/bin"
  export HOME="$WORK/home"
  export STUB_STATE="$WORK/state"
  export STUB_LOG="$WORK/calls.log"
  mkdir -p "$BIN" "$HOME" "$STUB_STATE"
  : >"$STUB_LOG"
  # conda is not on PATH: with_conda or the fake Miniforge installer put it in place.
  STUBS="$WORK/stubs"
  cp -r "$BATS_TEST_DIRNAME/stubs" "$STUBS"
  cp "$STUBS"/* "$BIN/"
  rm "$BIN/conda"
  local tool
  for tool in "${REAL_TOOLS[@]}"; do
    ln -s "$(command -v "$tool")" "$BIN/$tool"
  done
  OS_RELEASE="$WORK/os-release"
  PROC_VERSION="$WORK/proc-version"
  echo "Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075) #45-Ubuntu SMP" >"$PROC_VERSION"
  ubuntu 24.04
  EXTRA_ENV=()
}

# Write the fake /etc/os-release: `ubuntu 22.04`, or `fedora 40`.
ubuntu() { os_release ubuntu "$1" "Ubuntu $1 LTS"; }
os_release() {
  printf 'NAME="%s"\nID=%s\nVERSION_ID="%s"\nPRETTY_NAME="%s"\n' "$3" "$1" "$2" "$3" >"$OS_RELEASE"
}

# Machine states the stubs act on.
with_gpu() { touch "$STUB_STATE/gpu"; }
with_driver() { touch "$STUB_STATE/gpu" "$STUB_STATE/driver_loaded"; }
with_secure_boot() { touch "$STUB_STATE/secureboot"; }
as_server() { touch "$STUB_STATE/server"; }
in_wsl() { echo "Linux version 5.15.153.1-microsoft-standard-WSL2" >"$PROC_VERSION"; }
# conda already installed where the script looks first.
with_conda() {
  mkdir -p "$HOME/miniforge3/bin"
  ln -s "$STUBS/conda" "$HOME/miniforge3/bin/conda"
}
without() { rm -f "$BIN/$1"; }

# A fake Miniforge installer for the curl stub to "download": with -b -p PREFIX it installs the
# conda stub into PREFIX. Prints its sha256.
fake_installer() {
  cat >"$STUB_STATE/download" <<EOF
#!/usr/bin/env bash
# fake Miniforge installer
while ((\$#)); do [[ \$1 == -p ]] && prefix=\$2; shift; done
mkdir -p "\$prefix/bin"
ln -s "$STUBS/conda" "\$prefix/bin/conda"
echo "fake installer ran" >>"$STUB_LOG"
EOF
  sha256sum "$STUB_STATE/download" | cut -d ' ' -f 1
}

# Run the script with a clean environment: only the variables given here reach it.
run_setup() {
  run env -i HOME="$HOME" PATH="$BIN" LANG=C.UTF-8 TMPDIR="$WORK" \
    STUB_STATE="$STUB_STATE" STUB_LOG="$STUB_LOG" \
    OS_RELEASE_FILE="$OS_RELEASE" PROC_VERSION_FILE="$PROC_VERSION" \
    "${EXTRA_ENV[@]}" "$BIN/bash" "$SCRIPT" "$@" </dev/null
}

# The calls that change something: everything but the read-only probes.
changing_calls() {
  grep -vE '^(lspci|nvidia-smi|mokutil --sb-state|systemctl get-default|dpkg-query|uname|id|conda env list)( |$)' \
    "$STUB_LOG" || true
}

# Every file under a folder, for before/after comparisons.
tree_of() { (cd "$1" && find . | sort); }

assert_called() {
  grep -qF -- "$1" "$STUB_LOG" || {
    echo "expected a call containing: $1"
    echo "--- calls:"
    cat "$STUB_LOG"
    echo "--- output:"
    echo "$output"
    return 1
  }
}

refute_called() {
  if grep -qF -- "$1" "$STUB_LOG"; then
    echo "unexpected call containing: $1"
    echo "--- calls:"
    cat "$STUB_LOG"
    return 1
  fi
}

# No call of this command at all (refute_called "conda" would also match a conda-forge URL).
refute_command() {
  if grep -qE "^$1( |\$)" "$STUB_LOG"; then
    echo "unexpected call of $1:"
    grep -E "^$1( |\$)" "$STUB_LOG"
    return 1
  fi
}

assert_output_has() {
  [[ $output == *"$1"* ]] || {
    echo "expected the output to contain: $1"
    echo "--- output (status $status):"
    echo "$output"
    return 1
  }
}

assert_status() {
  [[ $status -eq $1 ]] || {
    echo "expected status $1, got $status"
    echo "--- output:"
    echo "$output"
    echo "--- calls:"
    cat "$STUB_LOG"
    return 1
  }
}

# The version pyproject.toml pins for a package, read with a TOML parser (not the script's sed).
pinned() {
  python3 - "$REPO/pyproject.toml" "$1" <<'PY'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
pins = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
print(next(p.split("==")[1] for p in pins if p.split("==")[0] == sys.argv[2]))
PY
}
