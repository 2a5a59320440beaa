#!/usr/bin/env bash
# 在 Ubuntu 上为本教程准备 NVIDIA GPU 环境 / Set up an Ubuntu machine with an NVIDIA GPU for the tutorial.
#
#   bash setup_gpu_ubuntu.sh --dry-run     # 先看看它会做什么 / first see what it would do
#   bash setup_gpu_ubuntu.sh               # 然后真正运行 / then run it
#
# Steps, each skipped when already done (a second run changes nothing):
#   1. check the OS (Ubuntu 22.04, 24.04 or 26.04), the CPU (aarch64: TensorFlow's PyPI build is
#      CPU-only) and detect WSL and containers;
#   2. find an NVIDIA GPU (lspci; in a container, the /dev/nvidia* devices the host passes in);
#   3. find a working driver (nvidia-smi, also in WSL's /usr/lib/wsl/lib); otherwise check what
#      would get in the way (a .run-installer driver, a Linux nvidia-utils inside WSL, packages that
#      only look like a driver), install Ubuntu's recommended driver with apt (the package that
#      `ubuntu-drivers list --recommended [--gpgpu]` names; --gpgpu when no desktop is installed)
#      and stop for a reboot. After that reboot a driver that still does not load is diagnosed, not
#      rebooted again. Under WSL the Windows driver provides it, so nothing is installed;
#   4. a Python that make can build .venv with (22.04: Ubuntu's python3.11);
#   5. choose the backend's CUDA build for the GPU's compute capability and the driver (the one
#      table, src/keras_tutorial/gpu_builds.tsv, read by src/keras_tutorial/gpu.py) and install it
#      with `make gpu` into .venv, the environment every make command and the README use;
#   6. run the doctor: make doctor ARGS=--require-gpu.
# It never purges packages, adds no PPA and never pipes a download into a shell. Only the driver
# and Python steps use sudo. Without a terminal it asks nothing and changes nothing unless given
# --yes. Every system command is looked up on PATH, so tests can stand in for them.
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly GPU_PY="$SCRIPT_DIR/src/keras_tutorial/gpu.py"

# Overridable for tests and unusual machines.
OS_RELEASE_FILE=${OS_RELEASE_FILE:-/etc/os-release}
PROC_VERSION_FILE=${PROC_VERSION_FILE:-/proc/version}
BOOT_ID_FILE=${BOOT_ID_FILE:-/proc/sys/kernel/random/boot_id}
NVIDIA_PROC_FILE=${NVIDIA_PROC_FILE:-/proc/driver/nvidia/version}
WSL_LIB_DIR=${WSL_LIB_DIR:-/usr/lib/wsl/lib}
# The root of the files that tell a container (/.dockerenv, /run/.containerenv) and its devices.
FS_ROOT=${FS_ROOT:-}
STATE_DIR=${XDG_STATE_HOME:-$HOME/.local/state}/keras-tutorial
# Seconds: how long apt waits for another package manager (unattended-upgrades right after the
# first boot) to let go of the dpkg and package-list locks, and between two tries of apt-get
# update; how often a long step without a terminal says that it is still running. nvidia-smi's
# time limit is gpu.py's (NVIDIA_SMI_TIMEOUT, default 20 s). GB the GPU build needs on disk.
APT_LOCK_TIMEOUT=${APT_LOCK_TIMEOUT:-600}
APT_RETRY_INTERVAL=${APT_RETRY_INTERVAL:-10}
NVIDIA_SMI_TIMEOUT=${NVIDIA_SMI_TIMEOUT:-20}
export NVIDIA_SMI_TIMEOUT WSL_LIB_DIR
PROGRESS_INTERVAL=${PROGRESS_INTERVAL:-60}
MIN_FREE_GB=${MIN_FREE_GB:-10}

readonly EXIT_REBOOT=3

DRY_RUN=0
ASSUME_YES=0
CPU_ONLY=0
BACKEND=tensorflow
IS_WSL=0
IN_CONTAINER=0
OS_VERSION=""
PY=python3
PY_FACTS=""
BUILD=""
LOCK=""
NVIDIA_SMI=""
DRIVER_VERSION=""
GPU_CAP=""
CURRENT_STEP="开始 / start"
LOG_FILE=""
TEE_PID=""
HEARTBEAT_PID=""
APT_LOCK_SAID=0

