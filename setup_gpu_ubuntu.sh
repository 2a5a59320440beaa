#!/usr/bin/env bash
# 在 Ubuntu 上为本教程准备 NVIDIA GPU 环境 / Set up an Ubuntu machine with an NVIDIA GPU for the tutorial.
#
#   bash setup_gpu_ubuntu.sh --dry-run     # 先看看它会做什么 / first see what it would do
#   bash setup_gpu_ubuntu.sh               # 然后真正运行 / then run it
#
# Steps, each skipped when already done (a second run changes nothing):
#   1. check the OS (Ubuntu 22.04 or 24.04; 20.04 with a warning) and detect WSL;
#   2. find an NVIDIA GPU (lspci);
#   3. find a working driver (nvidia-smi); otherwise install Ubuntu's recommended one with
#      `ubuntu-drivers install` (--gpgpu on servers), warn about Secure Boot, and stop for a reboot;
#      under WSL the Windows driver provides it, so nothing is installed;
#   4. install Miniforge when conda is missing (download to a temporary file, check its sha256);
#   5. create the conda environment from environment.yml (recreated when it is out of date);
#   6. install the GPU build of the chosen Keras backend;
#   7. run the doctor: python -m keras_tutorial.doctor --require-gpu.
# It never purges packages, adds no PPA and never pipes a download into a shell. Only the driver
# steps use sudo. Every system command is looked up on PATH, so tests can stand in for them.
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly ENV_FILE="$SCRIPT_DIR/environment.yml"
readonly PYPROJECT="$SCRIPT_DIR/pyproject.toml"

# Overridable for tests and unusual machines.
OS_RELEASE_FILE=${OS_RELEASE_FILE:-/etc/os-release}
PROC_VERSION_FILE=${PROC_VERSION_FILE:-/proc/version}
MINIFORGE_PREFIX=${MINIFORGE_PREFIX:-$HOME/miniforge3}

# Miniforge is pinned: a new release means a new version and new hashes, copied from the .sha256
# files published beside each installer on the release page (github.com/conda-forge/miniforge).
# Check them there when bumping. MINIFORGE_URL may point at a mirror; the hash still applies.
readonly MINIFORGE_VERSION="26.3.2-3"
readonly MINIFORGE_SHA256_X86_64="848194851a98903134187fbb4ab50efe87b003e0c0f808f97644b7524a62bf2c"
readonly MINIFORGE_SHA256_AARCH64="2c113a69297e612b01ca0f320c22a3107a11f2ab9b573d79ac868a175945ce29"

