#!/usr/bin/env bash
# 在 Ubuntu 上为本教程准备 NVIDIA GPU 环境 / Set up an Ubuntu machine with an NVIDIA GPU for the tutorial.
#
#   bash setup_gpu_ubuntu.sh --dry-run     # 先看看它会做什么 / first see what it would do
#   bash setup_gpu_ubuntu.sh               # 然后真正运行 / then run it
#
# Steps, each skipped when already done (a second run changes nothing):
#   1. check the OS (Ubuntu 22.04 or 24.04; 20.04 with a warning) and detect WSL;
#   2. find an NVIDIA GPU (lspci);
#   3. find a working driver (nvidia-smi, also in WSL's /usr/lib/wsl/lib) that is new enough for the
#      backend's CUDA build; otherwise install Ubuntu's recommended one with `ubuntu-drivers install`
#      (--gpgpu when no desktop is installed), check that a driver package really arrived, and stop
#      for a reboot. After that reboot a driver that still does not load is diagnosed, not rebooted
#      again. Under WSL the Windows driver provides it, so nothing is installed;
#   4. install Miniforge when conda is missing (download to a temporary file, check its sha256);
#   5. create the conda environment from environment.yml (recreated when it is out of date, but
#      only when this script created it);
#   6. install the GPU build of the chosen Keras backend (CUDA 13 builds from driver 580 on);
#   7. run the doctor: python -m keras_tutorial.doctor --require-gpu.
# It never purges packages, adds no PPA and never pipes a download into a shell. Only the driver
# steps use sudo. Without a terminal it asks nothing and changes nothing unless given --yes.
# Every system command is looked up on PATH, so tests can stand in for them.
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly ENV_FILE="$SCRIPT_DIR/environment.yml"
readonly PYPROJECT="$SCRIPT_DIR/pyproject.toml"

# Overridable for tests and unusual machines.
OS_RELEASE_FILE=${OS_RELEASE_FILE:-/etc/os-release}
PROC_VERSION_FILE=${PROC_VERSION_FILE:-/proc/version}
BOOT_ID_FILE=${BOOT_ID_FILE:-/proc/sys/kernel/random/boot_id}
NVIDIA_PROC_FILE=${NVIDIA_PROC_FILE:-/proc/driver/nvidia/version}
WSL_LIB_DIR=${WSL_LIB_DIR:-/usr/lib/wsl/lib}
MINIFORGE_PREFIX=${MINIFORGE_PREFIX:-$HOME/miniforge3}
STATE_DIR=${XDG_STATE_HOME:-$HOME/.local/state}/keras-tutorial
# Seconds: how long apt waits for another package manager (unattended-upgrades right after the
# first boot) to let go of the dpkg lock; how long nvidia-smi may take before the driver counts
# as hung; how often a long step without a terminal says that it is still running.
APT_LOCK_TIMEOUT=${APT_LOCK_TIMEOUT:-600}
NVIDIA_SMI_TIMEOUT=${NVIDIA_SMI_TIMEOUT:-20}
PROGRESS_INTERVAL=${PROGRESS_INTERVAL:-60}

# Miniforge is pinned: a new release means a new version and new hashes, copied from the .sha256
# files published beside each installer on the release page (github.com/conda-forge/miniforge).
# Check them there when bumping. MINIFORGE_URL may point at a mirror; the hash still applies.
readonly MINIFORGE_VERSION="26.3.2-3"
readonly MINIFORGE_SHA256_X86_64="848194851a98903134187fbb4ab50efe87b003e0c0f808f97644b7524a62bf2c"
readonly MINIFORGE_SHA256_AARCH64="2c113a69297e612b01ca0f320c22a3107a11f2ab9b573d79ac868a175945ce29"

# The CUDA builds follow the driver (choose_cuda_line); these override that choice.
readonly USER_TORCH_CUDA=${TORCH_CUDA:-}
readonly USER_JAX_CUDA=${JAX_CUDA:-}
readonly USER_TORCH_INDEX_URL=${TORCH_INDEX_URL:-}
TORCH_CUDA=""
JAX_CUDA=""
TORCH_INDEX_URL=""

readonly EXIT_REBOOT=3

DRY_RUN=0
ASSUME_YES=0
CPU_ONLY=0
RECREATE=0
BACKEND=tensorflow
ENV_NAME=""
IS_WSL=0
CONDA=""
ENV_PREFIX=""
NVIDIA_SMI=""
DRIVER_VERSION=""
CURRENT_STEP="开始 / start"
LOG_FILE=""
TEE_PID=""
HEARTBEAT_PID=""
APT_LOCK_SAID=0
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
  --yes, -y          不提问，全部同意；标准输入不是终端（cron、Jupyter 的 !bash、管道）时必须给出
                     answer yes to every question; required when stdin is not a terminal (cron,
                     !bash in Jupyter, a pipe), where the script otherwise refuses and changes nothing
  --cpu              不装驱动，装 CPU 版 / no driver, CPU packages only
  --backend NAME     tensorflow（默认 / default）、jax 或 / or torch
  --env-name NAME    conda 环境名 / conda environment name (default: the name in environment.yml)
  --recreate         即使环境已是最新也重建 / recreate the environment even when up to date
  --help, -h         显示本帮助 / show this help

