#!/usr/bin/env bats
# setup_gpu_ubuntu.sh against stub system commands and fake os-release files: no root, no GPU,
# no network. See helpers.bash for how the machine is faked; its teardown checks after every
# scenario that nothing was purged or removed, no PPA was added and no download ran unchecked.

load helpers

# --- the system -------------------------------------------------------------------------------

@test "Fedora is refused with a clear message and nothing is run or written" {
  os_release fedora 40 "Fedora Linux 40 (Workstation Edition)"
  with_driver
  run_setup --yes
  assert_status 1
  assert_output_has "Fedora Linux 40"
  assert_output_has "Ubuntu 22.04 and 24.04"
  assert_output_has "Nothing was changed"
  assert_nothing_changed
  # Not even a log: the home folder is still empty.
  [ -z "$(ls -A "$HOME")" ]
}

@test "an Ubuntu release other than 20.04, 22.04 and 24.04 is refused" {
  ubuntu 18.04
  with_driver
  run_setup --yes
  assert_status 1
  assert_output_has "Ubuntu 18.04 is not supported"
  assert_nothing_changed
}

@test "Ubuntu 20.04 goes on with a warning" {
  ubuntu 20.04
  with_driver
  with_conda
  run_setup --yes
  assert_status 0
  assert_output_has "Warning: Ubuntu 20.04 is past its standard support"
  assert_called "conda env create"
}

@test "running the whole script under sudo is refused" {
  with_driver
  extra_env SUDO_USER=learner STUB_UID=0
  run_setup --yes
  assert_status 1
  assert_output_has "do not run this script with sudo"
  assert_nothing_changed
}

@test "--help explains the flags and changes nothing" {
  run_setup --help
  assert_status 0
  assert_output_has "--dry-run"
  assert_output_has "--backend NAME"
  assert_output_has "required when stdin is not a terminal"
  assert_output_has "reboot, then run this script again"
  [ ! -s "$STUB_LOG" ]
}

@test "an unknown flag, backend or environment name is a usage error (status 2)" {
  run_setup --frobnicate
  assert_status 2
  assert_output_has "unknown option: --frobnicate"
  run_setup --backend mxnet
  assert_status 2
  assert_output_has "must be tensorflow, jax or torch"
  run_setup --env-name 'bad name'
  assert_status 2
  run_setup --env-name base
  assert_status 2
  assert_output_has "base environment cannot be used"
  [ ! -s "$STUB_LOG" ]
}

# --- installing the driver --------------------------------------------------------------------

@test "Ubuntu 24.04 desktop with a GPU: installs the recommended driver with sudo, then stops for a reboot" {
  with_gpu
  run_setup --yes
  assert_status 3
  assert_output_has "GeForce RTX 4090"
  assert_called "sudo apt-get -o DPkg::Lock::Timeout=600 update"
  assert_called "sudo ubuntu-drivers install"
  refute_called "--gpgpu"
  assert_output_has "The driver is installed"
  assert_output_has "Reboot the machine, then run this script again"
  # Nothing after the reboot point ran.
  refute_called "curl"
  refute_command conda
  [ ! -e "$HOME/miniforge3" ]
}

@test "ubuntu-drivers missing: its package is installed first" {
  with_gpu
  without ubuntu-drivers
  run_setup --yes
  assert_status 3
  assert_called "sudo apt-get -o DPkg::Lock::Timeout=600 install -y ubuntu-drivers-common"
  assert_called "sudo ubuntu-drivers install"
}

# Case 1: ubuntu-drivers exits 0 without installing anything.
@test "ubuntu-drivers installs nothing (apt lock, no driver found): stops with exit 1 instead of claiming success" {
  with_gpu
  touch "$STUB_STATE/installs_nothing"
  run_setup --yes
  assert_status 1
  assert_called "sudo ubuntu-drivers install"
  assert_output_has "no NVIDIA driver package is installed"
  assert_output_has "ubuntu-drivers list"
  assert_output_has "run this script again in a few minutes"
  refute_output_has "The driver is installed"
  refute_output_has "Reboot the machine"
  # apt waited for the dpkg lock, and said so before its first step.
  assert_called "sudo apt-get -o DPkg::Lock::Timeout=600 update"
  assert_called "sudo apt-get -o DPkg::Lock::Timeout=600 install -y ubuntu-drivers-common"
  assert_output_has "apt waits up to 600 s for other package managers"
  [[ ${output%%apt-get -o DPkg::Lock::Timeout*} == *"apt waits up to 600 s"* ]]
  [ ! -e "$HOME/.local/state/keras-tutorial/reboot-requested-in-boot" ]
}

