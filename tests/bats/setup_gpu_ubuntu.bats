#!/usr/bin/env bats
# setup_gpu_ubuntu.sh against stub system commands and fake os-release files: no root, no GPU,
# no network, nothing real installed (make is a stub too). See helpers.bash for how the machine is
# faked; its teardown checks after every scenario that nothing was purged or removed and no PPA
# was added.

load helpers

# --- the system -------------------------------------------------------------------------------

@test "Fedora is refused with a clear message and nothing is run or written" {
  os_release fedora 40 "Fedora Linux 40 (Workstation Edition)"
  with_driver
  run_setup --yes
  assert_status 1
  assert_output_has "Fedora Linux 40"
  assert_output_has "Ubuntu 22.04, 24.04 and 26.04"
  assert_output_has "Nothing was changed"
  assert_nothing_changed
  # Not even a log: the home folder is still empty.
  [ -z "$(ls -A "$HOME")" ]
}

@test "an Ubuntu release other than 22.04, 24.04 and 26.04 is refused" {
  ubuntu 18.04
  with_driver
  run_setup --yes
  assert_status 1
  assert_output_has "Ubuntu 18.04 is not supported"
  assert_nothing_changed
}

@test "Ubuntu 20.04 is refused with the reason: no Python 3.11 in its archive" {
  ubuntu 20.04
  with_driver
  run_setup --yes
  assert_status 1
  assert_output_has "its archive has no Python 3.11 or newer"
  assert_nothing_changed
}

@test "Ubuntu 26.04 is accepted and goes all the way to the doctor" {
  ubuntu 26.04
  with_driver
  run_setup --yes
  assert_status 0
  assert_output_has "Ubuntu 26.04 LTS"
  assert_called "make -C $REPO gpu BACKEND=tensorflow"
  assert_called "make -C $REPO doctor ARGS=--require-gpu"
}

@test "aarch64 with --backend tensorflow stops at once and names the backends that use the GPU" {
  with_driver
  extra_env STUB_ARCH=aarch64
  run_setup --yes --backend tensorflow
  assert_status 1
  assert_output_has "tensorflow has no GPU build on aarch64"
  assert_output_has "Backends that use the GPU here: jax, torch"
  assert_nothing_changed
  run_setup --yes --backend jax
  assert_status 0
  assert_called "make -C $REPO gpu BACKEND=jax"
}

@test "running the whole script under sudo is refused" {
  with_driver
  extra_env SUDO_USER=learner STUB_UID=0
  run_setup --yes
  assert_status 1
  assert_output_has "do not run this script with sudo"
  assert_nothing_changed
}

@test "--help explains the flags, TORCH_INDEX_URL and the proxy, and changes nothing" {
  run_setup --help
  assert_status 0
  assert_output_has "--dry-run"
  assert_output_has "--backend NAME"
  assert_output_has "required when stdin is not a terminal"
  assert_output_has "reboot, then run this script again"
  assert_output_has "TORCH_INDEX_URL"
  assert_output_has "https_proxy reach apt through sudo"
  [ ! -s "$STUB_LOG" ]
}

@test "an unknown flag or backend is a usage error (status 2)" {
  run_setup --frobnicate
  assert_status 2
  assert_output_has "unknown option: --frobnicate"
  run_setup --backend mxnet
  assert_status 2
  assert_output_has "must be tensorflow, jax or torch"
  run_setup --env-name x
  assert_status 2
  [ ! -s "$STUB_LOG" ]
}

# --- installing the driver --------------------------------------------------------------------

@test "24.04 desktop with a GPU: the recommended driver through the script's own apt call, then a reboot" {
  with_gpu
  run_setup --yes
  assert_status 3
  assert_output_has "GeForce RTX 4090"
  assert_called "sudo apt-get -o DPkg::Lock::Timeout=600 update"
  assert_called "ubuntu-drivers list --recommended"
  refute_called "--gpgpu"
  refute_called "ubuntu-drivers install"
  assert_called "sudo apt-get -o DPkg::Lock::Timeout=600 install -y nvidia-driver-550 linux-modules-nvidia-550-generic"
  assert_output_has "The driver is installed"
  assert_output_has "Reboot the machine, then run this script again"
  # Nothing after the reboot point ran.
  refute_command make
}