Exit status: 0 done; 1 failed or refused (nothing changed when refused); 2 bad arguments;
3 a driver was installed: reboot, then run this script again.

Environment: MINIFORGE_PREFIX (default ~/miniforge3), MINIFORGE_URL (a mirror of the pinned
installer; its sha256 is still checked), TORCH_CUDA and JAX_CUDA (default: cu126 and cuda12, or
cu130 and cuda13 with driver 580 or newer), SETUP_LOG (log file), APT_LOCK_TIMEOUT (seconds to
wait for the dpkg lock, default 600), NVIDIA_SMI_TIMEOUT (default 20).
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

stop_heartbeat() {
  [[ -n $HEARTBEAT_PID ]] || return 0
  kill "$HEARTBEAT_PID" 2>/dev/null || true
  wait "$HEARTBEAT_PID" 2>/dev/null || true
  HEARTBEAT_PID=""
}

on_error() {
  local code=$1 line=$2
  stop_heartbeat
  printf '\n错误：步骤「%s」失败（退出码 %s，第 %s 行）。\n' "$CURRENT_STEP" "$code" "$line" >&2
  printf 'Error: step "%s" failed (exit code %s, line %s).\n' "$CURRENT_STEP" "$code" "$line" >&2
  [[ -z $LOG_FILE ]] || printf '完整输出见日志 / The full output is in the log: %s\n' "$LOG_FILE" >&2
  exit "$code"
}

on_exit() {
  local code=$?
  local f
  stop_heartbeat
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

# The same for long commands (downloads, apt, conda, pip), so that they never look hung and all
# they print lands in the log. On a terminal they run under script(1): it gives them a terminal
# of their own, so progress bars and questions (a MOK password) work, and copies what they print
# into the log. Without a terminal they print into the log pipe, and a line every
# PROGRESS_INTERVAL seconds says that the step is still running.
run_long() {
  if ((DRY_RUN)); then
    show_cmd "[dry-run]" "$@"
    return 0
  fi
  show_cmd "\$" "$@"
  local rc=0
  if [[ -t 0 && -t 3 ]] && command -v script >/dev/null; then
    local cmd
    cmd=$(printf '%q ' "$@")
    SHELL=$BASH script --quiet --flush --return --append --command "$cmd" "$LOG_FILE" >&3 2>&4 ||
      rc=$?
    return "$rc"
  fi
  heartbeat 3>&- 4>&- &
  HEARTBEAT_PID=$!
  "$@" || rc=$?
  stop_heartbeat
  return "$rc"
}

heartbeat() {
  local waited=0
  # sleep writes nothing, and must not hold the log pipe open once this loop is killed.
  while sleep "$PROGRESS_INTERVAL" >/dev/null 2>&1; do
    waited=$((waited + PROGRESS_INTERVAL))
    printf '    …仍在运行（%d 秒）/ still running (%d s)\n' "$waited" "$waited"
  done
}

# The command with sudo in front, unless this is root already: sets ROOT_CMD.
root_cmd() {
  if [[ $(id -u) == 0 ]]; then
    ROOT_CMD=("$@")
  else
    ROOT_CMD=(sudo "$@")
  fi
}

run_root() {
  root_cmd "$@"
  run_long "${ROOT_CMD[@]}"
}

# apt-get as root, waiting for the dpkg lock instead of failing on it.
apt_get() {
  if ((!APT_LOCK_SAID)); then
    APT_LOCK_SAID=1
    say "    apt 会等其他软件包程序（例如开机后自动运行的 unattended-upgrades）用完 dpkg 锁，最多 $APT_LOCK_TIMEOUT 秒；等待时它会打印 Waiting for cache lock。" \
      "    apt waits up to $APT_LOCK_TIMEOUT s for other package managers (such as unattended-upgrades after boot) to release the dpkg lock, printing \"Waiting for cache lock\" meanwhile."
  fi
  run_root apt-get -o "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT" "$@"
}

# Yes/no question. --yes and --dry-run answer yes; without a terminal nobody can answer, so the
# script stops there, before the change the question is about.
confirm() {
  ((ASSUME_YES || DRY_RUN)) && return 0
  if [[ ! -t 0 ]]; then
    die "标准输入不是终端（例如 cron、Jupyter 里的 !bash 或管道），脚本没法问你：「$1」没有做这一步，也没有做任何改动。同意的话，加 --yes 重新运行。" \
      "standard input is not a terminal (cron, !bash in Jupyter, a pipe), so the script cannot ask you: \"$2\" It did not do this, and nothing was changed. To agree, run it again with --yes."
  fi
  local answer
  read -r -p "$1 / $2 [y/N] " answer
  [[ $answer == [Yy]* || $answer == 是* ]]
}

confirm_or_stop() {
  confirm "$1" "$2" || die "已取消，没有做这一步及之后的改动。" "cancelled; this step and the ones after it changed nothing."
}

# The driver steps need root: say so before changing anything when sudo cannot give it.
require_root() {
  [[ $(id -u) != 0 ]] || return 0
  if ! command -v sudo >/dev/null; then
    die "这一步（$1）需要管理员权限，但这台机器上没有 sudo。没有做任何改动。请管理员安装 NVIDIA 驱动（sudo ubuntu-drivers install），或用 --cpu 只装 CPU 版。" \
      "this step ($2) needs root, but sudo is not installed. Nothing was changed. Ask an administrator to install the NVIDIA driver (sudo ubuntu-drivers install), or use --cpu for CPU packages only."
  fi
  ((!DRY_RUN)) || return 0
  say "    这一步要用 sudo，先检查权限（可能要输入你的密码）/ This step uses sudo; checking it first (it may ask for your password)."
  if ! sudo -v; then
    die "这一步（$1）需要 sudo，但 sudo 没有放行（你不在 sudo 组，或密码不对）。没有做任何改动。请管理员把你加进 sudo 组（sudo usermod -aG sudo $(id -un 2>/dev/null || echo 你的用户名)）或替你安装驱动，然后再运行本脚本；或用 --cpu。" \
      "this step ($2) needs sudo, and sudo refused (you are not in the sudo group, or the password was wrong). Nothing was changed. Ask an administrator to add you to the sudo group or to install the driver, then run this script again; or use --cpu."
  fi
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
  [[ $ENV_NAME != base ]] ||
    bad_arg "不能用 conda 的 base 环境 / conda's base environment cannot be used: --env-name base"
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

# --- the CUDA line ----------------------------------------------------------------------------

# Which CUDA builds a driver runs: CUDA 12 from driver 525 on, CUDA 13 (needed by the newest GPU
# generation) from 580 on. Keep in step with cuda_builds() and MIN_DRIVER in
# src/keras_tutorial/doctor.py: a bats scenario compares this script's choices with them.
# TensorFlow's pip wheels are CUDA 12 only, which newer drivers run as well.
choose_cuda_line() {
  local major=${1:-0} torch=cu126 jax=cuda12
  if ((major >= 580)); then
    torch=cu130
    jax=cuda13
  fi
  TORCH_CUDA=${USER_TORCH_CUDA:-$torch}
  JAX_CUDA=${USER_JAX_CUDA:-$jax}
  TORCH_INDEX_URL=${USER_TORCH_INDEX_URL:-https://download.pytorch.org/whl/$TORCH_CUDA}
}

# The CUDA major version of the chosen backend's GPU build, and the driver it needs.
cuda_major() {
  case $BACKEND in
    tensorflow) echo 12 ;;
    jax) echo "${JAX_CUDA#cuda}" ;;
    torch) local v=${TORCH_CUDA#cu} && echo "${v:0:2}" ;;
  esac
}

min_driver() {
  case $1 in
    13) echo 580 ;;
    *) echo 525 ;;
  esac
}