# Case 3: servers are told apart by what is installed, not by the default target.
@test "a server that boots into graphical.target gets the --gpgpu driver and its nvidia-smi" {
  with_gpu
  as_server
  run_setup --yes
  assert_status 3
  # The default target is graphical.target on this server, as on stock Ubuntu Server.
  assert_output_has "No desktop installed (a server)"
  assert_called "sudo ubuntu-drivers install --gpgpu"
  assert_called "sudo apt-get -o DPkg::Lock::Timeout=600 install -y nvidia-utils-550-server"
}

@test "a desktop with a display manager gets the desktop driver" {
  with_gpu
  as_server
  with_package lightdm
  run_setup --yes
  assert_status 3
  assert_called "sudo ubuntu-drivers install"
  refute_called "--gpgpu"
  refute_called "nvidia-utils"
}

@test "24.04 server: the -server-open driver ubuntu-drivers picks gets nvidia-utils-570-server" {
  with_gpu
  as_server
  echo nvidia-headless-no-dkms-570-server-open >"$STUB_STATE/gpgpu_package"
  run_setup --yes
  assert_status 3
  assert_called "sudo ubuntu-drivers install --gpgpu"
  assert_called "sudo apt-get -o DPkg::Lock::Timeout=600 install -y nvidia-utils-570-server"
  refute_output_has "cannot tell which driver branch"
}

@test "a loaded driver module without nvidia-smi: installs the utils, no reboot, and carries on" {
  with_driver 570.133.20
  as_server
  with_package nvidia-headless-no-dkms-570-server-open
  with_conda
  without nvidia-smi
  run_setup --yes
  assert_status 0
  assert_output_has "The driver module 570.133.20 is loaded, but nvidia-smi is missing"
  assert_called "sudo apt-get -o DPkg::Lock::Timeout=600 install -y nvidia-utils-570-server"
  refute_called "ubuntu-drivers"
  refute_output_has "Reboot the machine"
  assert_output_has "The driver works: 570.133.20"
  assert_called "python -m keras_tutorial.doctor --require-gpu"
}

@test "Secure Boot on: warns before installing the driver and explains the MOK screen" {
  with_gpu
  with_secure_boot
  run_setup --yes
  assert_status 3
  assert_output_has "Warning: Secure Boot is on"
  assert_output_has "Enroll MOK"
  # The warning comes before the install.
  [[ ${output%%ubuntu-drivers install*} == *"Secure Boot is on"* ]]
}

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
  refute_called "ubuntu-drivers"
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
  refute_called "ubuntu-drivers"
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
  with_conda
  run_setup --yes
  assert_status 3
  reboot_machine
  run_setup --yes
  assert_status 0
  assert_called "sudo modprobe nvidia"
  assert_output_has "modprobe loaded the driver"
  assert_called "python -m keras_tutorial.doctor --require-gpu"
  # Solved: the reminder of the reboot is gone.
  [ ! -e "$HOME/.local/state/keras-tutorial/reboot-requested-in-boot" ]
}

# --- a working driver -------------------------------------------------------------------------

@test "a driver already present: no driver step, environment and TensorFlow GPU build, doctor with --require-gpu" {
  with_driver
  with_conda
  run_setup --yes
  assert_status 0
  assert_output_has "The driver works: 550.120"
  refute_called "ubuntu-drivers"
  refute_called "sudo"
  refute_called "apt-get"
  assert_called "conda env create -n keras-tutorial -f $REPO/environment.yml"
  assert_called "conda env config vars set -n keras-tutorial KERAS_BACKEND=tensorflow"
  assert_called "python -m pip install tensorflow[and-cuda]==$(pinned tensorflow)"
  assert_called "python -m keras_tutorial.doctor --require-gpu"
  assert_output_has "doctor: GPU usable"
}

# Case 4: a working driver that is too old for the CUDA build.
@test "a working driver older than 525: stops before changing anything and names both versions" {
  with_driver 470.256.02
  with_conda
  run_setup --yes --backend jax
  assert_status 1
  assert_output_has "NVIDIA driver 470.256.02 is too old"
  assert_output_has "the CUDA 12 build of jax needs driver 525 or newer"
  assert_nothing_changed
  refute_called "conda env create"
}