@test "ubuntu-drivers missing: its package is installed first" {
  with_gpu
  without ubuntu-drivers
  run_setup --yes
  assert_status 3
  assert_called "sudo apt-get -o DPkg::Lock::Timeout=600 install -y ubuntu-drivers-common"
  assert_called "ubuntu-drivers list --recommended"
}

@test "apt-get update on a first boot waits for the package lists' lock, then goes on" {
  with_gpu
  echo 2 >"$STUB_STATE/lists_locked"
  run_setup --yes
  assert_status 3
  [ "$(grep -c "^apt-get -o DPkg::Lock::Timeout=600 update" "$STUB_LOG")" -eq 3 ]
  assert_output_has "apt-get update failed; trying again"
  assert_output_has "Could not get lock /var/lib/apt/lists/lock"
  assert_called "install -y nvidia-driver-550"
}

@test "apt-get update locked for longer than APT_LOCK_TIMEOUT: stops before installing anything" {
  with_gpu
  echo 99 >"$STUB_STATE/lists_locked"
  extra_env APT_LOCK_TIMEOUT=0
  run_setup --yes
  assert_status 1
  assert_output_has "apt-get update kept failing for 0 s"
  refute_called "install -y"
}

@test "ubuntu-drivers recommends nothing: stops with exit 1, installs no driver" {
  with_gpu
  touch "$STUB_STATE/no_drivers"
  run_setup --yes
  assert_status 1
  assert_output_has "recommends no NVIDIA driver"
  refute_called "install -y nvidia-driver"
  refute_output_has "Reboot the machine"
  [ ! -e "$HOME/.local/state/keras-tutorial/reboot-requested-in-boot" ]
}

@test "apt fails on the driver: its exit status stops the script, no reboot asked" {
  with_gpu
  # The driver never arrives: apt-get's stub is replaced by one that fails.
  printf '#!/usr/bin/env bash\nsource "%s/_record.bash"\n[[ " $* " != *" nvidia-driver-"* ]] || exit 100\n' "$STUBS" >"$BIN/apt-get"
  run_setup --yes
  assert_status 100
  assert_output_has "failed (exit code 100"
  refute_output_has "Reboot the machine"
}

@test "a server gets the --gpgpu recommendation: headless driver and its nvidia-utils in one apt call" {
  with_gpu
  as_server
  run_setup --yes
  assert_status 3
  assert_output_has "No desktop installed (a server)"
  assert_called "ubuntu-drivers list --recommended --gpgpu"
  assert_called "install -y nvidia-headless-550-server nvidia-utils-550-server linux-modules-nvidia-550-server-generic"
}

@test "a server with an -open recommendation gets that branch's packages" {
  with_gpu
  as_server
  echo "nvidia-driver-570-server-open, (kernel modules provided by linux-modules-nvidia-570-server-open-generic)" >"$STUB_STATE/recommended"
  run_setup --yes
  assert_status 3
  assert_called "install -y nvidia-headless-570-server-open nvidia-utils-570-server-open linux-modules-nvidia-570-server-open-generic"
}

@test "a desktop with a display manager gets the desktop driver" {
  with_gpu
  as_server
  with_package lightdm
  run_setup --yes
  assert_status 3
  assert_called "install -y nvidia-driver-550"
  refute_called "--gpgpu"
  refute_called "nvidia-utils"
}

@test "a loaded module without nvidia-smi: nvidia-utils pinned to the module's exact version, no reboot" {
  with_driver 570.133.20
  as_server
  with_package nvidia-headless-no-dkms-570-server-open
  printf '%s\n' 570.195.03-0ubuntu0.24.04.1 570.133.20-0ubuntu0.24.04.2 >"$STUB_STATE/utils_versions"
  without nvidia-smi
  run_setup --yes
  assert_status 0
  assert_output_has "The driver module 570.133.20 is loaded, but nvidia-smi is missing"
  assert_called "install -y nvidia-utils-570-server=570.133.20-0ubuntu0.24.04.2"
  refute_called "ubuntu-drivers"
  refute_output_has "Reboot the machine"
  assert_output_has "The driver works: 570.133.20"
  assert_called "make -C $REPO doctor ARGS=--require-gpu"
}