# One CUDA 12 line for every backend: TensorFlow's wheels are built for CUDA 12, which any driver
# from 525 on runs. Keep in step with src/keras_tutorial/doctor.py (a test compares them).
TORCH_CUDA=${TORCH_CUDA:-cu126}
JAX_CUDA=${JAX_CUDA:-cuda12}
TORCH_INDEX_URL=${TORCH_INDEX_URL:-https://download.pytorch.org/whl/$TORCH_CUDA}

readonly EXIT_REBOOT=3

DRY_RUN=0
ASSUME_YES=0
CPU_ONLY=0
RECREATE=0
BACKEND=tensorflow
ENV_NAME=""
IS_WSL=0
CONDA=""
CURRENT_STEP="开始 / start"
LOG_FILE=""
TEE_PID=""
TMP_FILES=()

usage() {
  cat <<'EOF'
用法 / Usage: bash setup_gpu_ubuntu.sh [options]

为本教程准备 Ubuntu + NVIDIA GPU：驱动、conda 环境、Keras 后端的 GPU 版，最后运行体检。
Prepare Ubuntu with an NVIDIA GPU for the tutorial: the driver, the conda environment, the GPU
build of the Keras backend, then run the doctor. Try --dry-run first.

Options:
  --dry-run          只打印将要运行的命令，不做任何改动（只写日志）
                     print each command it would run; change, download and write nothing but a log
  --yes, -y          不提问，全部同意（标准输入不是终端时自动如此）
                     answer yes to every question (implied when stdin is not a terminal)
  --cpu              不装驱动，装 CPU 版 / no driver, CPU packages only
  --backend NAME     tensorflow（默认 / default）、jax 或 / or torch
  --env-name NAME    conda 环境名 / conda environment name (default: the name in environment.yml)
  --recreate         即使环境已是最新也重建 / recreate the environment even when up to date
  --help, -h         显示本帮助 / show this help

Exit status: 0 done; 1 failed or refused (nothing changed when refused); 2 bad arguments;
3 a driver was installed: reboot, then run this script again.

Environment: MINIFORGE_PREFIX (default ~/miniforge3), MINIFORGE_URL (a mirror of the pinned
installer; its sha256 is still checked), TORCH_CUDA (default cu126), SETUP_LOG (log file).
EOF
}

# --- output -----------------------------------------------------------------------------------

say() { printf '%s\n' "$@"; }
warn() { printf '警告：%s\nWarning: %s\n' "$1" "$2"; }

# Refuse or fail on purpose: a bilingual message, exit 1.
die() {
  printf '错误：%s\nError: %s\n' "$1" "$2" >&2
  [[ -z $LOG_FILE ]] || printf '日志 / Log: %s\n' "$LOG_FILE" >&2
  exit 1
}

STEP_NO=0
step() {
  STEP_NO=$((STEP_NO + 1))
  CURRENT_STEP="$1 / $2"
  printf '\n==> [%d/7] %s / %s\n' "$STEP_NO" "$1" "$2"
}

skip() { printf '    已完成，跳过：%s\n    Already done, skipped: %s\n' "$1" "$2"; }

on_error() {
  local code=$1 line=$2
  printf '\n错误：步骤「%s」失败（退出码 %s，第 %s 行）。\n' "$CURRENT_STEP" "$code" "$line" >&2
  printf 'Error: step "%s" failed (exit code %s, line %s).\n' "$CURRENT_STEP" "$code" "$line" >&2
  [[ -z $LOG_FILE ]] || printf '完整输出见日志 / The full output is in the log: %s\n' "$LOG_FILE" >&2
  exit "$code"
}

on_exit() {
  local code=$?
  local f
  for f in "${TMP_FILES[@]}"; do rm -f -- "$f"; done
  if [[ -n $TEE_PID ]]; then
    # Give the terminal back and let tee write its last lines before the prompt returns.
    exec 1>&3 2>&4
    wait "$TEE_PID" 2>/dev/null || true
  fi
  exit "$code"
}

trap 'on_error $? $LINENO' ERR
trap on_exit EXIT

# --- running commands -------------------------------------------------------------------------

# Print a command so that it can be pasted into a shell: words with special characters in quotes.
show_cmd() {
  local prefix=$1 word
  shift
  printf '    %s' "$prefix"
  for word in "$@"; do
    if [[ $word =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
      printf ' %s' "$word"
    else
      printf " '%s'" "${word//\'/\'\\\'\'}"
    fi
  done
  printf '\n'
}

# Run a command that changes the machine; under --dry-run only print it.
run() {
  if ((DRY_RUN)); then
    show_cmd "[dry-run]" "$@"
    return 0
  fi
  show_cmd "\$" "$@"
  "$@"
}

# The same for commands that need root: sudo only for these, and only when not root already.
run_root() {
  if [[ $(id -u) == 0 ]]; then
    run "$@"
  else
    run sudo "$@"
  fi
}

# Yes/no question; --yes, --dry-run or a non-terminal stdin answer yes.
confirm() {
  ((ASSUME_YES || DRY_RUN)) && return 0
  [[ -t 0 ]] || return 0
  local answer
  read -r -p "$1 / $2 [y/N] " answer
  [[ $answer == [Yy]* || $answer == 是* ]]
}

confirm_or_stop() {
  confirm "$1" "$2" || die "已取消，没有做这一步及之后的改动。" "cancelled; this step and the ones after it changed nothing."
}

# --- arguments --------------------------------------------------------------------------------

parse_args() {
  while (($#)); do
    case $1 in
      -h | --help) usage; exit 0 ;;
      --dry-run) DRY_RUN=1 ;;
      -y | --yes) ASSUME_YES=1 ;;
      --cpu) CPU_ONLY=1 ;;
      --recreate) RECREATE=1 ;;
      --backend=*) BACKEND=${1#*=} ;;
      --backend)
        (($# > 1)) || bad_arg "--backend 需要一个值 / needs a value"
        BACKEND=$2
        shift
        ;;
      --env-name=*) ENV_NAME=${1#*=} ;;
      --env-name)
        (($# > 1)) || bad_arg "--env-name 需要一个值 / needs a value"
        ENV_NAME=$2
        shift
        ;;
      *) bad_arg "未知参数 / unknown option: $1" ;;
    esac
    shift
  done
  case $BACKEND in
    tensorflow | jax | torch) ;;
    *) bad_arg "--backend 只能是 tensorflow、jax 或 torch / must be tensorflow, jax or torch: $BACKEND" ;;
  esac
  if [[ -z $ENV_NAME ]]; then
    ENV_NAME=$(sed -n 's/^name:[[:space:]]*\([^[:space:]#]*\).*/\1/p' "$ENV_FILE" | head -n 1)
  fi
  [[ $ENV_NAME =~ ^[A-Za-z0-9._-]+$ ]] ||
    bad_arg "环境名只能含字母、数字和 ._- / the environment name may hold only letters, digits and ._-: '$ENV_NAME'"
}

