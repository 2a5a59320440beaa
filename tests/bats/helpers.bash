# shellcheck shell=bash disable=SC2154  # bats's run sets $output and $status
# Shared set-up for the tests of setup_gpu_ubuntu.sh.
#
# Each test gets a fresh $HOME, a state folder the stubs read and write ($STUB_STATE), a call log
# ($STUB_LOG, one line per stub call) and a PATH that holds only the stubs and a fixed list of
# harmless real tools: a command the script runs that is neither is "not found", so no test can
# reach the real apt-get, sudo or network. The files the script reads from /proc (the boot id, the
# loaded driver's version) and WSL's driver folder are test files too.

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
SCRIPT="$REPO/setup_gpu_ubuntu.sh"
REAL_TOOLS=(awk basename bash cat chmod cp cut date dirname env grep head ln ls mkdir mktemp mv
  python3 readlink rm script sed sleep sort tail tee timeout touch tr wc)

# The folders of a fresh test machine (bin/ with the stubs and links to the real tools, stubs/,
# home/, state/, wsl-lib/, root/dev/), made once per .bats file: setup copies them for each test.
# A .bats file with a setup_file of its own must call this one.
setup_file() {
  local fresh="$BATS_FILE_TMPDIR/fresh" tool paths=()
  mkdir -p "$fresh/bin" "$fresh/home" "$fresh/state" "$fresh/wsl-lib" "$fresh/root/dev"
  cp -r "$BATS_TEST_DIRNAME/stubs" "$fresh/stubs"
  cp "$fresh/stubs"/* "$fresh/bin/"
  for tool in "${REAL_TOOLS[@]}"; do
    paths+=("$(command -v "$tool")")
  done
  ln -s "${paths[@]}" "$fresh/bin/"
}

setup() {
  WORK="$BATS_TEST_TMPDIR"
  BIN="$WORK/bin"
  export HOME="$WORK/home"
  export STUB_STATE="$WORK/state"
  export STUB_LOG="$WORK/calls.log"
  # shellcheck disable=SC2034  # the .bats files write stubs that source $STUBS/_record.bash
  STUBS="$WORK/stubs"
  # One cp instead of one process per tool: links stay links.
  cp -R "$BATS_FILE_TMPDIR/fresh/." "$WORK/"
  : >"$STUB_LOG"
  OS_RELEASE="$WORK/os-release"
  PROC_VERSION="$WORK/proc-version"
  BOOT_ID="$WORK/boot_id"
  NVIDIA_PROC="$WORK/proc-driver-nvidia-version"
  echo "Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075) #45-Ubuntu SMP" >"$PROC_VERSION"
  echo "6f1c7d52-0c2e-4a8e-9d55-first-boot" >"$BOOT_ID"
  ubuntu 24.04
  # A desktop unless as_server says otherwise.
  printf '%s\n' ubuntu-desktop-minimal gdm3 >"$STUB_STATE/packages"
  EXTRA_ENV=()
}

# Nothing any scenario does may purge or remove packages, add a PPA or run a downloaded file
# before its sha256 was checked: the call log of every test is checked here.
teardown() {
  local bad
  bad=$(grep -nE '^(apt-get|apt|dpkg) .*(purge|remove|autoremove|-P( |$)|-r( |$))|add-apt-repository|apt-add-repository|ppa:' \
    "$STUB_LOG" || true)
  if [[ -n $bad ]]; then
    echo "forbidden calls:"
    echo "$bad"
    return 1
  fi
}

# Write the fake /etc/os-release: `ubuntu 22.04`, or `fedora 40`.
ubuntu() { os_release ubuntu "$1" "Ubuntu $1 LTS"; }
os_release() {
  printf 'NAME="%s"\nID=%s\nVERSION_ID="%s"\nPRETTY_NAME="%s"\n' "$3" "$1" "$2" "$3" >"$OS_RELEASE"
}

# Machine states the stubs act on.
with_gpu() { touch "$STUB_STATE/gpu"; }
# A loaded, working driver (550.120 unless a version is given), as nvidia-smi and /proc show it.
with_driver() {
  local version=${1:-550.120}
  touch "$STUB_STATE/gpu" "$STUB_STATE/driver_loaded"
  echo "$version" >"$STUB_STATE/driver_version"
  echo "NVRM version: NVIDIA UNIX x86_64 Kernel Module  $version  Release Build" >"$NVIDIA_PROC"
}
with_package() { echo "$1" >>"$STUB_STATE/packages"; }
with_secure_boot() { touch "$STUB_STATE/secureboot"; }
# No display manager and no desktop package (the default target stays graphical.target).
as_server() { : >"$STUB_STATE/packages"; }
in_wsl() { echo "Linux version 5.15.153.1-microsoft-standard-WSL2" >"$PROC_VERSION"; }
reboot_machine() { echo "b0a3e2f1-77aa-4c1e-8e0f-$RANDOM-boot" >"$BOOT_ID"; }
# The GPU's compute capability, as nvidia-smi reports it (8.9 unless set).
with_cap() { echo "$1" >"$STUB_STATE/compute_cap"; }
# A container (Docker's marker file), with the GPU devices the host passed in or without.
in_container() { touch "$WORK/root/.dockerenv"; }
with_gpu_devices() { touch "$WORK/root/dev/nvidia0" "$WORK/root/dev/nvidiactl"; }
without() { rm -f "$BIN/$1"; }
# Variables for the script's environment, e.g. extra_env TORCH_INDEX_URL=https://mirror/cu130.
extra_env() { EXTRA_ENV+=("$@"); }

# The command line of a set-up run with a clean environment: only the variables given here
# reach it.
setup_command() {
  SETUP_CMD=(env -i HOME="$HOME" PATH="$BIN" LANG=C.UTF-8 TMPDIR="$WORK"
    STUB_STATE="$STUB_STATE" STUB_LOG="$STUB_LOG"
    OS_RELEASE_FILE="$OS_RELEASE" PROC_VERSION_FILE="$PROC_VERSION" BOOT_ID_FILE="$BOOT_ID"
    NVIDIA_PROC_FILE="$NVIDIA_PROC" WSL_LIB_DIR="$WORK/wsl-lib" FS_ROOT="$WORK/root"
    APT_RETRY_INTERVAL=0 NVIDIA_SMI_TIMEOUT=2 PIP_CONFIG_FILE=/dev/null
    "${EXTRA_ENV[@]}" "$BIN/bash" "$SCRIPT" "$@")
}

# Run the script without a terminal (stdin is /dev/null), as cron or Jupyter's !bash would.
run_setup() {
  setup_command "$@"
  run "${SETUP_CMD[@]}" </dev/null
}

# Run the script on a terminal of its own (script(1) gives it one), typing the given answer.
run_setup_on_a_terminal() {
  local answer=$1
  shift
  setup_command "$@"
  run script --quiet --return --command "$(printf '%q ' "${SETUP_CMD[@]}")" /dev/null \
    < <(printf '%s\n' "$answer")
}

# The log file of the (only) run so far.
log_file() { find "$HOME/.cache/keras-tutorial" -name 'setup-*.log'; }

# The calls that change something: everything but the read-only probes.
changing_calls() {
  grep -vE '^(lspci|nvidia-smi|mokutil --sb-state|mokutil --list-new|systemctl get-default|dpkg-query|uname|id|dkms status|sudo -v|apt-cache madison|ubuntu-drivers list|df)( |$)' \
    "$STUB_LOG" || true
}

assert_nothing_changed() {
  [ -z "$(changing_calls)" ] || {
    echo "expected no changing calls, got:"
    changing_calls
    echo "--- output:"
    echo "$output"
    return 1
  }
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

refute_output_has() {
  [[ $output != *"$1"* ]] || {
    echo "expected the output not to contain: $1"
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

# What gpu.py picks from the table for each case, computed by the project's own code, which the
# script must agree with: reads lines "BACKEND CAP DRIVER" and prints "BACKEND CAP DRIVER|BUILD LOCK"
# for each, with nothing after the | when no build fits. gpu.py's own command line (main), run
# for all the cases in one Python (starting one costs more than the choice itself).
table_choices() {
  python3 -c '
import contextlib, io, sys

sys.path.insert(0, sys.argv[1])
import gpu

for case in sys.stdin.read().splitlines():
    backend, cap, driver = case.split()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = gpu.main(["choose", "--backend", backend, "--cap", cap, "--driver", driver, "--machine", "x86_64"])
    print(case + "|" + (out.getvalue().strip().replace("\t", " ") if code == 0 else ""))
' "$REPO/src/keras_tutorial"
}