@test "a loaded module whose exact nvidia-utils the archive lacks: stops, installs nothing" {
  with_driver 570.133.20
  with_package nvidia-driver-570
  echo 570.195.03-0ubuntu0.24.04.1 >"$STUB_STATE/utils_versions"
  without nvidia-smi
  run_setup --yes
  assert_status 1
  assert_output_has "no nvidia-utils-570 of the loaded module's version 570.133.20"
  assert_nothing_changed
}

@test "Secure Boot on: warns before installing the driver and explains the MOK screen" {
  with_gpu
  with_secure_boot
  run_setup --yes
  assert_status 3
  assert_output_has "Warning: Secure Boot is on"
  assert_output_has "Enroll MOK"
  [[ ${output%%install -y nvidia-driver*} == *"Secure Boot is on"* ]]
}

@test "sudo keeps http_proxy and https_proxy for apt" {
  with_gpu
  extra_env https_proxy=http://proxy.example:3128 http_proxy=http://proxy.example:3128
  run_setup --yes
  assert_status 3
  assert_called "sudo --preserve-env=http_proxy,https_proxy apt-get -o DPkg::Lock::Timeout=600 update"
  assert_called "sudo --preserve-env=http_proxy,https_proxy apt-get -o DPkg::Lock::Timeout=600 install -y nvidia-driver-550"
}

# --- what gets in the way of a driver ---------------------------------------------------------

@test "a .run installer's driver: stops with its uninstall steps before apt touches anything" {
  with_gpu
  cp "$BIN/dkms" "$BIN/nvidia-uninstall"
  run_setup --yes
  assert_status 1
  assert_output_has "a driver from NVIDIA's .run installer is on this machine"
  assert_output_has "sudo nvidia-uninstall"
  refute_called "apt-get"
  refute_called "nvidia-uninstall"
  assert_nothing_changed
}

@test "a container without /dev/nvidia*: stops, points to --gpus all and the Container Toolkit" {
  in_container
  without lspci
  run_setup --yes
  assert_status 1
  assert_output_has "this is a container"
  assert_output_has "docker run --gpus all"
  assert_output_has "NVIDIA Container Toolkit"
  assert_nothing_changed
}

@test "a container with the GPU passed in and a working nvidia-smi: no driver step, GPU build installed" {
  in_container
  with_gpu_devices
  with_driver
  without lspci
  run_setup --yes
  assert_status 0
  refute_called "apt-get"
  assert_called "make -C $REPO gpu BACKEND=tensorflow"
}

@test "no lspci but a working nvidia-smi: the GPU is taken from nvidia-smi, no driver step" {
  with_driver
  without lspci
  run_setup --yes
  assert_status 0
  assert_output_has "lspci missing; nvidia-smi works"
  refute_called "apt-get install"
  assert_called "make -C $REPO gpu BACKEND=tensorflow"
}

@test "no lspci and no driver: stops before apt, names pciutils and --cpu" {
  with_gpu
  without lspci
  run_setup --yes
  assert_status 1
  assert_output_has "lspci is missing"
  assert_output_has "apt-get install pciutils"
  refute_called "apt-get"
  assert_nothing_changed
}

@test "a package that only looks like a driver (nvidia-driver-local-repo) is not taken for one" {
  with_gpu
  with_package nvidia-driver-local-repo-ubuntu2404-570.124.06
  run_setup --yes
  assert_status 3
  assert_output_has "is only NVIDIA's local repository"
  # Not "installed but not loaded": the driver is installed for real.
  refute_output_has "installed but not loaded"
  assert_called "install -y nvidia-driver-550"
}

# --- a driver that does not load (case 2) ------------------------------------------------------
# --- a driver that does not load (case 2) ------------------------------------------------------

@test "driver installed, not rebooted yet: asks for the reboot again without reinstalling" {
  with_gpu
  run_setup --yes
  assert_status 3
  : >"$STUB_LOG"
  run_setup --yes
  assert_status 3
  assert_output_has "installed but not loaded"
  assert_output_has "Reboot the machine"
  refute_called "apt-get"
  refute_called "modprobe"
  refute_called "sudo"
}