bad_arg() {
  printf '错误：命令行参数有误：%s\nError: bad command-line arguments: %s\n' "$1" "$1" >&2
  printf '用 --help 查看用法 / See --help.\n' >&2
  exit 2
}

# --- step 1: the system -----------------------------------------------------------------------

os_field() {
  sed -n "s/^$1=//p" "$OS_RELEASE_FILE" | head -n 1 | tr -d "\"'"
}

check_os() {
  [[ -r $OS_RELEASE_FILE ]] ||
    die "读不到 $OS_RELEASE_FILE，无法确认这是 Ubuntu。没有做任何改动。" \
      "cannot read $OS_RELEASE_FILE to tell whether this is Ubuntu. Nothing was changed."
  local id version pretty
  id=$(os_field ID)
  version=$(os_field VERSION_ID)
  pretty=$(os_field PRETTY_NAME)
  pretty=${pretty:-$id $version}
  if [[ $id != ubuntu ]]; then
    die "本脚本只支持 Ubuntu 22.04 和 24.04，这台机器是 $pretty。没有做任何改动；其他系统请按 README 手动安装。" \
      "this script supports Ubuntu 22.04 and 24.04 only; this machine runs $pretty. Nothing was changed; on other systems follow the README by hand."
  fi
  case $version in
    22.04 | 24.04) OS_NOTE="$pretty" ;;
    20.04) OS_NOTE="$pretty (warned)" ;;
    *)
      die "不支持 Ubuntu $version（支持 22.04 和 24.04）。没有做任何改动。" \
        "Ubuntu $version is not supported (22.04 and 24.04 are). Nothing was changed."
      ;;
  esac
  ARCH=$(uname -m)
  case $ARCH in
    x86_64) MINIFORGE_SHA256=${MINIFORGE_SHA256:-$MINIFORGE_SHA256_X86_64} ;;
    aarch64) MINIFORGE_SHA256=${MINIFORGE_SHA256:-$MINIFORGE_SHA256_AARCH64} ;;
    *) die "不支持的 CPU 架构 $ARCH。没有做任何改动。" "unsupported CPU architecture $ARCH. Nothing was changed." ;;
  esac
  MINIFORGE_URL=${MINIFORGE_URL:-https://github.com/conda-forge/miniforge/releases/download/$MINIFORGE_VERSION/Miniforge3-$MINIFORGE_VERSION-Linux-$ARCH.sh}
  if [[ $(id -u) == 0 && -n ${SUDO_USER:-} ]]; then
    die "请不要用 sudo 运行本脚本：conda 要装在你自己的用户下，需要 root 的步骤脚本会自己调用 sudo。没有做任何改动。" \
      "do not run this script with sudo: conda belongs to your own user, and the script calls sudo itself for the steps that need root. Nothing was changed."
  fi
  if [[ -n ${WSL_DISTRO_NAME:-} ]] || grep -qi microsoft "$PROC_VERSION_FILE" 2>/dev/null; then
    IS_WSL=1
  fi
}

start_log() {
  local dir
  LOG_FILE=${SETUP_LOG:-${XDG_CACHE_HOME:-$HOME/.cache}/keras-tutorial/setup-$(date +%Y%m%d-%H%M%S).log}
  dir=$(dirname "$LOG_FILE")
  mkdir -p "$dir"
  exec 3>&1 4>&2
  exec > >(tee -a "$LOG_FILE") 2>&1
  TEE_PID=$!
}