@test "a CUDA 13 build chosen by hand needs driver 580: driver 550 is refused for it" {
  with_driver 550.120
  with_conda
  extra_env TORCH_CUDA=cu130
  run_setup --yes --backend torch
  assert_status 1
  assert_output_has "the CUDA 13 build of torch needs driver 580 or newer"
  assert_nothing_changed
}

@test "no NVIDIA GPU: refused with advice to use --cpu, nothing installed" {
  with_conda
  run_setup --yes
  assert_status 1
  assert_output_has "no NVIDIA GPU found"
  assert_output_has "--cpu"
  assert_nothing_changed
}

@test "--cpu without a GPU: no driver, CPU packages, doctor without --require-gpu" {
  with_conda
  run_setup --yes --cpu --backend torch
  assert_status 0
  refute_called "lspci"
  refute_called "ubuntu-drivers"
  assert_called "python -m pip install torch==$(pinned torch) --index-url https://download.pytorch.org/whl/cpu"
  assert_called "python -m keras_tutorial.doctor"
  refute_called "--require-gpu"
}

# Case 8: nvidia-smi gets a time limit.
@test "nvidia-smi hangs: the script gives up after NVIDIA_SMI_TIMEOUT seconds, changes nothing" {
  with_driver
  with_conda
  touch "$STUB_STATE/smi_hangs"
  extra_env NVIDIA_SMI_TIMEOUT=1
  run_setup --yes
  assert_status 1
  assert_output_has "nvidia-smi did not answer within 1 s"
  assert_nothing_changed
}

# --- WSL --------------------------------------------------------------------------------------

@test "WSL with the Windows driver: never installs a Linux driver" {
  in_wsl
  with_driver
  with_conda
  run_setup --yes
  assert_status 0
  refute_called "lspci"
  refute_called "ubuntu-drivers"
  refute_called "apt-get"
  assert_output_has "WSL"
  assert_called "python -m keras_tutorial.doctor --require-gpu"
}

# Case 5: nvidia-smi off PATH (common over SSH).
@test "WSL with nvidia-smi only in /usr/lib/wsl/lib: found there, and the set-up goes on" {
  in_wsl
  with_driver
  with_conda
  ln -s "$STUBS/nvidia-smi" "$WORK/wsl-lib/nvidia-smi"
  without nvidia-smi
  run_setup --yes
  assert_status 0
  assert_called "nvidia-smi --query-gpu=driver_version"
  assert_output_has "The driver works: 550.120 ($WORK/wsl-lib/nvidia-smi)"
  refute_output_has "install the current NVIDIA driver on Windows"
  assert_called "python -m keras_tutorial.doctor --require-gpu"
}

@test "WSL without a working nvidia-smi anywhere: stops and points to the Windows driver" {
  in_wsl
  with_conda
  without nvidia-smi
  run_setup --yes
  assert_status 1
  assert_output_has "looked on PATH and in $WORK/wsl-lib"
  assert_output_has "install the current NVIDIA driver on Windows"
  refute_called "ubuntu-drivers"
  assert_nothing_changed
}

# --- sudo (case 7) ----------------------------------------------------------------------------

@test "no sudo on the machine: says so before changing anything" {
  with_gpu
  without sudo
  run_setup --yes
  assert_status 1
  assert_output_has "needs root, but sudo is not installed"
  assert_output_has "Nothing was changed"
  assert_nothing_changed
}

@test "sudo not allowed for this user: says so before changing anything" {
  with_gpu
  touch "$STUB_STATE/sudo_denied"
  run_setup --yes
  assert_status 1
  assert_called "sudo -v"
  assert_output_has "may not run sudo"
  assert_output_has "sudo refused"
  assert_nothing_changed
}

# --- no terminal is not a yes (case 6) --------------------------------------------------------

@test "no terminal and no --yes: refuses to install a driver, names --yes, changes nothing" {
  with_gpu
  run_setup
  assert_status 1
  assert_output_has "standard input is not a terminal"
  assert_output_has "Install the recommended NVIDIA driver"
  assert_output_has "run it again with --yes"
  assert_nothing_changed
  refute_called "sudo"
}

