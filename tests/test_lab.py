"""`make lab`: JupyterLab on loopback with a token, and a python3 kernel from this interpreter."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from helpers import (
    ROOT,
    STARTUP_TIMEOUT_S,
    assert_clean_error,
    free_port,
    isolated_jupyter_env,
    running_lab,
)

from keras_tutorial import lab
from keras_tutorial.errors import TutorialError


def run_lab(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run lab.py to completion; on a timeout, kill the server it started as well."""
    command = [sys.executable, "-m", "keras_tutorial.lab", *args]
    proc = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=STARTUP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


def get_json(port: int, path: str, token: str) -> object:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    request.add_header("Authorization", f"token {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["", "   ", "\t \n"])
def test_blank_token_is_refused_before_anything_starts(
    token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In-process, on a free port, without a browser, in a folder that does not exist: were a
    # blank token let through, main() would stop at once on the missing folder instead.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main() installs its own
    argv = ["--token", token, "--port", str(free_port()), "--no-browser"]
    with pytest.raises(TutorialError) as caught:
        lab.main([*argv, "--dir", str(tmp_path / "missing")])
    assert "令牌不能为空" in caught.value.zh
    assert "must not be empty" in caught.value.en


def test_blank_token_is_a_clean_error_on_the_command_line(tmp_path: Path) -> None:
    argv = ["--token", "  ", "--port", str(free_port()), "--no-browser"]
    result = run_lab(*argv, "--dir", str(tmp_path / "missing"))
    assert_clean_error(result, "令牌不能为空", "must not be empty")


@pytest.mark.parametrize("ip", ["0.0.0.0", "::", "192.168.1.20", "my-server.example.com"])
def test_non_loopback_address_is_refused_before_a_server_starts(
    ip: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In-process: were the address let through, main() would reach run_server, which fails here
    # at once instead of starting JupyterLab and waiting for the suite's timeout.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main() installs its own

    def no_server(*args: object) -> int:
        raise AssertionError(f"a server was started on {ip}")

    monkeypatch.setattr(lab, "run_server", no_server)
    with pytest.raises(TutorialError) as caught:
        lab.main([f"--ip={ip}", "--no-browser"])
    assert f"拒绝监听 {ip}" in caught.value.zh and "SSH" in caught.value.zh
    assert f"refusing to listen on {ip}" in caught.value.en


def test_non_loopback_address_is_a_clean_error_on_the_command_line() -> None:
    assert_clean_error(run_lab("--ip=0.0.0.0"), "拒绝监听 0.0.0.0", "refusing to listen on")


def test_the_notebooks_folder_is_found_from_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = {}

    def record(args: object, token: str) -> int:
        seen["dir"] = args.dir
        return 0

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main() installs its own
    monkeypatch.setattr(lab, "run_server", record)
    monkeypatch.chdir(ROOT / "scripts")
    assert lab.main(["--no-browser"]) == 0
    assert seen["dir"] == ROOT / "notebooks"
    monkeypatch.chdir(tmp_path)  # outside any checkout: the learner is told to cd into it
    with pytest.raises(TutorialError, match="cd"):
        lab.main(["--no-browser"])


@pytest.mark.parametrize("ip", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_addresses_are_accepted(ip: str) -> None:
    assert lab.check_ip(ip) == ip


@pytest.mark.parametrize("port", ["0", "65536", "eighty"])
def test_bad_port_is_a_clean_error(port: str) -> None:
    result = run_lab("--port", port)
    assert_clean_error(result, "--port")
    assert result.returncode == 2


def test_port_in_use_is_a_clean_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_lab("--port", str(port), "--dir", str(tmp_path), "--no-browser")
    assert_clean_error(result, f"端口 {port} 已被占用", f"port {port} is already in use")


def test_missing_folder_is_a_clean_error(tmp_path: Path) -> None:
    result = run_lab("--dir", str(tmp_path / "nowhere"), "--no-browser")
    assert_clean_error(result, "nowhere")


# --- what gets started ------------------------------------------------------------------------


def test_random_tokens_are_long_and_fresh() -> None:
    tokens = {lab.check_token(None) for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 32 for t in tokens)
    assert lab.check_token("mine") == "mine"


def test_server_command_listens_on_loopback_with_this_python(tmp_path: Path) -> None:
    command = lab.server_command("127.0.0.1", 8899, tmp_path, open_browser=False)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--ServerApp.ip=127.0.0.1" in command
    assert "--ServerApp.port=8899" in command
    assert "--ServerApp.port_retries=0" in command
    assert f"--ServerApp.root_dir={tmp_path}" in command
    assert "--ServerApp.open_browser=False" in command
    assert not any("token" in part.lower() or "0.0.0.0" in part for part in command)


def test_server_env_passes_the_token_and_puts_our_kernel_first(tmp_path: Path) -> None:
    base = {"JUPYTER_PATH": "/a:/b", "JUPYTER_TOKEN_FILE": "/tmp/x", "HOME": "/home/me"}
    env = lab.server_env(base, tmp_path, "s3cret")
    assert env["JUPYTER_TOKEN"] == "s3cret"
    assert "JUPYTER_TOKEN_FILE" not in env
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(tmp_path), "/a", "/b"]
    assert env["JUPYTER_CONFIG_PATH"] == str(tmp_path)
    assert env["HOME"] == "/home/me"
    assert base["JUPYTER_PATH"] == "/a:/b"


def test_kernelspec_runs_this_interpreter(tmp_path: Path) -> None:
    spec = json.loads((lab.write_kernelspec(tmp_path) / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert spec["argv"][1:3] == ["-m", "ipykernel_launcher"]


def test_urls_and_tunnel_instructions() -> None:
    assert lab.lab_url("127.0.0.1", 8888, "abc") == "http://127.0.0.1:8888/lab?token=abc"
    assert lab.lab_url("::1", 9000, "a b&c") == "http://[::1]:9000/lab?token=a%20b%26c"
    text = lab.tunnel_instructions(8890, "tok")
    assert "ssh -N -L 8890:localhost:8890 user@host" in text
    assert "http://localhost:8890/lab?token=tok" in text
    assert "隧道" in text and "tunnel" in text
    assert "--ip=0.0.0.0" in text


# --- a real server ----------------------------------------------------------------------------


def lab_page_config(port: int, token: str) -> dict:
    """The configuration JupyterLab's page hands to the browser (jupyter-config-data)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/lab")
    request.add_header("Authorization", f"token {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    found = re.search(r'<script id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.DOTALL)
    assert found, page[:2000]
    return json.loads(found.group(1))


def test_app_settings_make_chinese_the_default_and_keep_the_apps_own(tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "settings").mkdir(parents=True)
    (app / "static").mkdir()
    (app / "settings" / "page_config.json").write_text('{"mine": 1}')
    (app / "settings" / "overrides.json").write_text('{"theme": "dark"}')
    settings = lab.write_app_settings(tmp_path / "run", app)
    overrides = json.loads((settings / "overrides.d" / "keras-tutorial.json").read_text())
    assert overrides == {"@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"}}
    assert (settings / "page_config.json").read_text() == '{"mine": 1}'
    assert (settings / "overrides.json").read_text() == '{"theme": "dark"}'
    assert (settings.parent / "static").resolve() == (app / "static").resolve()
    command = lab.server_command("127.0.0.1", 8899, tmp_path, False, settings)
    assert f"--LabApp.app_settings_dir={settings}" in command


def test_write_page_config_turns_the_news_prompt_off(tmp_path: Path) -> None:
    config = json.loads(lab.write_page_config(tmp_path).read_text())
    assert config == {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}


def test_server_needs_the_token_runs_this_python_and_asks_no_news(tmp_path: Path) -> None:
    env = isolated_jupyter_env(tmp_path / "home")
    # A learner's settings, where the news question has never been answered: the prompt would
    # cover the notebook unless lab.py turns its plugin off.
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
    (settings / "notification.jupyterlab-settings").unlink()
    # A python3 kernel of some other Python in the user's data folder must not be the one used.
    decoy = Path(env["JUPYTER_DATA_DIR"]) / "kernels" / "python3"
    decoy.mkdir(parents=True)
    decoy_argv = ["/usr/bin/false", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (decoy / "kernel.json").write_text(
        json.dumps({"argv": decoy_argv, "display_name": "decoy", "language": "python"})
    )
    root = tmp_path / "notebooks"
    root.mkdir()
    log = tmp_path / "lab.log"
    with running_lab(root, env, log) as (port, token):
        assert lab.server_status("127.0.0.1", port, None) == 403
        assert lab.server_status("127.0.0.1", port, "wrong-token") == 403
        specs = get_json(port, "/api/kernelspecs", token)
        assert specs["default"] == "python3"
        assert specs["kernelspecs"]["python3"]["spec"]["argv"][0] == sys.executable
        contents = get_json(port, "/api/contents", token)
        assert contents["type"] == "directory"
        disabled = lab_page_config(port, token)["disabledExtensions"]
        assert "@jupyterlab/apputils-extension:announcements" in disabled
        # The interface in Simplified Chinese by default: the language pack is there, and the
        # language setting defaults to it (a learner's own choice is a user setting, over it).
        packs = get_json(port, "/lab/api/translations/", token)["data"]
        assert "zh_CN" in packs and "en" in packs
        language = get_json(port, f"/lab/api/settings/{lab.TRANSLATION_PLUGIN}", token)
        assert language["schema"]["properties"]["locale"]["default"] == "zh_CN"
        menu = get_json(port, "/lab/api/translations/zh_CN", token)["data"]["jupyterlab"]
        assert menu["menu\x04File"] == ["文件"]
    output = log.read_text()
    assert f"http://127.0.0.1:{port}/lab?token={token}" in output
    assert lab.server_status("127.0.0.1", port, token) is None, "server still answers"


def test_config_that_disables_the_token_stops_the_server(tmp_path: Path) -> None:
    env = isolated_jupyter_env(tmp_path / "home")
    config = Path(env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.json"
    config.write_text(json.dumps({"IdentityProvider": {"token": ""}}))
    port = free_port()
    result = run_lab("--port", str(port), "--dir", str(tmp_path), "--no-browser", env=env)
    assert_clean_error(result, "不用令牌也能访问", "answered without the token")
    assert lab.server_status("127.0.0.1", port, None) is None, "server still answers"