# A working driver older than the backend's CUDA build needs: stop before changing anything.
check_driver_age() {
  local version=$1 major cuda needed
  major=${version%%.*}
  [[ $major =~ ^[0-9]+$ ]] || return 0
  choose_cuda_line "$major"
  cuda=$(cuda_major)
  needed=$(min_driver "$cuda")
  ((major < needed)) || return 0
  local how_zh how_en
  how_zh="运行 ubuntu-drivers list 看这块显卡支持哪些驱动，装一个 $needed 或更新的版本（例如 sudo apt-get install nvidia-driver-<版本>），重启后再运行本脚本"
  how_en="run ubuntu-drivers list to see the drivers this GPU supports, install one of $needed or newer (sudo apt-get install nvidia-driver-<version>), reboot and run this script again"
  if ((IS_WSL)); then
    how_zh="在 Windows 上安装最新的 NVIDIA 驱动，再运行本脚本"
    how_en="install the current NVIDIA driver on Windows, then run this script again"
  fi
  die "NVIDIA 驱动 $version 太旧：$BACKEND 的 CUDA $cuda 版需要 $needed 或更新的驱动。没有做任何改动。请$how_zh；如果没有这么新的驱动，这块显卡用不了 CUDA $cuda，请用 --cpu。" \
    "NVIDIA driver $version is too old: the CUDA $cuda build of $BACKEND needs driver $needed or newer. Nothing was changed. To update, $how_en; if there is none that new, this GPU cannot run CUDA $cuda: use --cpu."
}

# --- steps 2 and 3: GPU and driver ------------------------------------------------------------

# nvidia-smi on PATH, or where the Windows driver puts it in WSL (not always on PATH, e.g. over
# SSH). Sets NVIDIA_SMI.
find_nvidia_smi() {
  if command -v nvidia-smi >/dev/null; then
    NVIDIA_SMI=$(command -v nvidia-smi)
  elif [[ -x $WSL_LIB_DIR/nvidia-smi ]]; then
    NVIDIA_SMI=$WSL_LIB_DIR/nvidia-smi
  else
    return 1
  fi
}