@test "rebooted, and Secure Boot still rejects the driver: a diagnosis, not another reboot" {
  with_gpu
  with_secure_boot
  run_setup --yes
  assert_status 3
  # The MOK screen was missed: the key still waits, and the kernel refuses the module.
  reboot_machine
  touch "$STUB_STATE/mok_pending" "$STUB_STATE/key_rejected"
  : >"$STUB_LOG"
  run_setup --yes
  assert_status 1
  assert_output_has "asks for no further reboot"
  assert_called "mokutil --list-new"
  assert_called "sudo modprobe nvidia"
  assert_output_has "Key was rejected by service"
  assert_output_has "its key still waits to be enrolled"
  refute_output_has "Reboot the machine, then run this script again"
  refute_called "apt-get"
  # A third run in the same boot still diagnoses.
  run_setup --yes
  assert_status 1
  assert_output_has "still does not load after a reboot"
}

@test "rebooted, and the DKMS build failed: points to dkms status and the kernel headers" {
  with_gpu
  run_setup --yes
  assert_status 3
  reboot_machine
  touch "$STUB_STATE/module_missing"
  echo "nvidia/550.120: added" >"$STUB_STATE/dkms_status"
  run_setup --yes
  assert_status 1
  assert_called "dkms status"
  assert_output_has "nvidia/550.120: added"
  assert_output_has "the DKMS build most likely failed"
  assert_output_has "sudo apt-get install linux-headers-6.8.0-45-generic"
  refute_output_has "Reboot the machine, then run this script again"
}

@test "rebooted, with a .run installer's driver in the way: says to remove it" {
  with_gpu
  run_setup --yes
  assert_status 3
  reboot_machine
  touch "$STUB_STATE/module_missing"
  cp "$BIN/dkms" "$BIN/nvidia-uninstall"
  run_setup --yes
  assert_status 1
  assert_output_has "a driver from NVIDIA's .run installer is in the way"
  refute_called "nvidia-uninstall"
}

@test "rebooted, and the module only needed loading: modprobe loads it and the set-up carries on" {
  with_gpu
  run_setup --yes
  assert_status 3
  reboot_machine
  run_setup --yes
  assert_status 0
  assert_called "sudo modprobe nvidia"
  assert_output_has "modprobe loaded the driver"
  assert_called "make -C $REPO doctor ARGS=--require-gpu"
  # Solved: the reminder of the reboot is gone.
  [ ! -e "$HOME/.local/state/keras-tutorial/reboot-requested-in-boot" ]
}

# --- a working driver: the build from the table, into make's environment ------------------------

@test "a driver already present: no driver step; make gpu and make doctor in the project's .venv" {
  with_driver
  run_setup --yes
  assert_status 0
  assert_output_has "The driver works: 550.120"
  assert_output_has "GPU build: tensorflow cuda12 (requirements/gpu-tensorflow.txt)"
  # nvidia-smi once: the build is chosen from the driver's first answer (make and the doctor,
  # stubs here, ask again in their own processes).
  [ "$(grep -c '^nvidia-smi ' "$STUB_LOG")" -eq 1 ]
  refute_called "ubuntu-drivers"
  refute_called "sudo"
  refute_called "apt-get"
  assert_called "make -C $REPO gpu BACKEND=tensorflow PYTHON=python3"
  assert_called "make -C $REPO doctor ARGS=--require-gpu"
  assert_output_has "doctor: GPU usable"
  assert_output_has "make run"
  refute_command conda
}

@test "no GPU build fits (driver 535 on a Blackwell GPU): stops before any download, names the driver" {
  with_driver 535.247.01
  with_cap 12.0
  run_setup --yes --backend torch
  assert_status 1
  assert_output_has "driver 535.247.01 is too old"
  assert_output_has "needs driver 570 or newer"
  assert_output_has "nothing was downloaded"
  assert_nothing_changed
}

@test "a Pascal GPU on driver 580 gets PyTorch's cu126 build, not cu130 (no kernel image for sm_61)" {
  with_driver 580.82.07
  with_cap 6.1
  run_setup --yes --backend torch
  assert_status 0
  assert_output_has "GPU build: torch cu126 (requirements/gpu-torch-cu126.txt)"
  assert_called "make -C $REPO gpu BACKEND=torch"
}

@test "no NVIDIA GPU: refused with advice to use --cpu, nothing installed" {
  run_setup --yes
  assert_status 1
  assert_output_has "no NVIDIA GPU found"
  assert_output_has "--cpu"
  assert_nothing_changed
}