report_os() {
  say "Keras 教程：Ubuntu GPU 环境安装 / Keras tutorial: Ubuntu GPU set-up" "日志 / Log: $LOG_FILE"
  step "检查系统" "Check the system"
  local wsl="" cpu=""
  ((!IS_WSL)) || wsl=" · WSL"
  ((!CPU_ONLY)) || cpu=" (CPU)"
  say "    系统 / OS: $OS_NOTE · $ARCH$wsl"
  if [[ $OS_NOTE == *"(warned)" ]]; then
    warn "Ubuntu 20.04 的标准支持已经结束，新驱动和新版 Python 包可能装不上；建议升级到 22.04 或 24.04。继续运行。" \
      "Ubuntu 20.04 is past its standard support; new drivers and Python packages may not install. Upgrading to 22.04 or 24.04 is advised. Going on."
  fi
  say "    后端 / Backend: $BACKEND$cpu · conda 环境 / environment: $ENV_NAME"
  if ((DRY_RUN)); then
    say "    演习模式：只打印命令，不做改动 / Dry run: commands are printed, nothing is changed."
  fi
}

# --- steps 2 and 3: GPU and driver ------------------------------------------------------------

driver_version() {
  command -v nvidia-smi >/dev/null || return 1
  local version
  version=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -n 1) || return 1
  [[ -n $version ]] || return 1
  printf '%s' "$version"
}

# A driver package is installed but not loaded yet: the machine waits for a reboot.
driver_package_installed() {
  local listing
  listing=$(dpkg-query -W -f='${Package} ${Status}\n' 'nvidia-driver-*' 'nvidia-headless-*' 2>/dev/null || true)
  grep -q ' install ok installed$' <<<"$listing"
}

find_gpu() {
  step "查找 NVIDIA GPU" "Find an NVIDIA GPU"
  if ((CPU_ONLY)); then
    say "    --cpu：不找 GPU / --cpu: not looking for a GPU."
    return 0
  fi
  if ((IS_WSL)); then
    say "    WSL：GPU 由 Windows 驱动提供，lspci 看不到它，下一步用 nvidia-smi 检查。" \
      "    WSL: the Windows driver provides the GPU, which lspci cannot see; nvidia-smi checks it next."
    return 0
  fi
  local gpu=""
  if command -v lspci >/dev/null; then
    gpu=$(lspci 2>/dev/null | grep -iE '(vga|3d|display).*nvidia' | head -n 1 || true)
  elif driver_version >/dev/null; then
    gpu="(lspci missing; nvidia-smi works)"
  else
    die "找不到 lspci，无法查找 GPU。请先运行 sudo apt-get install pciutils，或用 --cpu 只装 CPU 版。" \
      "lspci is missing, so the GPU cannot be looked for. Run sudo apt-get install pciutils first, or use --cpu for CPU packages only."
  fi
  if [[ -z $gpu ]]; then
    die "没有找到 NVIDIA GPU（lspci 里没有）。没有做任何改动。没有 GPU 也能学本教程：用 --cpu 重新运行，只装 CPU 版。" \
      "no NVIDIA GPU found (none in lspci). Nothing was changed. The tutorial runs without a GPU too: run again with --cpu for CPU packages only."
  fi
  say "    找到 / Found: ${gpu#*: }"
}

secure_boot_on() {
  command -v mokutil >/dev/null || return 1
  local state
  state=$(mokutil --sb-state 2>&1 || true)
  [[ $state == *"SecureBoot enabled"* ]]
}

is_server() {
  # Ubuntu Desktop boots into the graphical target; servers need the --gpgpu driver flavour.
  [[ $(systemctl get-default 2>/dev/null || true) != graphical.target ]]
}

ask_reboot() {
  say "" "请重启电脑，然后再运行一次本脚本，它会从这里接着做。" \
    "Reboot the machine, then run this script again: it carries on from here."
  if secure_boot_on; then
    say "安全启动已开启：重启时会出现蓝色的 MOK 管理界面，选 Enroll MOK 并输入安装时设的密码。" \
      "Secure Boot is on: during the reboot a blue MOK management screen appears; choose Enroll MOK and type the password set during the install."
  fi
}