# Print the driver version. Status 1: no nvidia-smi, or it fails; 2: it hangs (a stuck driver
# must not hang the script).
driver_version() {
  find_nvidia_smi || return 1
  local out rc=0 limit=()
  ! command -v timeout >/dev/null || limit=(timeout -k 5 "$NVIDIA_SMI_TIMEOUT")
  out=$("${limit[@]}" "$NVIDIA_SMI" --query-gpu=driver_version --format=csv,noheader 2>/dev/null) ||
    rc=$?
  ((rc != 124 && rc != 137)) || return 2
  ((rc == 0)) || return 1
  out=${out%%$'\n'*}
  out=${out//[[:space:]]/}
  [[ $out =~ ^[0-9]+(\.[0-9]+)*$ ]] || return 1
  printf '%s' "$out"
}

driver_packages() {
  dpkg-query -W -f='${Package} ${Status}\n' 'nvidia-driver-*' 'nvidia-headless-*' 2>/dev/null |
    grep -E '^nvidia-(driver|headless)-.*[0-9].* install ok installed$' || true
}

# A driver package is installed (maybe not loaded yet).
driver_package_installed() { [[ -n $(driver_packages) ]]; }

# The branch of the installed driver package, as nvidia-utils names it: nvidia-driver-550-open
# gives 550, nvidia-headless-no-dkms-570-server-open gives 570-server.
installed_branch() {
  driver_packages | sed -n -E \
    's/^nvidia-(driver|headless)-(no-dkms-)?([0-9]+(-server)?)(-open)? install ok installed$/\3/p' |
    head -n 1
}

# The version of the loaded kernel module, from /proc/driver/nvidia/version.
loaded_module_version() {
  [[ -r $NVIDIA_PROC_FILE ]] || return 1
  local version
  version=$(grep -o -E '[[:space:]][0-9]+\.[0-9]+(\.[0-9]+)?[[:space:]]' "$NVIDIA_PROC_FILE" | head -n 1 | tr -d '[:space:]' || true)
  [[ -n $version ]] || return 1
  printf '%s' "$version"
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

# A desktop has a display manager or an ubuntu-desktop package. Not the default systemd target:
# stock Ubuntu Server boots into graphical.target too.
has_desktop() {
  # dpkg-query exits 1 when any of the patterns matches nothing, so only its output counts.
  local installed
  installed=$(dpkg-query -W -f='${Package} ${Status}\n' '*ubuntu-desktop*' gdm3 lightdm sddm lxdm xdm slim 2>/dev/null |
    grep ' install ok installed$' || true)
  [[ -n $installed ]]
}

boot_id() { cat "$BOOT_ID_FILE" 2>/dev/null || true; }

REBOOT_MARK_NAME=reboot-requested-in-boot

ask_reboot() {
  if ((!DRY_RUN)); then
    # Remember this boot: if the next run finds the driver still not loaded in a later boot, a
    # reboot did not help, and asking for another one would go round in circles.
    local boot
    boot=$(boot_id)
    if [[ -n $boot ]]; then
      mkdir -p "$STATE_DIR"
      printf '%s\n' "$boot" >"$STATE_DIR/$REBOOT_MARK_NAME"
    fi
  fi
  say "" "请重启电脑，然后再运行一次本脚本，它会从这里接着做。" \
    "Reboot the machine, then run this script again: it carries on from here."
  if secure_boot_on; then
    say "安全启动已开启：重启时会出现蓝色的 MOK 管理界面（只等 10 秒），选 Enroll MOK 并输入安装时设的密码。" \
      "Secure Boot is on: during the reboot a blue MOK management screen appears (for 10 seconds only); choose Enroll MOK and type the password set during the install."
  fi
}

# Did this script ask for a reboot in an earlier boot than this one?
rebooted_since_asked() {
  local asked now
  asked=$(cat "$STATE_DIR/$REBOOT_MARK_NAME" 2>/dev/null || true)
  now=$(boot_id)
  [[ -n $asked && -n $now && $asked != "$now" ]]
}

forget_reboot() {
  ((DRY_RUN)) || rm -f -- "$STATE_DIR/$REBOOT_MARK_NAME"
}

finding() { printf '  • %s\n    %s\n' "$1" "$2"; }

# The driver package is installed and the machine has rebooted since, yet the driver does not
# load: find out why and say what to do (exit 1); returns only when loading it by hand worked.
diagnose_driver() {
  say "" "    重启之后驱动仍然没有加载，所以脚本不再要求重启。检查结果：" \
    "    The machine has rebooted since, and the driver still does not load, so the script asks for no further reboot. What the checks found:"
  local found=0 out rc kernel
  kernel=$(uname -r)
  if command -v nvidia-uninstall >/dev/null; then
    found=1
    finding "有一个用 NVIDIA 官网 .run 安装包装的驱动（找到 nvidia-uninstall），它挡住了 Ubuntu 的驱动包。运行 sudo nvidia-uninstall 卸载它，重启后再运行本脚本。" \
      "a driver from NVIDIA's .run installer is in the way (nvidia-uninstall exists). Remove it with sudo nvidia-uninstall, reboot, then run this script again."
  fi
  local secure=0 pending=""
  if secure_boot_on; then
    secure=1
    pending=$(mokutil --list-new 2>&1 || true)
    [[ $pending != *"MokNew is empty"* && $pending != *"rror"* ]] || pending=""
  fi
  out="" rc=0
  if ((DRY_RUN)); then
    root_cmd modprobe nvidia
    show_cmd "[dry-run]" "${ROOT_CMD[@]}"
  elif [[ $(id -u) == 0 ]] || { command -v sudo >/dev/null && sudo -v; }; then
    root_cmd modprobe nvidia
    show_cmd "\$" "${ROOT_CMD[@]}"
    out=$("${ROOT_CMD[@]}" 2>&1) || rc=$?
    [[ -z $out ]] || say "$out"
    if ((rc == 0)) && DRIVER_VERSION=$(driver_version); then
      say "    modprobe 加载了驱动，现在可以用了 / modprobe loaded the driver, which works now: $DRIVER_VERSION"
      return 0
    fi
  fi
  if [[ $out == *"Key was rejected"* ]] || { ((secure)) && [[ -n $pending ]]; }; then
    found=1
    if [[ -n $pending ]]; then
      finding "安全启动(Secure Boot)拒绝了驱动模块：它的密钥还在等待登记，重启时没有在蓝色的 MOK 界面登记（那个界面只等 10 秒）。请重启，在 MOK 界面选 Enroll MOK → Continue → Yes，输入安装驱动时设的密码，然后再运行本脚本。" \
        "Secure Boot rejects the driver module: its key still waits to be enrolled, and it was not enrolled in the blue MOK screen during the reboot (that screen waits 10 seconds only). Reboot, choose Enroll MOK → Continue → Yes there, type the password set during the driver install, then run this script again."
    else
      finding "安全启动(Secure Boot)拒绝了驱动模块（Key was rejected），也没有等待登记的密钥。运行 sudo update-secureboot-policy --enroll-key 重新申请登记，重启时在 MOK 界面选 Enroll MOK；或者在 BIOS/UEFI 设置里关闭安全启动。" \
        "Secure Boot rejects the driver module (Key was rejected), and no key waits to be enrolled. Run sudo update-secureboot-policy --enroll-key to request the enrollment again, then choose Enroll MOK in the MOK screen during the reboot; or turn Secure Boot off in the BIOS/UEFI settings."
    fi
  fi
  local dkms=""
  if command -v dkms >/dev/null; then
    dkms=$(dkms status 2>&1 | grep -i nvidia || true)
    [[ -z $dkms ]] || say "    dkms status:" "$dkms"
  fi
  if [[ $out == *"not found"* ]] ||
    { [[ -n $dkms ]] && ! grep -q "$kernel.*installed" <<<"$dkms"; }; then
    found=1
    finding "当前内核 $kernel 没有可用的 nvidia 模块：DKMS 编译多半失败了（见上面的 dkms status）。运行 sudo apt-get install linux-headers-$kernel，再运行 sudo dkms autoinstall；编译日志在 /var/lib/dkms/nvidia/*/build/make.log。成功后再运行本脚本。" \
      "the running kernel $kernel has no usable nvidia module: the DKMS build most likely failed (see dkms status above). Run sudo apt-get install linux-headers-$kernel, then sudo dkms autoinstall; the build log is /var/lib/dkms/nvidia/*/build/make.log. Then run this script again."
  fi
  local loaded
  if loaded=$(loaded_module_version); then
    found=1
    finding "内核模块 $loaded 已加载（$NVIDIA_PROC_FILE），但 nvidia-smi 不能用：多半是驱动包和用户态程序的版本不一致。运行 sudo apt-get install --reinstall nvidia-utils-$(installed_branch)，不行再看 sudo dmesg | grep -i nvrm。" \
      "the kernel module $loaded is loaded ($NVIDIA_PROC_FILE), but nvidia-smi does not work: most likely the driver packages and the user-space tools differ in version. Run sudo apt-get install --reinstall nvidia-utils-$(installed_branch); if that does not help, see sudo dmesg | grep -i nvrm."
  fi
  if ((!found)); then
    finding "没有找到具体原因。请看 sudo dmesg | grep -i -e nvidia -e nvrm 的输出和日志。" \
      "no specific cause found. Look at the output of sudo dmesg | grep -i -e nvidia -e nvrm and at the log."
  fi
  die "NVIDIA 驱动已安装，但重启后仍然无法加载。按上面的检查结果处理，然后再运行本脚本（它不会再要求重启）。" \
    "the NVIDIA driver is installed but still does not load after a reboot. Act on the findings above, then run this script again (it will not ask for another reboot)."
}

# A working driver: check that it suits the backend, and carry on.
driver_works() {
  DRIVER_VERSION=$1
  find_nvidia_smi || true
  check_driver_age "$DRIVER_VERSION"
  say "    驱动已可用 / The driver works: $DRIVER_VERSION ($NVIDIA_SMI)"
  ((CPU_ONLY)) || say "    CUDA 版本 / CUDA build: $(cuda_major)"
  forget_reboot
}

install_driver() {
  step "检查 NVIDIA 驱动" "Check the NVIDIA driver"
  if ((CPU_ONLY)); then
    say "    --cpu：不装驱动 / --cpu: no driver."
    return 0
  fi
  local version rc=0
  version=$(driver_version) || rc=$?
  if ((rc == 0)); then
    driver_works "$version"
    skip "驱动" "driver"
    return 0
  fi
  if ((rc == 2)); then
    die "nvidia-smi 在 $NVIDIA_SMI_TIMEOUT 秒内没有回应：驱动或显卡卡住了。没有做任何改动。请重启；如果还这样，看看 sudo dmesg | grep -i -e nvrm -e xid。" \
      "nvidia-smi did not answer within $NVIDIA_SMI_TIMEOUT s: the driver or the GPU is stuck. Nothing was changed. Reboot; if it happens again, look at sudo dmesg | grep -i -e nvrm -e xid."
  fi
  if ((IS_WSL)); then
    die "WSL 里找不到可用的 nvidia-smi（PATH 和 $WSL_LIB_DIR 里都看过了）。WSL 不要在 Linux 里装驱动：请在 Windows 上安装最新的 NVIDIA 驱动（它同时为 WSL 提供 GPU），在 PowerShell 里运行 wsl --update，再重新运行本脚本；或用 --cpu 只装 CPU 版。" \
      "no working nvidia-smi inside WSL (looked on PATH and in $WSL_LIB_DIR). Never install a Linux driver in WSL: install the current NVIDIA driver on Windows (it provides the GPU to WSL as well), run wsl --update in PowerShell, then run this script again; or use --cpu for CPU packages only."
  fi
  local loaded
  if ! find_nvidia_smi && loaded=$(loaded_module_version); then
    install_utils "$loaded"
    return 0
  fi
  if driver_package_installed; then
    if rebooted_since_asked; then
      diagnose_driver
      driver_works "$DRIVER_VERSION"
      return 0
    fi
    say "    NVIDIA 驱动已安装，但还没有加载。/ An NVIDIA driver is installed but not loaded yet."
    ask_reboot
    exit "$EXIT_REBOOT"
  fi
  if secure_boot_on; then
    warn "安全启动(Secure Boot)已开启。安装驱动时可能要你设一个 MOK 密码，重启时要在蓝色界面登记(Enroll MOK)，否则驱动无法加载。" \
      "Secure Boot is on. The driver install may ask you to set a MOK password, and the reboot shows a blue screen where you must enroll it (Enroll MOK), or the driver will not load."
  fi
  local flags=()
  if has_desktop; then
    say "    桌面系统：用桌面版驱动 / Desktop: the desktop driver."
  else
    flags=(--gpgpu)
    say "    没有装桌面（服务器）：用计算版驱动 / No desktop installed (a server): the compute (--gpgpu) driver."
  fi
  confirm_or_stop "用 ubuntu-drivers 安装推荐的 NVIDIA 驱动？" "Install the recommended NVIDIA driver with ubuntu-drivers?"
  require_root "安装驱动" "installing the driver"
  # Fresh package lists, so that the recommended driver is the current one and downloads work;
  # the newest ubuntu-drivers-common knows the newest GPUs, and installing it waits for the lock.
  apt_get update
  apt_get install -y ubuntu-drivers-common
  run_root ubuntu-drivers install "${flags[@]}"
  if ((DRY_RUN)); then
    ((!${#flags[@]})) || say "    [dry-run] 然后安装对应版本的 nvidia-utils-<版本>-server / then nvidia-utils-<branch>-server"
    say "    [dry-run] 真正运行时脚本会在这里检查驱动包已装上，然后停下，请你重启后再运行一次；下面是重启后的步骤。" \
      "    [dry-run] A real run checks here that a driver package arrived, then stops and asks for a reboot and a re-run; the steps after the reboot follow."
    choose_cuda_line ""
    return 0
  fi
  # ubuntu-drivers exits 0 even when it installed nothing.
  if ! driver_package_installed; then
    die "ubuntu-drivers 运行结束了，但没有装上任何 NVIDIA 驱动包。常见原因：另一个安装程序占着 apt 锁（刚开机时的自动更新 unattended-upgrades）、找不到适合这块显卡的驱动（No drivers found）、DKMS 编译失败。请看上面和日志里 ubuntu-drivers 的输出，以及 ubuntu-drivers list 列出的驱动；过几分钟再运行本脚本即可重试。" \
      "ubuntu-drivers finished, but no NVIDIA driver package is installed. Common causes: another installer holds the apt lock (unattended-upgrades right after boot), no driver suits this GPU (\"No drivers found\"), or the DKMS build failed. Look at ubuntu-drivers' output above and in the log, and at what ubuntu-drivers list shows; run this script again in a few minutes to retry."
  fi
  if ((${#flags[@]})); then
    install_server_utils
  fi
  say "" "驱动已安装：$(driver_packages | cut -d ' ' -f 1 | tr '\n' ' ')/ The driver is installed."
  ask_reboot
  exit "$EXIT_REBOOT"
}

# Servers get no nvidia-smi with --gpgpu: add the utils of the branch that was just installed.
install_server_utils() {
  local branch
  branch=$(installed_branch)
  if [[ -n $branch ]]; then
    apt_get install -y "nvidia-utils-$branch"
  else
    warn "认不出装的驱动版本，请自己安装 nvidia-utils-<版本>-server 以获得 nvidia-smi。" \
      "cannot tell which driver branch was installed; install nvidia-utils-<branch>-server yourself to get nvidia-smi."
  fi
}

# The kernel module is loaded but nvidia-smi is missing: the utils package is what is missing,
# not a reboot.
install_utils() {
  local loaded=$1 branch
  say "    驱动模块 $loaded 已加载，但没有 nvidia-smi：安装对应的 nvidia-utils。" \
    "    The driver module $loaded is loaded, but nvidia-smi is missing: installing the matching nvidia-utils."
  check_driver_age "$loaded"
  branch=$(installed_branch)
  if [[ -z $branch ]]; then
    die "驱动模块 $loaded 已加载，但没有 nvidia-smi，也没有 Ubuntu 的驱动包（可能是 .run 安装包装的驱动）。没有做任何改动。请安装与 $loaded 同版本的 nvidia-smi，再运行本脚本。" \
      "the driver module $loaded is loaded, but there is no nvidia-smi and no Ubuntu driver package (perhaps a driver from a .run installer). Nothing was changed. Install the nvidia-smi of version $loaded, then run this script again."
  fi
  confirm_or_stop "安装 nvidia-utils-$branch（提供 nvidia-smi）？" "Install nvidia-utils-$branch (which provides nvidia-smi)?"
  require_root "安装 nvidia-utils" "installing nvidia-utils"
  apt_get install -y "nvidia-utils-$branch"
  if ((DRY_RUN)); then
    DRIVER_VERSION=$loaded
    return 0
  fi
  local version
  version=$(driver_version) ||
    die "装好了 nvidia-utils-$branch，但 nvidia-smi 仍然不能用。请看日志和 sudo dmesg | grep -i nvrm。" \
      "nvidia-utils-$branch is installed, but nvidia-smi still does not work. See the log and sudo dmesg | grep -i nvrm."
  driver_works "$version"
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
    run_long curl -fL --retry 3 --proto '=https' --tlsv1.2 -o "$dest" "$url"
  elif command -v wget >/dev/null; then
    run_long wget --https-only -O "$dest" "$url"
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
  run_long bash "$installer" -b -p "$MINIFORGE_PREFIX"
  rm -f -- "$installer"
}

# --- step 5: the environment ------------------------------------------------------------------

# One JSON string's contents as text: conda writes non-ASCII characters as \uXXXX.
json_unescape() {
  local s=$1
  s=${s//\\\"/\"}
  s=${s//\\\//\/}
  LC_ALL=C.UTF-8 printf '%b' "$s"
}

# The environment's folder, from `conda env list --json` (one path per line, spaces and all);
# nothing when there is no such environment.
env_prefix() {
  local json line path
  json=$("$CONDA" env list --json 2>/dev/null) || return 0
  while IFS= read -r line; do
    [[ $line =~ ^[[:space:]]*\"(.*)\",?[[:space:]]*$ ]] || continue
    path=$(json_unescape "${BASH_REMATCH[1]}")
    if [[ $path == /* && ${path##*/} == "$ENV_NAME" && ${path%/*} == */envs ]]; then
      printf '%s' "$path"
      return 0
    fi
  done <<<"$json"
}

# Sets ENV_PREFIX to the environment's folder, which must exist: the stamp goes there, and never
# to "/".
require_env_prefix() {
  ENV_PREFIX=$(env_prefix)
  [[ -n $ENV_PREFIX && -d $ENV_PREFIX ]] ||
    die "conda env list --json 没有列出环境 $ENV_NAME 的目录，无法记录它的安装状态。请看日志里 conda 的输出。" \
      "conda env list --json lists no folder for the environment $ENV_NAME, so its state cannot be recorded. See conda's output in the log."
}

# What the environment was built from: when any of it changes, the environment is rebuilt.
wanted_stamp() {
  local sources
  sources=$(cat "$ENV_FILE" "$PYPROJECT" | sha256sum | cut -d ' ' -f 1)
  backend_pip_args
  printf 'sources=%s backend=%s cpu=%s build=%s\n' "$sources" "$BACKEND" "$CPU_ONLY" "${BACKEND_PIP_ARGS[*]}"
}

# The stamp also marks an environment as made by this script: only those are ever removed.
STAMP_NAME=.keras-tutorial-setup
UP_TO_DATE=0

create_env() {
  step "创建 conda 环境" "Create the conda environment"
  local prefix=""
  if [[ -x $CONDA ]]; then
    prefix=$(env_prefix)
  fi
  if [[ -n $prefix ]]; then
    if ((!RECREATE)) && [[ -f $prefix/$STAMP_NAME && $(cat "$prefix/$STAMP_NAME") == "$(wanted_stamp)" ]]; then
      say "    环境 $ENV_NAME 已是最新 / Environment $ENV_NAME is up to date: $prefix"
      skip "conda 环境与后端" "conda environment and backend"
      UP_TO_DATE=1
      return 0
    fi
    if [[ ! -f $prefix/$STAMP_NAME ]]; then
      die "已经有一个叫 $ENV_NAME 的 conda 环境（$prefix），但它不是本脚本创建的，脚本不会删除它。没有做任何改动。请用 --env-name 另起一个名字，或者自己把它改名（conda rename -n $ENV_NAME $ENV_NAME-old）或删除后再运行。" \
        "a conda environment named $ENV_NAME exists ($prefix), but this script did not create it, so it will not remove it. Nothing was changed. Choose another name with --env-name, or rename it yourself (conda rename -n $ENV_NAME $ENV_NAME-old) or remove it, then run again."
    fi
    if [[ ${CONDA_PREFIX:-} == "$prefix" ]]; then
      die "环境 $ENV_NAME 需要重建，但它正是当前激活的环境（CONDA_PREFIX），conda 不能删除正在使用的环境。没有做任何改动。请先运行 conda deactivate，再运行本脚本。" \
        "the environment $ENV_NAME needs to be recreated, but it is the active one (CONDA_PREFIX), which conda cannot remove. Nothing was changed. Run conda deactivate first, then this script again."
    fi
    say "    环境 $ENV_NAME 已存在，但与 environment.yml、pyproject.toml 或所选后端不一致，将重建。" \
      "    Environment $ENV_NAME exists but differs from environment.yml, pyproject.toml or the chosen backend: it will be recreated."
    confirm_or_stop "删除并重建 conda 环境 $ENV_NAME？" "Remove and recreate the conda environment $ENV_NAME?"
    run "$CONDA" env remove -n "$ENV_NAME" -y
  fi
  run_long "$CONDA" env create -n "$ENV_NAME" -f "$ENV_FILE"
  if ((!DRY_RUN)); then
    # Marked as this script's at once, so that a later step failing leaves it removable.
    require_env_prefix
    printf 'incomplete\n' >"$ENV_PREFIX/$STAMP_NAME"
  fi
  run "$CONDA" env config vars set -n "$ENV_NAME" "KERAS_BACKEND=$BACKEND"
}

# --- step 6: the backend ----------------------------------------------------------------------

# The version pinned in pyproject.toml, e.g. `pin tensorflow` sets PIN=2.21.0. Read from there so
# that the GPU build is always the version the notebooks were run with.
pin() {
  PIN=$(grep -o "\"$1==[^\"]*\"" "$PYPROJECT" | head -n 1 | sed 's/.*==//; s/"//g' || true)
  [[ -n $PIN ]] || die "pyproject.toml 里找不到 $1 的版本。" "pyproject.toml pins no version of $1."
}

# What pip installs for the backend: sets BACKEND_PIP_ARGS (empty when environment.yml has it).
backend_pip_args() {
  pin "$BACKEND"
  case $BACKEND:$CPU_ONLY in
    tensorflow:0) BACKEND_PIP_ARGS=("tensorflow[and-cuda]==$PIN") ;;
    tensorflow:1) BACKEND_PIP_ARGS=() ;;
    jax:0) BACKEND_PIP_ARGS=("jax[$JAX_CUDA]==$PIN") ;;
    jax:1) BACKEND_PIP_ARGS=() ;; # the project's jax extra below is the CPU build
    torch:0) BACKEND_PIP_ARGS=("torch==$PIN" --index-url "$TORCH_INDEX_URL") ;;
    torch:1) BACKEND_PIP_ARGS=("torch==$PIN" --index-url "https://download.pytorch.org/whl/cpu") ;;
  esac
}

# Every pip call of this script goes through here (pip settings belong in one place). conda run
# passes the environment on, so the learner's own pip settings (PIP_INDEX_URL, PIP_DEFAULT_TIMEOUT,
# a pip.conf: a mirror, see README) apply to every call, as to conda's pip run for environment.yml.
pip_run() {
  run_long "$CONDA" run -n "$ENV_NAME" --no-capture-output python -m pip "$@"
}
pip_install() { pip_run install "$@"; }

install_backend() {
  local what="GPU"
  ((!CPU_ONLY)) || what="CPU"
  step "安装后端的 $what 版" "Install the backend's $what build"
  if ((UP_TO_DATE)); then
    skip "$BACKEND" "$BACKEND"
    return 0
  fi
  backend_pip_args
  if ((${#BACKEND_PIP_ARGS[@]})); then
    # environment.yml installed TensorFlow's CPU build, which owns the GPU build's folder.
    [[ $BACKEND != tensorflow ]] || pip_run uninstall --yes tensorflow-cpu
    pip_install "${BACKEND_PIP_ARGS[@]}"
  else
    say "    environment.yml 已装好 $BACKEND 的 CPU 版 / environment.yml installed the CPU build of $BACKEND already."
  fi
  # The project's own extra (jaxlib, ...), already satisfied by the build just installed.
  if [[ $BACKEND != tensorflow ]]; then
    pip_install -e "${SCRIPT_DIR}[$BACKEND]"
  fi
  if ((!DRY_RUN)); then
    local stamp
    require_env_prefix
    stamp=$(wanted_stamp)
    printf '%s\n' "$stamp" >"$ENV_PREFIX/$STAMP_NAME"
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
  choose_cuda_line ""
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
