#!/usr/bin/env bats
# setup_gpu_ubuntu.sh against stub system commands and fake os-release files: no root, no GPU,
# no network. See helpers.bash for how the machine is faked.

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
  [ -z "$(changing_calls)" ] || { changing_calls; false; }
  # Not even a log: the home folder is still empty.
  [ -z "$(ls -A "$HOME")" ]
}

@test "an Ubuntu release other than 20.04, 22.04 and 24.04 is refused" {
  ubuntu 18.04
  with_driver
  run_setup --yes
  assert_status 1
  assert_output_has "Ubuntu 18.04 is not supported"
  [ -z "$(changing_calls)" ]
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
  run env -i HOME="$HOME" PATH="$BIN" SUDO_USER=learner STUB_UID=0 STUB_STATE="$STUB_STATE" \
    STUB_LOG="$STUB_LOG" OS_RELEASE_FILE="$OS_RELEASE" PROC_VERSION_FILE="$PROC_VERSION" \
    "$BIN/bash" "$SCRIPT" --yes </dev/null
  assert_status 1
  assert_output_has "do not run this script with sudo"
  [ -z "$(changing_calls)" ]
}

@test "--help explains the flags and changes nothing" {
  run_setup --help
  assert_status 0
  assert_output_has "--dry-run"
  assert_output_has "--backend NAME"
  assert_output_has "reboot, then run this script again"
  [ ! -s "$STUB_LOG" ]
}

@test "an unknown flag or backend is a usage error (status 2)" {
  run_setup --frobnicate
  assert_status 2
  assert_output_has "unknown option: --frobnicate"
  run_setup --backend mxnet
  assert_status 2
  assert_output_has "must be tensorflow, jax or torch"
  run_setup --env-name 'bad name'
  assert_status 2
  [ ! -s "$STUB_LOG" ]
}

# --- GPU and driver ---------------------------------------------------------------------------

@test "Ubuntu 24.04 fresh with a GPU: installs the recommended driver with sudo, then stops for a reboot" {
  with_gpu
  run_setup --yes
  assert_status 3
  assert_output_has "GeForce RTX 4090"
  assert_called "sudo apt-get update"
  assert_called "sudo ubuntu-drivers install"
  refute_called "--gpgpu"
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
  assert_called "sudo apt-get install -y ubuntu-drivers-common"
  assert_called "sudo ubuntu-drivers install"
}

@test "on a server the driver is the --gpgpu flavour, with nvidia-smi from its utils package" {
  with_gpu
  as_server
  run_setup --yes
  assert_status 3
  assert_called "sudo ubuntu-drivers install --gpgpu"
  assert_called "sudo apt-get install -y nvidia-utils-550-server"
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

@test "driver installed but not loaded yet: asks for the reboot again without reinstalling" {
  with_gpu
  run_setup --yes
  assert_status 3
  : >"$STUB_LOG"
  run_setup --yes
  assert_status 3
  assert_output_has "installed but not loaded"
  refute_called "ubuntu-drivers"
  refute_called "sudo"
}

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

@test "no NVIDIA GPU: refused with advice to use --cpu, nothing installed" {
  with_conda
  run_setup --yes
  assert_status 1
  assert_output_has "no NVIDIA GPU found"
  assert_output_has "--cpu"
  [ -z "$(changing_calls)" ]
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

@test "WSL without a working nvidia-smi: stops and points to the Windows driver" {
  in_wsl
  with_conda
  without nvidia-smi
  run_setup --yes
  assert_status 1
  assert_output_has "install the current NVIDIA driver on Windows"
  refute_called "ubuntu-drivers"
  [ -z "$(changing_calls)" ]
}

# --- conda and Miniforge ----------------------------------------------------------------------

@test "conda missing: Miniforge is downloaded to a temporary file, its sha256 checked, then installed" {
  with_driver
  sha=$(fake_installer)
  EXTRA_ENV=(MINIFORGE_SHA256="$sha")
  run_setup --yes
  assert_status 0
  assert_called "curl -fL --retry 3 --proto =https --tlsv1.2 -o $WORK/miniforge-"
  assert_called "https://github.com/conda-forge/miniforge/releases/download/26.3.2-3/Miniforge3-26.3.2-3-Linux-x86_64.sh"
  assert_output_has "sha256 matches: $sha"
  assert_called "fake installer ran"
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
}

@test "an installer whose hash does not match: abort, delete it, install nothing" {
  with_driver
  fake_installer >/dev/null
  EXTRA_ENV=(MINIFORGE_SHA256=0000000000000000000000000000000000000000000000000000000000000000)
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
  EXTRA_ENV=(MINIFORGE_SHA256="$sha")
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
  [ -z "$(changing_calls)" ] || { changing_calls; false; }
  [ "$(tree_of "$STUB_STATE")" == "$before" ]
  # Only the log was written.
  [ "$(cd "$HOME" && find . -type f)" == "$(cd "$HOME" && find . -type f -name 'setup-*.log')" ]
  [ -n "$(find "$HOME/.cache/keras-tutorial" -name 'setup-*.log')" ]
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
  [ -z "$(changing_calls)" ] || { changing_calls; false; }
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

@test "another backend recreates the environment (prompt answered by a non-terminal stdin)" {
  with_driver
  with_conda
  run_setup --yes
  : >"$STUB_LOG"
  run_setup --backend jax
  assert_status 0
  assert_called "conda env remove -n keras-tutorial -y"
  assert_called "conda env create -n keras-tutorial"
  assert_called "KERAS_BACKEND=jax"
  assert_called "python -m pip install jax[cuda12]==$(pinned jax)"
  assert_called "python -m pip install -e $REPO[jax]"
}

@test "--backend torch installs the pinned torch from PyTorch's CUDA 12.6 index" {
  with_driver
  with_conda
  run_setup --yes --backend torch --env-name kt-torch
  assert_status 0
  assert_called "conda env create -n kt-torch"
  assert_called "python -m pip install torch==$(pinned torch) --index-url https://download.pytorch.org/whl/cu126"
  assert_called "python -m pip install -e $REPO[torch]"
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

@test "the doctor finding no usable GPU fails the run" {
  with_driver
  with_conda
  touch "$STUB_STATE/doctor_fails"
  run_setup --yes
  assert_status 1
  assert_output_has 'step "运行体检 / Run the doctor" failed'
}

@test "the log holds what the terminal showed" {
  with_driver
  with_conda
  run_setup --yes
  assert_status 0
  log=$(find "$HOME/.cache/keras-tutorial" -name 'setup-*.log')
  grep -q "The driver works: 550.120" "$log"
  grep -q "doctor: GPU usable" "$log"
}

@test "the script never purges packages, adds a PPA or pipes a download into a shell" {
  code=$(grep -vE '^[[:space:]]*#' "$SCRIPT")
  run grep -nE 'purge|add-apt-repository|ppa:|(curl|wget)[^|]*\|[[:space:]]*(ba|z|da)?sh' <<<"$code"
  [ "$status" -eq 1 ] || { echo "$output"; false; }
}