@test "--cpu: no GPU search, no driver, make cpu and the doctor without --require-gpu" {
  run_setup --yes --cpu --backend torch
  assert_status 0
  refute_called "lspci"
  refute_called "ubuntu-drivers"
  assert_called "make -C $REPO cpu PYTHON=python3"
  assert_called "make -C $REPO doctor ARGS="
  refute_called "--require-gpu"
}

@test "nvidia-smi hangs: gpu.py gives up after NVIDIA_SMI_TIMEOUT seconds, nothing changed" {
  with_driver
  touch "$STUB_STATE/smi_hangs"
  extra_env NVIDIA_SMI_TIMEOUT=1
  run_setup --yes
  assert_status 1
  assert_output_has "nvidia-smi did not answer within 1 s"
  assert_nothing_changed
}

# --- disk, mirrors, consent -------------------------------------------------------------------

@test "less than MIN_FREE_GB free: stops before the download" {
  with_driver
  echo 3145728 >"$STUB_STATE/free_kb"
  run_setup --yes
  assert_status 1
  assert_output_has "only 3 GB is free"
  assert_output_has "Nothing was downloaded"
  refute_command make
}

@test "pip has a mirror and TORCH_INDEX_URL is unset: said before downloading PyTorch" {
  with_driver 580.82.07
  extra_env PIP_INDEX_URL=https://mirrors.example.cn/pypi/simple
  run_setup --yes --backend torch
  assert_status 0
  assert_output_has "pip has a mirror (https://mirrors.example.cn/pypi/simple)"
  assert_output_has "https://download.pytorch.org/whl/cu130"
  [[ ${output%%"$ make -C"*} == *"pip has a mirror"* ]]
}

@test "TORCH_INDEX_URL set: no mirror warning, and make gets it" {
  with_driver 580.82.07
  extra_env PIP_INDEX_URL=https://mirrors.example.cn/pypi/simple TORCH_INDEX_URL=https://mirrors.example.cn/pytorch/whl/cu130
  run_setup --yes --backend torch
  assert_status 0
  refute_output_has "pip has a mirror"
  assert_called "make -C $REPO gpu BACKEND=torch"
}

@test "no terminal and no --yes: refuses to install a driver, names --yes, changes nothing" {
  with_gpu
  run_setup
  assert_status 1
  assert_output_has "standard input is not a terminal"
  assert_output_has "Install Ubuntu's recommended NVIDIA driver?"
  assert_output_has "run it again with --yes"
  assert_nothing_changed
  refute_called "sudo"
}

@test "no terminal and no --yes: the multi-GB GPU build is not downloaded either" {
  with_driver
  run_setup
  assert_status 1
  assert_output_has "Download and install now?"
  assert_output_has "run it again with --yes"
  refute_command make
  assert_nothing_changed
}

@test "on a terminal the question is asked; answering y installs, and apt's output is in the log" {
  with_gpu
  run_setup_on_a_terminal y
  assert_status 3
  assert_output_has "Install Ubuntu's recommended NVIDIA driver? [y/N]"
  assert_called "install -y nvidia-driver-550"
  grep -q "The driver is installed" "$(log_file)"
}

@test "on a terminal, answering no changes nothing" {
  with_gpu
  run_setup_on_a_terminal n
  assert_status 1
  assert_output_has "cancelled"
  assert_nothing_changed
}

# --- WSL --------------------------------------------------------------------------------------

@test "WSL with the Windows driver: never installs a Linux driver" {
  in_wsl
  with_driver
  run_setup --yes
  assert_status 0
  refute_called "lspci"
  refute_called "ubuntu-drivers"
  refute_called "apt-get"
  assert_output_has "WSL"
  assert_called "make -C $REPO doctor ARGS=--require-gpu"
}

@test "WSL with nvidia-smi only in /usr/lib/wsl/lib: found there, and the set-up goes on" {
  in_wsl
  with_driver
  ln -s "$STUBS/nvidia-smi" "$WORK/wsl-lib/nvidia-smi"
  without nvidia-smi
  run_setup --yes
  assert_status 0
  assert_called "nvidia-smi --query-gpu=name,compute_cap,driver_version"
  assert_output_has "The driver works: 550.120 ($WORK/wsl-lib/nvidia-smi)"
  assert_called "make -C $REPO doctor ARGS=--require-gpu"
}