usage() {
  cat <<'EOF'
用法 / Usage: bash setup_gpu_ubuntu.sh [options]

为本教程准备 Ubuntu + NVIDIA GPU：驱动，然后把 Keras 后端的 GPU 版装进 make 用的环境 .venv，最后运行体检。
Prepare Ubuntu with an NVIDIA GPU for the tutorial: the driver, then the GPU build of the Keras
backend in .venv, the environment of every make command. Try --dry-run first.

Options:
  --dry-run          只打印将要运行的命令，不做任何改动（只写日志）
                     print each command it would run; change, download and write nothing but a log
  --yes, -y          不提问，全部同意；标准输入不是终端（cron、Jupyter 的 !bash、管道）时必须给出
                     answer yes to every question; required when stdin is not a terminal (cron,
                     !bash in Jupyter, a pipe), where the script otherwise refuses and changes nothing
  --cpu              不装驱动，换回 CPU 版（make cpu）/ no driver; the CPU builds (make cpu)
  --backend NAME     tensorflow（默认 / default）、jax 或 / or torch
  --help, -h         显示本帮助 / show this help

Exit status: 0 done; 1 failed or refused (nothing changed when refused); 2 bad arguments;
3 a driver was installed: reboot, then run this script again.

Environment: TORCH_INDEX_URL (PyTorch's CUDA index, default https://download.pytorch.org/whl/
followed by the build, e.g. cu130; point it at a mirror's copy where that site is slow),
SETUP_LOG (log file), APT_LOCK_TIMEOUT (seconds to wait for apt's locks, default 600),
NVIDIA_SMI_TIMEOUT (default 20), MIN_FREE_GB (free disk needed, default 10). http_proxy and
https_proxy reach apt through sudo.
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
  printf '\n==> [%d/6] %s / %s\n' "$STEP_NO" "$1" "$2"
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
  stop_heartbeat
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

# The same for long commands (apt, make's downloads and installs), so that they never look hung and all
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

# The command with sudo in front, unless this is root already: sets ROOT_CMD. sudo resets the
# environment, so the proxy settings that apt needs to download are handed on by name.
root_cmd() {
  if [[ $(id -u) == 0 ]]; then
    ROOT_CMD=("$@")
    return 0
  fi
  local name kept=()
  for name in http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY; do
    [[ -z ${!name:-} ]] || kept+=("$name")
  done
  ROOT_CMD=(sudo)
  ((!${#kept[@]})) || ROOT_CMD+=("--preserve-env=$(
    IFS=,
    echo "${kept[*]}"
  )")
  ROOT_CMD+=("$@")
}

run_root() {
  root_cmd "$@"
  run_long "${ROOT_CMD[@]}"
}

# apt-get as root, waiting for the dpkg lock instead of failing on it.
apt_get() {
  if ((!APT_LOCK_SAID)); then
    APT_LOCK_SAID=1
    say "    apt 会等其他软件包程序（例如开机后自动运行的 unattended-upgrades）用完它的锁，最多 $APT_LOCK_TIMEOUT 秒。" \
      "    apt waits up to $APT_LOCK_TIMEOUT s for other package managers (such as unattended-upgrades after boot) to release its locks."
  fi
  run_root apt-get -o "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT" "$@"
}

# apt-get update takes the package lists' lock, which DPkg::Lock::Timeout does not cover: tried
# again every APT_RETRY_INTERVAL seconds while another package manager holds it, up to
# APT_LOCK_TIMEOUT.
apt_update() {
  local waited=0
  until apt_get update; do
    ((!DRY_RUN)) || return 0
    if ((waited >= APT_LOCK_TIMEOUT)); then
      die "apt-get update 在 $APT_LOCK_TIMEOUT 秒内一直失败（另一个软件包程序占着软件包列表的锁，或者连不上软件源）。请看上面 apt 的输出，过几分钟再运行本脚本。" \
        "apt-get update kept failing for $APT_LOCK_TIMEOUT s (another package manager holds the package lists' lock, or the archive cannot be reached). See apt's output above and run this script again in a few minutes."
    fi
    say "    apt-get update 失败，$APT_RETRY_INTERVAL 秒后重试（可能在等另一个软件包程序的锁）/ apt-get update failed; trying again in $APT_RETRY_INTERVAL s (perhaps waiting for another package manager's lock)."
    sleep "$APT_RETRY_INTERVAL"
    waited=$((waited + APT_RETRY_INTERVAL))
  done
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
      --backend=*) BACKEND=${1#*=} ;;
      --backend)
        (($# > 1)) || bad_arg "--backend 需要一个值 / needs a value"
        BACKEND=$2
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
    die "本脚本只支持 Ubuntu 22.04、24.04 和 26.04，这台机器是 $pretty。没有做任何改动；其他系统请按 README 手动安装。" \
      "this script supports Ubuntu 22.04, 24.04 and 26.04 only; this machine runs $pretty. Nothing was changed; on other systems follow the README by hand."
  fi
  case $version in
    22.04 | 24.04 | 26.04) OS_NOTE="$pretty" ;;
    20.04)
      die "Ubuntu 20.04 的标准支持已经结束，它的软件源里也没有本项目需要的 Python 3.11+。没有做任何改动。请升级到 22.04 或更新的版本。" \
        "Ubuntu 20.04 is past its standard support, and its archive has no Python 3.11 or newer, which this project needs. Nothing was changed. Upgrade to 22.04 or newer."
      ;;
    *)
      die "不支持 Ubuntu $version（支持 22.04、24.04 和 26.04）。没有做任何改动。" \
        "Ubuntu $version is not supported (22.04, 24.04 and 26.04 are). Nothing was changed."
      ;;
  esac
  OS_VERSION=$version
  ARCH=$(uname -m)
  case $ARCH in
    x86_64 | aarch64) ;;
    *) die "不支持的 CPU 架构 $ARCH。没有做任何改动。" "unsupported CPU architecture $ARCH. Nothing was changed." ;;
  esac
  # A backend without a GPU build for this CPU (TensorFlow on aarch64: the table has no row for
  # it) stops before anything; gpu.py says why and which backends have one.
  local why
  if ((!CPU_ONLY)) && ! awk -F '\t' -v b="$BACKEND" -v m="$ARCH" \
    '$1 == "build" && $2 == b && index("," $7 ",", "," m ",") { found = 1 } END { exit !found }' \
    "$SCRIPT_DIR/src/keras_tutorial/gpu_builds.tsv" &&
    ! why=$(python3 "$GPU_PY" choose --backend "$BACKEND" --cap 9.0 --driver 999 --machine "$ARCH" 2>&1 >/dev/null); then
    printf '%s\n' "$why" >&2
    die "没有做任何改动：用 --backend 选上面列出的后端，或用 --cpu。" \
      "nothing was changed: choose one of the backends named above with --backend, or use --cpu."
  fi
  if [[ $(id -u) == 0 && -n ${SUDO_USER:-} ]]; then
    die "请不要用 sudo 运行本脚本：.venv 要属于你自己的用户，需要 root 的步骤脚本会自己调用 sudo。没有做任何改动。" \
      "do not run this script with sudo: .venv belongs to your own user, and the script calls sudo itself for the steps that need root. Nothing was changed."
  fi
  if [[ -n ${WSL_DISTRO_NAME:-} ]] || grep -qi microsoft "$PROC_VERSION_FILE" 2>/dev/null; then
    IS_WSL=1
  fi
  if [[ -e $FS_ROOT/.dockerenv || -e $FS_ROOT/run/.containerenv ]]; then
    IN_CONTAINER=1
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
  ((!IN_CONTAINER)) || say "    容器 / Container: yes"
  say "    后端 / Backend: $BACKEND$cpu · 环境 / environment: $SCRIPT_DIR/.venv"
  if ((DRY_RUN)); then
    say "    演习模式：只打印命令，不做改动 / Dry run: commands are printed, nothing is changed."
  fi
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

# Ask the driver for its version and the GPUs' lowest compute capability: sets DRIVER_VERSION and
# GPU_CAP (gpu.py's query: the one call of nvidia-smi, with its time limit; choose_build reuses
# the answer). Status 1: no nvidia-smi, or it fails; 2: it hangs (a stuck driver must not hang
# the script).
read_driver() {
  find_nvidia_smi || return 1
  local out rc=0
  out=$(python3 "$GPU_PY" query 2>/dev/null) || rc=$?
  ((rc == 0)) || return "$rc"
  DRIVER_VERSION=${out%%$'\n'*}
  out=${out#*$'\n'}
  GPU_CAP=${out%%$'\n'*}
}

driver_packages() {
  dpkg-query -W -f='${Package} ${Status}\n' 'nvidia-driver-*' 'nvidia-headless-*' 2>/dev/null |
    grep -E '^nvidia-(driver|headless)-(no-dkms-)?[0-9]+(-server)?(-open)? install ok installed$' || true
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
  if ((IN_CONTAINER)); then
    # A container sees the GPU only through the devices the host passes in (--gpus all).
    compgen -G "$FS_ROOT/dev/nvidia[0-9]*" >/dev/null || check_before_driver
    say "    容器：宿主机传进了 GPU 设备 / Container: the host passes GPU devices in."
    return 0
  fi
  if command -v lspci >/dev/null; then
    gpu=$(lspci 2>/dev/null | grep -iE '(vga|3d|display).*nvidia' | head -n 1 || true)
  elif read_driver; then
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
    if ((rc == 0)) && read_driver; then
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
  find_nvidia_smi || true
  say "    驱动已可用 / The driver works: $DRIVER_VERSION ($NVIDIA_SMI)"
  choose_build
  forget_reboot
}

# What would get in the way of a driver from Ubuntu's packages: stop before apt touches anything.
check_before_driver() {
  if ((IN_CONTAINER)); then
    die "这是一个容器，里面看不到能用的 NVIDIA GPU。容器里不要装驱动：GPU 来自宿主机。请在宿主机上装好驱动和 NVIDIA Container Toolkit，再用 docker run --gpus all（podman：--device nvidia.com/gpu=all）启动容器，然后在容器里运行本脚本。没有做任何改动。" \
      "this is a container, and it sees no usable NVIDIA GPU. Never install a driver inside a container: the GPU comes from the host. Install the driver and the NVIDIA Container Toolkit on the host, start the container with docker run --gpus all (podman: --device nvidia.com/gpu=all), then run this script inside it. Nothing was changed."
  fi
  if command -v nvidia-uninstall >/dev/null || [[ -e $FS_ROOT/usr/bin/nvidia-installer ]]; then
    die "这台机器上有一个用 NVIDIA 官网 .run 安装包装的驱动（找到 nvidia-uninstall / nvidia-installer），它会和 Ubuntu 的驱动包冲突。没有做任何改动。请先卸载它：sudo nvidia-uninstall（或 sudo nvidia-installer --uninstall），重启，再运行本脚本。" \
      "a driver from NVIDIA's .run installer is on this machine (nvidia-uninstall / nvidia-installer found); it conflicts with Ubuntu's driver packages. Nothing was changed. Remove it first: sudo nvidia-uninstall (or sudo nvidia-installer --uninstall), reboot, then run this script again."
  fi
  local lookalike
  lookalike=$(dpkg-query -W -f='${Package} ${Status}\n' 'nvidia-*local-repo*' 2>/dev/null | grep ' install ok installed$' | cut -d ' ' -f 1 | tr '\n' ' ' || true)
  if [[ -n $lookalike ]]; then
    warn "$lookalike只是 NVIDIA 的本地软件源（一个装着 .deb 的仓库），不是驱动；脚本不把它当驱动，装的是 Ubuntu 推荐的驱动。" \
      "${lookalike}is only NVIDIA's local repository (a folder of .deb files), not a driver; the script does not count it as one and installs Ubuntu's recommended driver."
  fi
}

# Under WSL the Windows driver provides /usr/lib/wsl/lib/nvidia-smi; a Linux nvidia-utils package
# installed inside WSL puts another nvidia-smi first on PATH, which cannot work there.
check_wsl_utils() {
  local utils
  utils=$(dpkg-query -W -f='${Package} ${Status}\n' 'nvidia-utils-*' 2>/dev/null | grep ' install ok installed$' | cut -d ' ' -f 1 | head -n 1 || true)
  [[ -n $utils ]] || return 0
  die "WSL 里装了 Linux 的 $utils，它的 nvidia-smi 挡在 Windows 驱动提供的 $WSL_LIB_DIR/nvidia-smi 前面，在 WSL 里用不了。没有做任何改动。请卸载它：sudo apt-get remove $utils，再运行本脚本（WSL 里的驱动只来自 Windows）。" \
    "a Linux $utils is installed inside WSL; its nvidia-smi comes before $WSL_LIB_DIR/nvidia-smi, which the Windows driver provides, and cannot work in WSL. Nothing was changed. Remove it: sudo apt-get remove $utils, then run this script again (under WSL the driver comes from Windows only)."
}

# The packages of the driver that ubuntu-drivers recommends for this GPU (--gpgpu on a server),
# installed by this script's own apt call so that apt's lock timeout and exit status apply:
# sets DRIVER_PACKAGES.
recommended_packages() {
  local out first branch modules
  out=$(ubuntu-drivers list --recommended "$@" 2>/dev/null || true)
  first=$(printf '%s\n' "$out" | sed -n '/[^[:space:]]/{p;q}')
  branch=${first%%,*}
  branch=${branch%% *}
  branch=${branch#nvidia-driver-}
  branch=${branch#nvidia:}
  if [[ ! $branch =~ ^[0-9]+(-server)?(-open)?$ ]]; then
    die "ubuntu-drivers list --recommended $* 没有推荐任何 NVIDIA 驱动（输出：${out:-空}）。没有装驱动。请看 ubuntu-drivers list 的输出；这块显卡可能太新，需要更新的 ubuntu-drivers-common 或内核。" \
      "ubuntu-drivers list --recommended $* recommends no NVIDIA driver (it printed: ${out:-nothing}). No driver was installed. See what ubuntu-drivers list shows; this GPU may be newer than ubuntu-drivers-common or the kernel."
  fi
  if (($#)); then
    DRIVER_PACKAGES=("nvidia-headless-$branch" "nvidia-utils-$branch")
  else
    DRIVER_PACKAGES=("nvidia-driver-$branch")
  fi
  modules=$(sed -n 's/.*kernel modules provided by \([^)[:space:]]*\).*/\1/p' <<<"$first")
  [[ -z $modules ]] || DRIVER_PACKAGES+=("$modules")
}

install_driver() {
  step "检查 NVIDIA 驱动" "Check the NVIDIA driver"
  if ((CPU_ONLY)); then
    say "    --cpu：不装驱动 / --cpu: no driver."
    return 0
  fi
  local rc=0
  read_driver || rc=$?
  if ((rc == 0)); then
    driver_works
    skip "驱动" "driver"
    return 0
  fi
  if ((rc == 2)); then
    die "nvidia-smi 在 $NVIDIA_SMI_TIMEOUT 秒内没有回应：驱动或显卡卡住了。没有做任何改动。请重启；如果还这样，看看 sudo dmesg | grep -i -e nvrm -e xid。" \
      "nvidia-smi did not answer within $NVIDIA_SMI_TIMEOUT s: the driver or the GPU is stuck. Nothing was changed. Reboot; if it happens again, look at sudo dmesg | grep -i -e nvrm -e xid."
  fi
  if ((IS_WSL)); then
    check_wsl_utils
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
      driver_works
      return 0
    fi
    say "    NVIDIA 驱动已安装，但还没有加载。/ An NVIDIA driver is installed but not loaded yet."
    ask_reboot
    exit "$EXIT_REBOOT"
  fi
  check_before_driver
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
  confirm_or_stop "安装 Ubuntu 推荐的 NVIDIA 驱动？" "Install Ubuntu's recommended NVIDIA driver?"
  require_root "安装驱动" "installing the driver"
  # Fresh package lists, so that the recommended driver is the current one and downloads work;
  # the newest ubuntu-drivers-common knows the newest GPUs.
  apt_update
  apt_get install -y ubuntu-drivers-common
  if ((DRY_RUN)) && ! command -v ubuntu-drivers >/dev/null; then
    show_cmd "[dry-run]" ubuntu-drivers list --recommended "${flags[@]}"
    DRIVER_PACKAGES=("<ubuntu-drivers 推荐的驱动 / the recommended driver>")
  else
    recommended_packages "${flags[@]}"
  fi
  apt_get install -y "${DRIVER_PACKAGES[@]}"
  if ((DRY_RUN)); then
    say "    [dry-run] 真正运行时脚本会在这里检查驱动包已装上，然后停下，请你重启后再运行一次；之后的步骤在重启后进行。" \
      "    [dry-run] A real run checks here that a driver package arrived, then stops and asks for a reboot and a re-run; the steps after that follow the reboot."
    BUILD="(重启后选择 / chosen after the reboot)"
    return 0
  fi
  if ! driver_package_installed; then
    die "apt 运行结束了，但没有装上 NVIDIA 驱动包（${DRIVER_PACKAGES[*]}）。请看上面和日志里 apt 的输出；过几分钟再运行本脚本即可重试。" \
      "apt finished, but no NVIDIA driver package is installed (${DRIVER_PACKAGES[*]}). See apt's output above and in the log; run this script again in a few minutes to retry."
  fi
  say "" "驱动已安装：$(driver_packages | cut -d ' ' -f 1 | tr '\n' ' ')/ The driver is installed."
  ask_reboot
  exit "$EXIT_REBOOT"
}

# The kernel module is loaded but nvidia-smi is missing: the utils package is what is missing,
# not a reboot.
install_utils() {
  local loaded=$1 branch
  say "    驱动模块 $loaded 已加载，但没有 nvidia-smi：安装对应的 nvidia-utils。" \
    "    The driver module $loaded is loaded, but nvidia-smi is missing: installing the matching nvidia-utils."
  branch=$(installed_branch)
  if [[ -z $branch ]]; then
    die "驱动模块 $loaded 已加载，但没有 nvidia-smi，也没有 Ubuntu 的驱动包（可能是 .run 安装包装的驱动）。没有做任何改动。请安装与 $loaded 同版本的 nvidia-smi，再运行本脚本。" \
      "the driver module $loaded is loaded, but there is no nvidia-smi and no Ubuntu driver package (perhaps a driver from a .run installer). Nothing was changed. Install the nvidia-smi of version $loaded, then run this script again."
  fi
  # The utils must be the loaded module's exact version: nvidia-smi refuses any other.
  local pinned
  pinned=$(apt-cache madison "nvidia-utils-$branch" 2>/dev/null | awk -F '|' '{ gsub(/ /, "", $2); print $2 }' |
    grep -m 1 -F "$loaded-" || true)
  if [[ -z $pinned ]]; then
    die "软件源里没有与已加载的驱动模块 $loaded 同版本的 nvidia-utils-$branch（nvidia-smi 只认同版本的模块）。没有做任何改动。多半是驱动包已更新而模块还是旧的：请重启，再运行本脚本。" \
      "the archive has no nvidia-utils-$branch of the loaded module's version $loaded (nvidia-smi works with its own version only). Nothing was changed. Most likely the driver packages were updated and the old module is still loaded: reboot, then run this script again."
  fi
  confirm_or_stop "安装 nvidia-utils-$branch=$pinned（提供 nvidia-smi）？" "Install nvidia-utils-$branch=$pinned (which provides nvidia-smi)?"
  require_root "安装 nvidia-utils" "installing nvidia-utils"
  apt_get install -y "nvidia-utils-$branch=$pinned"
  if ((DRY_RUN)); then
    DRIVER_VERSION=$loaded
    return 0
  fi
  read_driver ||
    die "装好了 nvidia-utils-$branch，但 nvidia-smi 仍然不能用。请看日志和 sudo dmesg | grep -i nvrm。" \
      "nvidia-utils-$branch is installed, but nvidia-smi still does not work. See the log and sudo dmesg | grep -i nvrm."
  driver_works
}

# --- step 4: Python -----------------------------------------------------------------------------

# What a Python is: "3.12 venv", or "3.12 no-venv" where it cannot make a virtual environment
# (Ubuntu leaves ensurepip out of python3.X until python3.X-venv is installed). One start of the
# interpreter for all of it.
python_facts() {
  "$1" -c 'import importlib.util as u, sys
print("%d.%d" % sys.version_info[:2], "venv" if u.find_spec("ensurepip") and u.find_spec("venv") else "no-venv")' 2>/dev/null
}

# The Python that make builds .venv with: the first of python3, python3.13 ... python3.11 that is
# one the locks have wheels for (3.11 to 3.13: TensorFlow 2.21 publishes none for 3.14). Sets PY
# and PY_FACTS (python_facts).
find_python() {
  local candidate facts
  for candidate in python3 python3.13 python3.12 python3.11; do
    command -v "$candidate" >/dev/null || continue
    facts=$(python_facts "$candidate") || continue
    case ${facts%% *} in
      3.11 | 3.12 | 3.13) ;;
      *) continue ;;
    esac
    PY=$candidate
    PY_FACTS=$facts
    return 0
  done
  return 1
}

prepare_python() {
  step "准备 Python" "Prepare Python"
  local version packages=() found
  if find_python; then
    version=${PY_FACTS%% *}
    say "    Python: $PY ($version)"
    if [[ ${PY_FACTS#* } == venv ]]; then
      skip "Python" "Python"
      return 0
    fi
    packages=("python$version-venv")
  elif [[ $OS_VERSION == 22.04 ]]; then
    # 22.04 ships Python 3.10, older than the locks allow; Ubuntu's own python3.11 fits.
    PY=python3.11
    packages=(python3.11 python3.11-venv)
  else
    found=$(python_facts python3) || true
    die "没有找到 Python 3.11–3.13（本项目锁定的 TensorFlow 2.21 只为这几个版本发布了 wheel；这台机器的 python3 是 ${found%% *}）。没有做任何改动。请安装 Python 3.13 或更早的 3.11+（例如 uv python install 3.13），再用 PYTHON=… 运行 make。" \
      "no Python 3.11 to 3.13 found (TensorFlow 2.21, which this project locks, publishes wheels for those only; python3 here is ${found%% *}). Nothing was changed. Install Python 3.13 or an earlier 3.11+ (for example uv python install 3.13), then run make with PYTHON=…."
  fi
  say "    需要安装 / Needed: ${packages[*]}"
  confirm_or_stop "用 apt 安装 ${packages[*]}？" "Install ${packages[*]} with apt?"
  require_root "安装 Python" "installing Python"
  apt_update
  apt_get install -y "${packages[@]}"
}

# --- step 5: the GPU build, into make's environment -------------------------------------------

# Free space where .venv lives: the GPU build with its CUDA libraries needs about MIN_FREE_GB.
check_disk() {
  local free_kb free_gb
  free_kb=$(df -Pk "$SCRIPT_DIR" | awk 'NR == 2 { print $4 }')
  [[ $free_kb =~ ^[0-9]+$ ]] || return 0
  free_gb=$((free_kb / 1024 / 1024))
  ((free_gb < MIN_FREE_GB)) || return 0
  die "$SCRIPT_DIR 所在的磁盘只剩 $free_gb GB，后端的 GPU 版（含 CUDA 库）需要约 $MIN_FREE_GB GB。没有下载任何东西。请先腾出空间再运行。" \
    "only $free_gb GB is free on the disk of $SCRIPT_DIR; the backend's GPU build with its CUDA libraries needs about $MIN_FREE_GB GB. Nothing was downloaded. Free some space, then run this again."
}

# PyTorch's CUDA builds come from PyTorch's own index, not from a PyPI mirror: say so when pip
# has a mirror and TORCH_INDEX_URL does not point at one.
check_torch_index() {
  [[ $BACKEND == torch && -z ${TORCH_INDEX_URL:-} ]] || return 0
  local mirror=${PIP_INDEX_URL:-}
  [[ -n $mirror ]] || mirror=$("$PY" -m pip config get global.index-url 2>/dev/null || true)
  [[ -n $mirror ]] || return 0
  warn "pip 配置了镜像（$mirror），但 PyTorch 的 CUDA 版只在 PyTorch 自己的索引上，TORCH_INDEX_URL 没有设置，所以会从 https://download.pytorch.org/whl/$BUILD 下载。能直连的话不用管；否则把 TORCH_INDEX_URL 设成镜像里对应的地址（例如 https://mirrors.nju.edu.cn/pytorch/whl/$BUILD，见 README 的镜像一节）再运行。" \
    "pip has a mirror ($mirror), but PyTorch's CUDA builds live on PyTorch's own index and TORCH_INDEX_URL is not set, so they come from https://download.pytorch.org/whl/$BUILD. Fine where that site is reachable; otherwise set TORCH_INDEX_URL to your mirror's copy of it (README, mirrors section) and run this again."
}

# The build of the table (src/keras_tutorial/gpu_builds.tsv) for this GPU and driver, chosen by
# gpu.py, the same code make gpu and the doctor run: sets BUILD and LOCK, or stops before any
# download with gpu.py's reason. The driver's answer to read_driver is passed on, so nvidia-smi
# (slow to answer where the driver is not kept initialised) is not asked twice.
choose_build() {
  local out rc=0 known=()
  [[ -z $DRIVER_VERSION || -z $GPU_CAP ]] || known=(--cap "$GPU_CAP" --driver "$DRIVER_VERSION")
  out=$(python3 "$GPU_PY" choose --backend "$BACKEND" "${known[@]}" 2>&1) || rc=$?
  if ((rc != 0)); then
    printf '%s\n' "$out" >&2
    die "没有适合这块 GPU 和驱动的 $BACKEND GPU 版（见上一行），没有下载任何东西。" \
      "no GPU build of $BACKEND fits this GPU and driver (see above); nothing was downloaded."
  fi
  BUILD=${out%%$'\t'*}
  LOCK=${out#*$'\t'}
  say "    GPU 版 / GPU build: $BACKEND $BUILD (requirements/$LOCK)"
}

install_build() {
  step "把 GPU 版装进 make 的环境 .venv" "Install the GPU build into make's environment .venv"
  local target=(gpu "BACKEND=$BACKEND")
  if ((CPU_ONLY)); then
    target=(cpu)
  else
    check_disk
    check_torch_index
  fi
  local current
  current=$(cat "$SCRIPT_DIR/.venv/.gpu" 2>/dev/null || true)
  if ((!CPU_ONLY)) && [[ $current == "$LOCK" && -e $SCRIPT_DIR/.venv/.base ]]; then
    say "    .venv 已装 / .venv has: requirements/$LOCK"
  else
    say "    make 在 $SCRIPT_DIR/.venv 里安装锁定的版本（GPU 版连同 CUDA 库约 3–6 GB 下载）。" \
      "    make installs the locked versions into $SCRIPT_DIR/.venv (the GPU build with its CUDA libraries: a 3-6 GB download)."
    confirm_or_stop "现在下载并安装？" "Download and install now?"
  fi
  run_long make -C "$SCRIPT_DIR" "${target[@]}" "PYTHON=$PY"
}

# --- step 6: the doctor -----------------------------------------------------------------------

run_doctor() {
  step "运行体检" "Run the doctor"
  local args=""
  ((CPU_ONLY)) || args=--require-gpu
  run_long make -C "$SCRIPT_DIR" doctor "ARGS=$args"
}

finish() {
  if ((DRY_RUN)); then
    say "" "演习结束，没有做任何改动。去掉 --dry-run 即可真正运行。" \
      "Dry run over; nothing was changed. Run again without --dry-run to do it."
  else
    say "" "完成！之后 README 里的命令都用这个环境（.venv）里的 GPU 版 / Done! Every README command now uses the GPU build in this environment (.venv):" \
      "    cd $SCRIPT_DIR && make run      # 第 1 章 / chapter 1" \
      "    cd $SCRIPT_DIR && make lab      # JupyterLab" \
      "    cd $SCRIPT_DIR && make cpu      # 换回 CPU 版 / back to the CPU build"
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
  prepare_python
  install_build
  run_doctor
  finish
}

main "$@"