@test "on a terminal the question is asked; answering y installs, and the driver's output is in the log" {
  with_gpu
  run_setup_on_a_terminal y
  assert_status 3
  assert_output_has "Install the recommended NVIDIA driver with ubuntu-drivers? [y/N]"
  assert_called "sudo ubuntu-drivers install"
  grep -q "ubuntu-drivers stub: installing nvidia-driver-550" "$(log_file)"
}

@test "on a terminal, answering no changes nothing" {
  with_gpu
  run_setup_on_a_terminal n
  assert_status 1
  assert_output_has "cancelled"
  assert_nothing_changed
}

@test "no terminal and no --yes: an out-of-date environment is not removed" {
  with_driver
  with_conda
  run_setup --yes
  assert_status 0
  : >"$STUB_LOG"
  run_setup --backend jax
  assert_status 1
  assert_output_has "Remove and recreate the conda environment keras-tutorial?"
  assert_output_has "--yes"
  refute_called "conda env remove"
  [ -d "$STUB_STATE/envs/keras-tutorial" ]
}

@test "an environment this script did not create is never removed, even with --yes --recreate" {
  with_driver
  with_conda
  mkdir -p "$STUB_STATE/envs/keras-tutorial/lib"
  run_setup --yes --recreate
  assert_status 1
  assert_output_has "this script did not create it, so it will not remove it"
  assert_output_has "--env-name"
  refute_called "conda env remove"
  refute_called "conda env create"
  [ -d "$STUB_STATE/envs/keras-tutorial/lib" ]
}

@test "the environment to recreate is the active one: says so instead of failing inside conda" {
  with_driver
  with_conda
  run_setup --yes
  assert_status 0
  : >"$STUB_LOG"
  extra_env CONDA_PREFIX="$STUB_STATE/envs/keras-tutorial"
  run_setup --yes --backend torch
  assert_status 1
  assert_output_has "it is the active one (CONDA_PREFIX)"
  assert_output_has "conda deactivate"
  refute_called "conda env remove"
}

# --- logs and progress (case 8) ---------------------------------------------------------------

@test "the log holds what the terminal showed, the driver step's output included" {
  with_gpu
  run_setup --yes
  assert_status 3
  refute_output_has "terminal only"
  log=$(log_file)
  grep -q "ubuntu-drivers stub: installing nvidia-driver-550" "$log"
  grep -q "Reboot the machine" "$log"
}

@test "the log of a whole run holds what the terminal showed" {
  with_driver
  with_conda
  run_setup --yes
  assert_status 0
  log=$(log_file)
  grep -q "The driver works: 550.120" "$log"
  grep -q "conda stub: created keras-tutorial" "$log"
  grep -q "doctor: GPU usable" "$log"
}

@test "without a terminal a long pip install prints that it is still running" {
  with_driver
  with_conda
  touch "$STUB_STATE/slow_pip"
  extra_env PROGRESS_INTERVAL=1 SETUP_LOG="$WORK/setup.log"
  run_setup --yes
  assert_status 0
  assert_output_has "still running (1 s)"
  grep -q "still running" "$WORK/setup.log"
}

# --- conda's list of environments (case 9) ----------------------------------------------------

@test "an environment folder with spaces and Chinese characters is found and stamped" {
  with_driver
  with_conda
  envs="$WORK/我的 conda/envs"
  echo "$envs" >"$STUB_STATE/envs_root"
  run_setup --yes
  assert_status 0
  [ -f "$envs/keras-tutorial/.keras-tutorial-setup" ]
  : >"$STUB_LOG"
  run_setup --yes
  assert_status 0
  assert_output_has "Environment keras-tutorial is up to date: $envs/keras-tutorial"
  refute_called "conda env create"
}

@test "conda not listing the new environment: stops, and writes no stamp anywhere" {
  with_driver
  with_conda
  touch "$STUB_STATE/list_forgets"
  run_setup --yes
  assert_status 1
  assert_output_has "lists no folder for the environment keras-tutorial"
  refute_output_has "Error: step"
  [ ! -e /.keras-tutorial-setup ]
  [ -z "$(find "$WORK" -name .keras-tutorial-setup)" ]
  refute_called "pip install"
}

# --- the CUDA line (case 10) ------------------------------------------------------------------