install_driver() {
  step "检查 NVIDIA 驱动" "Check the NVIDIA driver"
  if ((CPU_ONLY)); then
    say "    --cpu：不装驱动 / --cpu: no driver."
    return 0
  fi
  local version
  if version=$(driver_version); then
    say "    驱动已可用 / The driver works: $version"
    skip "驱动" "driver"
    return 0
  fi
  if ((IS_WSL)); then
    die "WSL 里找不到可用的 nvidia-smi。WSL 不要在 Linux 里装驱动：请在 Windows 上安装最新的 NVIDIA 驱动（它同时为 WSL 提供 GPU），在 PowerShell 里运行 wsl --update，再重新运行本脚本；或用 --cpu 只装 CPU 版。" \
      "no working nvidia-smi inside WSL. Never install a Linux driver in WSL: install the current NVIDIA driver on Windows (it provides the GPU to WSL as well), run wsl --update in PowerShell, then run this script again; or use --cpu for CPU packages only."
  fi
  if driver_package_installed; then
    say "    NVIDIA 驱动已安装，但还没有加载。/ An NVIDIA driver is installed but not loaded yet."
    ask_reboot
    exit "$EXIT_REBOOT"
  fi
  if secure_boot_on; then
    warn "安全启动(Secure Boot)已开启。安装驱动时可能要你设一个 MOK 密码，重启时要在蓝色界面登记(Enroll MOK)，否则驱动无法加载。" \
      "Secure Boot is on. The driver install may ask you to set a MOK password, and the reboot shows a blue screen where you must enroll it (Enroll MOK), or the driver will not load."
  fi
  local flags=()
  if is_server; then
    flags=(--gpgpu)
    say "    服务器（无图形界面）：用计算版驱动 / Server (no desktop): the compute (--gpgpu) driver."
  fi
  confirm_or_stop "用 ubuntu-drivers 安装推荐的 NVIDIA 驱动？" "Install the recommended NVIDIA driver with ubuntu-drivers?"
  # Fresh package lists, so that the recommended driver is the current one and downloads work.
  run_root apt-get update
  if ! command -v ubuntu-drivers >/dev/null; then
    run_root apt-get install -y ubuntu-drivers-common
  fi
  local cmd=(ubuntu-drivers install "${flags[@]}")
  [[ $(id -u) == 0 ]] || cmd=(sudo "${cmd[@]}")
  if ((DRY_RUN)); then
    show_cmd "[dry-run]" "${cmd[@]}"
  else
    # apt may ask for a MOK password, so this step talks to the terminal directly, not via tee.
    show_cmd "\$" "${cmd[@]}"
    say "    （这一步的输出只显示在终端 / this step's output goes to the terminal only）"
    "${cmd[@]}" >&3 2>&4
  fi
  if ((${#flags[@]})); then
    install_server_utils
  fi
  if ((DRY_RUN)); then
    say "    [dry-run] 真正运行时脚本会在这里停下，请你重启后再运行一次；下面是重启后的步骤。" \
      "    [dry-run] A real run stops here and asks for a reboot and a re-run; the steps after the reboot follow."
    return 0
  fi
  say "" "驱动已安装。/ The driver is installed."
  ask_reboot
  exit "$EXIT_REBOOT"
}

# Servers get no nvidia-smi with --gpgpu: add the utils of the branch that was just installed.
install_server_utils() {
  local branch
  branch=$(dpkg-query -W -f='${Package} ${Status}\n' 'nvidia-headless-*' 2>/dev/null |
    sed -n 's/^nvidia-headless-\(no-dkms-\)\{0,1\}\([0-9][0-9]*\(-server\)\{0,1\}\) install ok installed$/\2/p' |
    head -n 1 || true)
  if [[ -n $branch ]]; then
    run_root apt-get install -y "nvidia-utils-$branch"
  elif ((DRY_RUN)); then
    say "    [dry-run] 然后安装对应版本的 nvidia-utils-<版本>-server / then nvidia-utils-<branch>-server"
  else
    warn "认不出装的驱动版本，请自己安装 nvidia-utils-<版本>-server 以获得 nvidia-smi。" \
      "cannot tell which driver branch was installed; install nvidia-utils-<branch>-server yourself to get nvidia-smi."
  fi
}

# --- step 4: conda ----------------------------------------------------------------------------

find_conda() {
  if [[ -x $MINIFORGE_PREFIX/bin/conda ]]; then
    CONDA=$MINIFORGE_PREFIX/bin/conda
  elif [[ -n ${CONDA_EXE:-} && -x ${CONDA_EXE:-} ]]; then
    CONDA=$CONDA_EXE
  elif command -v conda >/dev/null; then
    CONDA=$(command -v conda)
  else
    return 1
  fi
}

download() {
  local url=$1 dest=$2
  if command -v curl >/dev/null; then
    run curl -fL --retry 3 --proto '=https' --tlsv1.2 -o "$dest" "$url"
  elif command -v wget >/dev/null; then
    run wget --https-only -O "$dest" "$url"
  else
    die "需要 curl 或 wget 来下载 Miniforge：sudo apt-get install curl" \
      "curl or wget is needed to download Miniforge: sudo apt-get install curl"
  fi
}

install_conda() {
  step "安装 conda（Miniforge）" "Install conda (Miniforge)"
  if find_conda; then
    say "    conda: $CONDA"
    skip "conda" "conda"
    return 0
  fi
  if [[ -e $MINIFORGE_PREFIX ]]; then
    die "$MINIFORGE_PREFIX 已存在，但里面没有 conda。请把它移走，或用 MINIFORGE_PREFIX 指定别的目录。没有做任何改动。" \
      "$MINIFORGE_PREFIX exists but holds no conda. Move it away, or choose another folder with MINIFORGE_PREFIX. Nothing was changed."
  fi
  say "    没有找到 conda，将安装 Miniforge $MINIFORGE_VERSION 到 $MINIFORGE_PREFIX" \
    "    conda not found: Miniforge $MINIFORGE_VERSION goes to $MINIFORGE_PREFIX"
  confirm_or_stop "下载并安装 Miniforge？" "Download and install Miniforge?"
  CONDA=$MINIFORGE_PREFIX/bin/conda
  if ((DRY_RUN)); then
    local placeholder="${TMPDIR:-/tmp}/miniforge-XXXXXX.sh"
    download "$MINIFORGE_URL" "$placeholder"
    say "    [dry-run] sha256 必须是 / must be $MINIFORGE_SHA256"
    run bash "$placeholder" -b -p "$MINIFORGE_PREFIX"
    return 0
  fi
  local installer actual
  installer=$(mktemp "${TMPDIR:-/tmp}/miniforge-XXXXXX.sh")
  TMP_FILES+=("$installer")
  download "$MINIFORGE_URL" "$installer"
  actual=$(sha256sum "$installer" | cut -d ' ' -f 1)
  if [[ $actual != "$MINIFORGE_SHA256" ]]; then
    rm -f -- "$installer"
    die "下载的 Miniforge 校验失败（sha256 是 $actual，应为 $MINIFORGE_SHA256）：文件不完整或被篡改，已删除，什么也没有安装。请重试。" \
      "the downloaded Miniforge failed its check (sha256 $actual, expected $MINIFORGE_SHA256): it is incomplete or tampered with. It was deleted and nothing was installed. Try again."
  fi
  say "    sha256 正确 / sha256 matches: $actual"
  # -b: batch mode, which leaves ~/.bashrc alone; the last message says how to activate.
  run bash "$installer" -b -p "$MINIFORGE_PREFIX"
  rm -f -- "$installer"
}

# --- step 5: the environment ------------------------------------------------------------------

env_prefix() {
  "$CONDA" env list 2>/dev/null | awk -v name="$ENV_NAME" '$1 == name && !found { print $NF; found = 1 }'
}

# What the environment was built from: when any of it changes, the environment is rebuilt.
wanted_stamp() {
  local sources
  sources=$(cat "$ENV_FILE" "$PYPROJECT" | sha256sum | cut -d ' ' -f 1)
  printf 'sources=%s backend=%s cpu=%s torch=%s jax=%s\n' \
    "$sources" "$BACKEND" "$CPU_ONLY" "$TORCH_INDEX_URL" "$JAX_CUDA"
}

STAMP_NAME=.keras-tutorial-setup
UP_TO_DATE=0

create_env() {
  step "创建 conda 环境" "Create the conda environment"
  local prefix=""
  if [[ -x $CONDA ]]; then
    prefix=$(env_prefix || true)
  fi
  if [[ -n $prefix ]]; then
    if ((!RECREATE)) && [[ -f $prefix/$STAMP_NAME && $(cat "$prefix/$STAMP_NAME") == "$(wanted_stamp)" ]]; then
      say "    环境 $ENV_NAME 已是最新 / Environment $ENV_NAME is up to date: $prefix"
      skip "conda 环境与后端" "conda environment and backend"
      UP_TO_DATE=1
      return 0
    fi
    say "    环境 $ENV_NAME 已存在，但与 environment.yml、pyproject.toml 或所选后端不一致，将重建。" \
      "    Environment $ENV_NAME exists but differs from environment.yml, pyproject.toml or the chosen backend: it will be recreated."
    confirm_or_stop "删除并重建 conda 环境 $ENV_NAME？" "Remove and recreate the conda environment $ENV_NAME?"
    run "$CONDA" env remove -n "$ENV_NAME" -y
  fi
  run "$CONDA" env create -n "$ENV_NAME" -f "$ENV_FILE"
  run "$CONDA" env config vars set -n "$ENV_NAME" "KERAS_BACKEND=$BACKEND"
}

# --- step 6: the backend ----------------------------------------------------------------------

# The version pinned in pyproject.toml, e.g. `pin tensorflow` sets PIN=2.21.0. Read from there so
# that the GPU build is always the version the notebooks were run with.
pin() {
  PIN=$(grep -o "\"$1==[^\"]*\"" "$PYPROJECT" | head -n 1 | sed 's/.*==//; s/"//g' || true)
  [[ -n $PIN ]] || die "pyproject.toml 里找不到 $1 的版本。" "pyproject.toml pins no version of $1."
}

pip_install() {
  run "$CONDA" run -n "$ENV_NAME" --no-capture-output python -m pip install "$@"
}

install_backend() {
  local what="GPU"
  ((!CPU_ONLY)) || what="CPU"
  step "安装后端的 $what 版" "Install the backend's $what build"
  if ((UP_TO_DATE)); then
    skip "$BACKEND" "$BACKEND"
    return 0
  fi
  pin "$BACKEND"
  local version=$PIN
  case $BACKEND:$CPU_ONLY in
    tensorflow:0) pip_install "tensorflow[and-cuda]==$version" ;;
    tensorflow:1) say "    environment.yml 已装好 TensorFlow / environment.yml installed TensorFlow already." ;;
    jax:0) pip_install "jax[$JAX_CUDA]==$version" ;;
    jax:1) ;; # the project's jax extra below is the CPU build
    torch:0) pip_install "torch==$version" --index-url "$TORCH_INDEX_URL" ;;
    torch:1) pip_install "torch==$version" --index-url "https://download.pytorch.org/whl/cpu" ;;
  esac
  # The project's own extra (jaxlib, ...), already satisfied by the build just installed.
  if [[ $BACKEND != tensorflow ]]; then
    pip_install -e "${SCRIPT_DIR}[$BACKEND]"
  fi
  if ((!DRY_RUN)); then
    local prefix
    prefix=$(env_prefix)
    wanted_stamp >"$prefix/$STAMP_NAME"
  fi
}