@test "WSL with a Linux nvidia-utils shadowing WSL's nvidia-smi: stops and says to remove it" {
  in_wsl
  touch "$STUB_STATE/gpu"
  ln -s "$STUBS/nvidia-smi" "$WORK/wsl-lib/nvidia-smi"
  with_package nvidia-utils-550
  run_setup --yes
  assert_status 1
  assert_output_has "a Linux nvidia-utils-550 is installed inside WSL"
  assert_output_has "sudo apt-get remove nvidia-utils-550"
  assert_nothing_changed
}

@test "WSL without a working nvidia-smi anywhere: stops and points to the Windows driver" {
  in_wsl
  without nvidia-smi
  run_setup --yes
  assert_status 1
  assert_output_has "looked on PATH and in $WORK/wsl-lib"
  assert_output_has "install the current NVIDIA driver on Windows"
  assert_nothing_changed
}

# --- sudo -------------------------------------------------------------------------------------

@test "no sudo on the machine: says so before changing anything" {
  with_gpu
  without sudo
  run_setup --yes
  assert_status 1
  assert_output_has "needs root, but sudo is not installed"
  assert_nothing_changed
}

@test "sudo not allowed for this user: says so before changing anything" {
  with_gpu
  touch "$STUB_STATE/sudo_denied"
  run_setup --yes
  assert_status 1
  assert_called "sudo -v"
  assert_output_has "sudo refused"
  assert_nothing_changed
}

# --- Python -----------------------------------------------------------------------------------

@test "Ubuntu 22.04 with only Python 3.10: installs Ubuntu's python3.11 and hands it to make" {
  ubuntu 22.04
  with_driver
  printf '#!/bin/sh\n[ "$1" = -c ] && case "$2" in *version_info*) exit 1;; esac\nexit 1\n' >"$BIN/python3.10"
  chmod +x "$BIN/python3.10"
  # python3 is 3.10 here: a stand-in that fails the version check but still runs gpu.py.
  real=$(readlink -f "$BIN/python3")
  rm "$BIN/python3"
  printf '#!/bin/sh\ncase "$2" in *version_info*) echo 3.10 venv; exit 0;; esac\nexec %s "$@"\n' "$real" >"$BIN/python3"
  chmod +x "$BIN/python3"
  run_setup --yes
  assert_status 0
  assert_called "install -y python3.11 python3.11-venv"
  assert_called "make -C $REPO gpu BACKEND=tensorflow PYTHON=python3.11"
}

@test "Python 3.12 without ensurepip: installs python3.12-venv and hands python3 to make" {
  with_driver
  real=$(readlink -f "$BIN/python3")
  rm "$BIN/python3"
  printf '#!/bin/sh\ncase "$2" in *version_info*) echo 3.12 no-venv; exit 0;; esac\nexec %s "$@"\n' "$real" >"$BIN/python3"
  chmod +x "$BIN/python3"
  run_setup --yes
  assert_status 0
  assert_called "install -y python3.12-venv"
  assert_called "make -C $REPO gpu BACKEND=tensorflow PYTHON=python3"
}

@test "no Python 3.11-3.13 on 26.04: stops with the reason and what to install" {
  ubuntu 26.04
  with_driver
  real=$(readlink -f "$BIN/python3")
  rm "$BIN/python3"
  printf '#!/bin/sh\ncase "$2" in *version_info*) echo 3.14 venv; exit 0;; esac\nexec %s "$@"\n' "$real" >"$BIN/python3"
  chmod +x "$BIN/python3"
  run_setup --yes
  assert_status 1
  assert_output_has "python3 here is 3.14"
  assert_output_has "TensorFlow 2.21"
  refute_command make
}

# --- logs, dry runs, failures -----------------------------------------------------------------

@test "the log holds what the terminal showed" {
  with_driver
  run_setup --yes
  assert_status 0
  log=$(log_file)
  grep -q "The driver works: 550.120" "$log"
  grep -q "doctor: GPU usable" "$log"
}