@test "driver 580 or newer: PyTorch from the CUDA 13 index and jax[cuda13]; older: CUDA 12" {
  with_driver 580.65.06
  with_conda
  run_setup --yes --backend torch
  assert_status 0
  assert_called "python -m pip install torch==$(pinned torch) --index-url https://download.pytorch.org/whl/cu130"
  run_setup --yes --backend jax --env-name kt-jax
  assert_status 0
  assert_called "python -m pip install jax[cuda13]==$(pinned jax)"
  with_driver 550.120
  : >"$STUB_LOG"
  run_setup --yes --backend torch --env-name kt-torch
  assert_status 0
  assert_called "python -m pip install torch==$(pinned torch) --index-url https://download.pytorch.org/whl/cu126"
}

@test "the script's CUDA line and driver minimum agree with the doctor's table" {
  local version backend torch jax needed major
  for version in 470.256.02 520.61.05 525.60.13 550.120 579.99 580.65.06 595.10; do
    for backend in tensorflow jax torch; do
      with_driver "$version"
      read -r torch jax needed < <(doctor_table "$version" "$backend")
      run_setup --dry-run --backend "$backend"
      major=${version%%.*}
      if ((major < needed)); then
        assert_status 1
        assert_output_has "needs driver $needed or newer"
        continue
      fi
      assert_status 0
      case $backend in
        torch) assert_output_has "--index-url https://download.pytorch.org/whl/$torch" ;;
        jax) assert_output_has "'jax[$jax]==$(pinned jax)'" ;;
        tensorflow) assert_output_has "'tensorflow[and-cuda]==$(pinned tensorflow)'" ;;
      esac
    done
  done
}

# --- conda and Miniforge ----------------------------------------------------------------------

@test "conda missing: Miniforge is downloaded to a temporary file, its sha256 checked, then installed" {
  with_driver
  sha=$(fake_installer)
  extra_env MINIFORGE_SHA256="$sha"
  run_setup --yes
  assert_status 0
  assert_called "curl -fL --retry 3 --proto =https --tlsv1.2 -o $WORK/miniforge-"
  assert_called "https://github.com/conda-forge/miniforge/releases/download/26.3.2-3/Miniforge3-26.3.2-3-Linux-x86_64.sh"
  assert_output_has "sha256 matches: $sha"
  # The file curl wrote is the one checked, and only then run.
  installer=$(grep -o -- "-o $WORK/miniforge-[^ ]*" "$STUB_LOG" | cut -d ' ' -f 2)
  checked=$(grep -n "^sha256sum $installer\$" "$STUB_LOG" | cut -d : -f 1)
  ran=$(grep -n "^fake installer ran $installer\$" "$STUB_LOG" | cut -d : -f 1)
  [ -n "$checked" ] && [ -n "$ran" ] && ((checked < ran))
  [ -x "$HOME/miniforge3/bin/conda" ]
  # The new conda made the environment, and the temporary installer is gone.
  assert_called "conda env create -n keras-tutorial"
  [ -z "$(ls "$WORK"/miniforge-* 2>/dev/null)" ]
  # Installed in batch mode, which leaves ~/.bashrc alone; the way to activate is printed instead.
  [ ! -e "$HOME/.bashrc" ]
  assert_output_has "source $HOME/miniforge3/bin/activate && conda activate keras-tutorial"
}

@test "the pinned Miniforge hash is used unless overridden" {
  with_driver
  fake_installer >/dev/null
  run_setup --yes
  # The fake installer is not the real one, so the real pinned hash rejects it.
  assert_status 1
  assert_output_has "expected 848194851a98903134187fbb4ab50efe87b003e0c0f808f97644b7524a62bf2c"
  refute_called "fake installer ran"
}

@test "an installer whose hash does not match: abort, delete it, install nothing" {
  with_driver
  fake_installer >/dev/null
  extra_env MINIFORGE_SHA256=0000000000000000000000000000000000000000000000000000000000000000
  run_setup --yes
  assert_status 1
  assert_output_has "failed its check"
  assert_output_has "nothing was installed"
  refute_called "fake installer ran"
  refute_command conda
  [ ! -e "$HOME/miniforge3" ]
  [ -z "$(ls "$WORK"/miniforge-* 2>/dev/null)" ]
}

@test "a folder in the way of Miniforge is not overwritten" {
  with_driver
  mkdir -p "$HOME/miniforge3/data"
  sha=$(fake_installer)
  extra_env MINIFORGE_SHA256="$sha"
  run_setup --yes
  assert_status 1
  assert_output_has "exists but holds no conda"
  refute_called "curl"
  [ -d "$HOME/miniforge3/data" ]
}

# --- dry run and idempotence ------------------------------------------------------------------