# --- step 7: the doctor -----------------------------------------------------------------------

run_doctor() {
  step "运行体检" "Run the doctor"
  local args=()
  ((CPU_ONLY)) || args=(--require-gpu)
  # Read-only, but it needs the environment, which a dry run has not made.
  if ((DRY_RUN)); then
    show_cmd "[dry-run]" "$CONDA" run -n "$ENV_NAME" --no-capture-output python -m keras_tutorial.doctor "${args[@]}"
    return 0
  fi
  show_cmd "\$" "$CONDA" run -n "$ENV_NAME" --no-capture-output python -m keras_tutorial.doctor "${args[@]}"
  "$CONDA" run -n "$ENV_NAME" --no-capture-output python -m keras_tutorial.doctor "${args[@]}"
}

finish() {
  local activate="conda activate $ENV_NAME"
  if [[ $CONDA == "$MINIFORGE_PREFIX/bin/conda" ]]; then
    activate="source $MINIFORGE_PREFIX/bin/activate && conda activate $ENV_NAME"
  fi
  if ((DRY_RUN)); then
    say "" "演习结束，没有做任何改动。去掉 --dry-run 即可真正运行。" \
      "Dry run over; nothing was changed. Run again without --dry-run to do it."
  else
    say "" "完成！打开新终端后运行 / Done! In a new terminal run:" \
      "    $activate" "    cd $SCRIPT_DIR && python scripts/ch01_mnist_dense.py --quick"
  fi
  say "日志 / Log: $LOG_FILE"
}

main() {
  parse_args "$@"
  check_os
  start_log
  report_os
  find_gpu
  install_driver
  install_conda
  create_env
  install_backend
  run_doctor
  finish
}

main "$@"