@test "without a terminal a long make prints that it is still running" {
  with_driver
  # make runs until the script's progress line is in the log (30 s at most), not for a fixed time
  # that has to outlast PROGRESS_INTERVAL: the test takes as long as the script needs, no longer.
  cat >"$BIN/make" <<EOF
#!/usr/bin/env bash
source "$STUBS/_record.bash"
for ((i = 0; i < 300; i++)); do
  ! grep -qsF "still running (1 s)" "\$HOME"/.cache/keras-tutorial/setup-*.log || exit 0
  sleep 0.1
done
EOF
  extra_env PROGRESS_INTERVAL=1
  run_setup --yes
  assert_status 0
  assert_output_has "still running (1 s)"
}

@test "--dry-run on a fresh machine prints every step, runs and writes nothing but a log" {
  with_gpu
  run_setup --dry-run
  assert_status 0
  assert_output_has "[dry-run] sudo apt-get -o DPkg::Lock::Timeout=600 update"
  assert_output_has "install -y nvidia-driver-550"
  assert_output_has "Dry run over; nothing was changed"
  assert_nothing_changed
  [ "$(ls -A "$HOME")" = ".cache" ]
}

@test "--dry-run with a working driver prints make's commands and runs none" {
  with_driver
  run_setup --dry-run
  assert_status 0
  assert_output_has "[dry-run] make -C $REPO gpu BACKEND=tensorflow"
  assert_output_has "[dry-run] make -C $REPO doctor ARGS=--require-gpu"
  refute_command make
}

@test "a failing make is named, with its exit code and the log" {
  with_driver
  echo "uv: network unreachable" >"$STUB_STATE/make_fails"
  run_setup --yes
  assert_status 2
  assert_output_has "uv: network unreachable"
  assert_output_has "failed (exit code 2"
  assert_output_has "Install the GPU build into make's environment .venv"
}

@test "the doctor finding no usable GPU fails the run" {
  with_driver
  touch "$STUB_STATE/doctor_fails"
  run_setup --yes
  assert_status 2
  assert_output_has "no usable GPU"
  refute_output_has "Done!"
}

# --- one table for the script and the doctor --------------------------------------------------

# Every GPU generation × driver × backend: the script, run against a stubbed nvidia-smi, prints
# the build that gpu.py computes from gpu_builds.tsv, or stops when the table has none. Each case
# is a whole dry run of the script. TORCH_INDEX_URL is set so that the torch runs skip asking pip
# for a mirror (a quarter of a second each, no part of the choice; the scenarios "pip has a
# mirror..." and "TORCH_INDEX_URL set..." test it). With SETUP_CHOICES_FILE set, each case and
# what the script printed are written there, one "BACKEND CAP DRIVER<tab>STATUS<tab>BUILD LOCK" a
# line: tests/test_setup_script.py compares them with keras_tutorial.gpu.choose.
@test "the script's build choice agrees with the table for every GPU, driver and backend" {
  local cap driver backend case want got cases=()
  local -A wants=()
  for cap in 6.1 7.0 7.5 8.6 8.9 9.0 12.0; do
    for driver in 535.247.01 570.195.03 580.82.07; do
      for backend in tensorflow jax torch; do
        cases+=("$backend $cap $driver")
      done
    done
  done
  while IFS='|' read -r case want; do
    wants[$case]=$want
  done < <(printf '%s\n' "${cases[@]}" | table_choices)
  [ "${#wants[@]}" -eq "${#cases[@]}" ]
  extra_env TORCH_INDEX_URL=https://mirrors.example.cn/pytorch/whl/cu130
  for case in "${cases[@]}"; do
    read -r backend cap driver <<<"$case"
    want=${wants[$case]}
    with_driver "$driver"
    with_cap "$cap"
    run_setup --dry-run --backend "$backend"
    got=""
    if [[ $output =~ "GPU build: $backend "([^ ]+)" (requirements/"([^\)]+)")" ]]; then
      got="${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
    fi
    [[ -z ${SETUP_CHOICES_FILE:-} ]] || printf '%s\t%s\t%s\n' "$case" "$status" "$got" >>"$SETUP_CHOICES_FILE"
    if [[ -n $want ]]; then
      assert_status 0
      assert_output_has "GPU build: $backend ${want% *} (requirements/${want#* })"
      [ "$got" = "$want" ]
    else
      assert_status 1
      assert_output_has "no GPU build of $backend fits"
      [ -z "$got" ]
    fi
  done
}