@test "--dry-run on a fresh machine prints every step, runs and writes nothing but a log" {
  with_gpu
  fake_installer >/dev/null
  before=$(tree_of "$STUB_STATE")
  run_setup --dry-run
  assert_status 0
  assert_output_has "[dry-run] sudo ubuntu-drivers install"
  assert_output_has "[dry-run] curl"
  assert_output_has "[dry-run] bash"
  assert_output_has "env create -n keras-tutorial"
  assert_output_has "'tensorflow[and-cuda]==$(pinned tensorflow)'"
  assert_output_has "keras_tutorial.doctor --require-gpu"
  assert_output_has "nothing was changed"
  assert_nothing_changed
  [ "$(tree_of "$STUB_STATE")" == "$before" ]
  # Only the log was written.
  [ "$(cd "$HOME" && find . -type f)" == "$(cd "$HOME" && find . -type f -name 'setup-*.log')" ]
  [ -n "$(log_file)" ]
  [ ! -e "$HOME/miniforge3" ]
}

@test "--dry-run with everything installed changes nothing either" {
  with_driver
  with_conda
  run_setup --yes
  assert_status 0
  : >"$STUB_LOG"
  before=$(tree_of "$STUB_STATE")
  run_setup --dry-run --recreate --backend jax
  assert_status 0
  assert_output_has "[dry-run] $HOME/miniforge3/bin/conda env remove -n keras-tutorial -y"
  assert_output_has "'jax[cuda12]==$(pinned jax)'"
  assert_nothing_changed
  [ "$(tree_of "$STUB_STATE")" == "$before" ]
}

@test "a second run is idempotent: it only checks, then runs the doctor" {
  with_driver
  with_conda
  run_setup --yes
  assert_status 0
  : >"$STUB_LOG"
  before=$(tree_of "$STUB_STATE")
  run_setup --yes
  assert_status 0
  assert_output_has "Environment keras-tutorial is up to date"
  [ "$(changing_calls)" == "conda run -n keras-tutorial --no-capture-output python -m keras_tutorial.doctor --require-gpu" ] ||
    { changing_calls; false; }
  [ "$(tree_of "$STUB_STATE")" == "$before" ]
}

@test "another backend recreates the environment this script made (with --yes)" {
  with_driver
  with_conda
  run_setup --yes
  : >"$STUB_LOG"
  run_setup --yes --backend jax
  assert_status 0
  assert_called "conda env remove -n keras-tutorial -y"
  assert_called "conda env create -n keras-tutorial"
  assert_called "KERAS_BACKEND=jax"
  assert_called "python -m pip install jax[cuda12]==$(pinned jax)"
  assert_called "python -m pip install -e ${REPO}[jax]"
}

@test "--backend torch installs the pinned torch from PyTorch's CUDA 12.6 index" {
  with_driver
  with_conda
  run_setup --yes --backend torch --env-name kt-torch
  assert_status 0
  assert_called "conda env create -n kt-torch"
  assert_called "python -m pip install torch==$(pinned torch) --index-url https://download.pytorch.org/whl/cu126"
  assert_called "python -m pip install -e ${REPO}[torch]"
}

# --- failures ---------------------------------------------------------------------------------

@test "a failing step is named, with its exit code and the log" {
  with_driver
  with_conda
  touch "$STUB_STATE/create_fails"
  run_setup --yes
  assert_status 1
  assert_output_has 'Error: step "创建 conda 环境 / Create the conda environment" failed (exit code 1'
  assert_output_has "The full output is in the log"
  refute_called "pip install"
}

@test "an environment left half-made by a failed step is this script's, so the next run replaces it" {
  with_driver
  with_conda
  touch "$STUB_STATE/pip_fails"
  run_setup --yes
  assert_status 1
  assert_output_has 'step "安装后端的 GPU 版 / Install the backend'"'"'s GPU build" failed'
  : >"$STUB_LOG"
  rm "$STUB_STATE/pip_fails"
  run_setup --yes
  assert_status 0
  assert_called "conda env remove -n keras-tutorial -y"
  assert_called "conda env create -n keras-tutorial"
}

@test "the doctor finding no usable GPU fails the run" {
  with_driver
  with_conda
  touch "$STUB_STATE/doctor_fails"
  run_setup --yes
  assert_status 1
  assert_output_has 'step "运行体检 / Run the doctor" failed'
}
