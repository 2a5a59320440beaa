"""Start JupyterLab for the chapter notebooks, reachable only from this computer, with a token.

``python -m keras_tutorial.lab [--port N] [--token T] [--remote]`` (what ``make lab`` runs) starts
JupyterLab from this interpreter on 127.0.0.1, in ``notebooks/``, with token authentication. The
``python3`` kernel is this interpreter, so ``import keras_tutorial`` works in every notebook.

It never listens on the network: on a remote GPU machine, reach it through an SSH tunnel
(``--remote`` prints how).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from keras_tutorial import project
from keras_tutorial.errors import TutorialError, install_handler
from keras_tutorial.settings import Parser

DEFAULT_IP = "127.0.0.1"
DEFAULT_PORT = 8888
#: How long to wait for the server to answer before printing the address anyway.
STARTUP_TIMEOUT_S = 120.0


def port_number(text: str) -> int:
    """argparse type: a TCP port, 1..65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' 不是整数 / is not an integer") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' 必须在 1–65535 之间 / must be 1..65535")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m keras_tutorial.lab",
        description="在本机启动 JupyterLab（只监听 127.0.0.1，带令牌）/ "
        "start JupyterLab on 127.0.0.1 with a token",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"端口 / port (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--token",
        default=None,
        help="访问令牌，不给则随机生成；命令行对本机其他用户可见，共享机器上别用 / "
        "access token (default: a new random one); other users can see command lines",
    )
    parser.add_argument(
        "--remote",
        action="store_true",
        help="在远程机器上：打印 SSH 隧道的用法，不打开浏览器 / "
        "on a remote machine: print how to use an SSH tunnel, open no browser",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="不自动打开浏览器 / do not open a browser",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="JupyterLab 的根目录 / JupyterLab's root folder (default: the tutorial's notebooks/)",
    )
    parser.add_argument(
        "--ip",
        default=DEFAULT_IP,
        help="只接受本机回环地址 / loopback addresses only (default 127.0.0.1)",
    )
    return parser


def check_ip(ip: str) -> str:
    """Return ``ip`` if it is a loopback address; anything else would expose the server."""
    if ip == "localhost":
        return ip
    try:
        loopback = ipaddress.ip_address(ip).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise TutorialError(
            f"拒绝监听 {ip}：JupyterLab 能执行任意代码，只允许本机回环地址（如 127.0.0.1）。"
            "要从别的电脑访问，请用 SSH 隧道（make lab ARGS=--remote 会打印用法）。",
            f"refusing to listen on {ip}: JupyterLab runs any code it is sent, so only loopback "
            "addresses (such as 127.0.0.1) are allowed. To reach it from another computer, "
            "use an SSH tunnel (make lab ARGS=--remote prints how).",
        )
    return ip


def check_token(token: str | None) -> str:
    """The token to use: ``token`` itself, or a new random one when None; empty is refused."""
    if token is None:
        return secrets.token_hex(24)
    if not token.strip():
        raise TutorialError(
            "令牌不能为空：没有令牌，任何能连上这个端口的人（包括这台机器上的其他用户）"
            "都能在你的账户下执行代码。去掉 --token 会自动生成一个随机令牌。",
            "the token must not be empty: without one, anybody who can reach the port (other "
            "users of this machine included) can run code as you. Leave out --token to get a "
            "random one.",
        )
    return token


def lab_url(ip: str, port: int, token: str) -> str:
    """The address to open in a browser, token included."""
    host = "localhost" if ip == "localhost" else ipaddress.ip_address(ip).compressed
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/lab?token={urllib.parse.quote(token, safe='')}"


def tunnel_instructions(port: int, token: str) -> str:
    """How to reach a server on a remote machine through SSH, in Chinese and English."""
    url = lab_url("localhost", port, token)
    ssh = f"ssh -N -L {port}:localhost:{port} user@host"
    return "\n".join(
        [
            "远程使用 / Remote use:",
            "  JupyterLab 只监听这台机器的 127.0.0.1，网络上的其他电脑连不上；",
            "  通过 SSH 隧道(SSH tunnel)把你电脑上的端口转发过来即可。",
            "  JupyterLab listens on this machine's 127.0.0.1 only and cannot be reached from "
            "the network;",
            "  forward a port of your own computer to it through an SSH tunnel.",
            "",
            "  1. 在你自己的电脑上另开一个终端，运行"
            "（user@host 换成你登录这台机器用的用户名和地址）：",
            "     On your own computer, in another terminal, run (user@host: how you log in here):",
            f"       {ssh}",
            f"     （登录时就用 ssh -L {port}:localhost:{port} user@host 的话，这一步可以省略。）",
            f"     (If you logged in with ssh -L {port}:localhost:{port} user@host, skip this.)",
            "  2. 在你电脑的浏览器里打开 / Open in your computer's browser:",
            f"       {url}",
            "  不要用 --ip=0.0.0.0 把没有令牌或密码的 Jupyter 暴露在网络上。",
            "  Never expose Jupyter with --ip=0.0.0.0 without a token or password.",
        ]
    )


def write_kernelspec(jupyter_dir: Path) -> Path:
    """Write a ``python3`` kernelspec for this interpreter under ``jupyter_dir/kernels``."""
    from ipykernel.kernelspec import write_kernel_spec

    dest = jupyter_dir / "kernels" / "python3"
    write_kernel_spec(str(dest))
    return dest


#: JupyterLab's plugin that asks "Would you like to get notified about official Jupyter news?"
#: in a pop-up over the first notebook a learner opens (and checks for JupyterLab updates, which
#: the lock decides here anyway).
ANNOUNCEMENTS_PLUGIN = "@jupyterlab/apputils-extension:announcements"


def write_page_config(jupyter_dir: Path) -> Path:
    """Write ``jupyter_dir/labconfig/page_config.json``, which turns the news pop-up off.

    It is what ``jupyter labextension disable`` writes, but in a folder of this run only, so the
    learner's own Jupyter settings stay as they are.
    """
    dest = jupyter_dir / "labconfig" / "page_config.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps({"disabledExtensions": {ANNOUNCEMENTS_PLUGIN: True}}))
    return dest


#: JupyterLab's language setting. make lab makes Simplified Chinese its default (the official
#: language pack, jupyterlab-language-pack-zh-CN, is in the jupyter lock); a learner who picks
#: another language (Settings → Language → English) saves a user setting, which wins over it.
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"
DEFAULT_LOCALE = "zh_CN"


def write_app_settings(jupyter_dir: Path, app_dir: Path) -> Path:
    """Write a copy of JupyterLab's application settings with Chinese as the default language.

    JupyterLab reads default settings ("overrides") only from its application folder
    (``app_dir/settings``, in the environment). Rather than write there, this run gets its own
    copy under ``jupyter_dir/lab``: the folder's own files, ``overrides.d/keras-tutorial.json`` for
    the language, and a link to the application's ``static`` folder, which JupyterLab looks up
    beside the settings. The learner's own overrides.json, if any, still wins.
    """
    dest = jupyter_dir / "lab" / "settings"
    if (app_dir / "settings").is_dir():
        shutil.copytree(app_dir / "settings", dest)
    (dest / "overrides.d").mkdir(parents=True, exist_ok=True)
    default = {TRANSLATION_PLUGIN: {"locale": DEFAULT_LOCALE}}
    (dest / "overrides.d" / "keras-tutorial.json").write_text(json.dumps(default))
    if (app_dir / "static").is_dir():
        (dest.parent / "static").symlink_to(app_dir / "static", target_is_directory=True)
    return dest


def jupyterlab_app_dir() -> Path:
    """JupyterLab's application folder in this environment (JUPYTERLAB_DIR moves it)."""
    from jupyterlab.commands import get_app_dir

    return Path(get_app_dir())


def _prepend(path: str, value: str) -> str:
    return os.pathsep.join([path] + [p for p in value.split(os.pathsep) if p])


def server_env(base: dict[str, str], jupyter_dir: Path, token: str) -> dict[str, str]:
    """The server's environment: the token, and ``jupyter_dir`` searched first.

    The token goes through the environment, not the command line, because any user of the
    machine can read a process's command line. Putting ``jupyter_dir`` first on JUPYTER_PATH makes
    its ``python3`` kernel win over one that another Python installed in ``~/.local/share``; first
    on JUPYTER_CONFIG_PATH, its page config (no news pop-up) is read with the learner's own.
    """
    env = dict(base)
    env.pop("JUPYTER_TOKEN_FILE", None)
    env["JUPYTER_TOKEN"] = token
    env["JUPYTER_PATH"] = _prepend(str(jupyter_dir), env.get("JUPYTER_PATH", ""))
    env["JUPYTER_CONFIG_PATH"] = _prepend(str(jupyter_dir), env.get("JUPYTER_CONFIG_PATH", ""))
    return env


def server_command(
    ip: str, port: int, root_dir: Path, open_browser: bool, app_settings: Path | None = None
) -> list[str]:
    """The JupyterLab command line, run by this interpreter (so its kernel is this venv's).

    ``app_settings``: the application settings folder that write_app_settings() made.
    """
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        # Never drift to another port: the address printed for the learner would be wrong.
        "--ServerApp.port_retries=0",
        "--ServerApp.base_url=/",
        f"--ServerApp.root_dir={root_dir}",
        f"--ServerApp.open_browser={open_browser}",
    ]
    if app_settings is not None:
        command.append(f"--LabApp.app_settings_dir={app_settings}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and cloud GPU machines often log in as root; the server stays on loopback.
        command.append("--ServerApp.allow_root=True")
    return command


def check_port_free(ip: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((ip, port))
        except OSError:
            raise TutorialError(
                f"端口 {port} 已被占用（也许另一个 JupyterLab 还开着）。"
                f"换一个端口，例如 make lab ARGS='--port {port + 1}'。",
                f"port {port} is already in use (another JupyterLab, perhaps). "
                f"Choose another one, e.g. make lab ARGS='--port {port + 1}'.",
            ) from None


def server_status(ip: str, port: int, token: str | None) -> int | None:
    """HTTP status of /api/status (with ``token`` when given), or None while nothing answers."""
    host = f"[{ip}]" if ":" in ip else ip
    request = urllib.request.Request(f"http://{host}:{port}/api/status")
    if token is not None:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def wait_until_ready(proc: subprocess.Popen, ip: str, port: int, token: str) -> bool:
    """Wait until the server answers with the token; False if it exited or never answered."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if server_status(ip, port, token) == 200:
            return True
        time.sleep(0.5)
    return False


def _stop(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait()


def run_server(args: argparse.Namespace, token: str) -> int:
    root_dir = args.dir.expanduser().resolve()
    if not root_dir.is_dir():
        raise TutorialError(f"找不到目录 {root_dir}。", f"no such folder: {root_dir}.")
    check_port_free(args.ip, args.port)
    open_browser = not (args.no_browser or args.remote)
    with tempfile.TemporaryDirectory(prefix="keras-tutorial-lab-") as tmp:
        jupyter_dir = Path(tmp)
        write_kernelspec(jupyter_dir)
        write_page_config(jupyter_dir)
        app_settings = write_app_settings(jupyter_dir, jupyterlab_app_dir())
        proc = subprocess.Popen(
            server_command(args.ip, args.port, root_dir, open_browser, app_settings),
            env=server_env(dict(os.environ), jupyter_dir, token),
        )
        # Ctrl-C reaches the server too (same terminal): let it ask and shut down its kernels.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda signum, frame: proc.send_signal(signum))
        try:
            if wait_until_ready(proc, args.ip, args.port, token):
                if server_status(args.ip, args.port, None) != 403:
                    # A Jupyter config file (e.g. c.IdentityProvider.token = "") won over ours.
                    _stop(proc)
                    raise TutorialError(
                        "JupyterLab 不用令牌也能访问，已停止。请检查 ~/.jupyter/ 里的配置文件，"
                        "删掉把 token 设为空字符串或关闭认证的设置。",
                        "JupyterLab answered without the token, so it was stopped. Check the "
                        "config files in ~/.jupyter/ for a setting that empties the token or "
                        "turns authentication off.",
                    )
                print(banner(args, token), flush=True)
            return proc.wait()
        finally:
            _stop(proc)


def banner(args: argparse.Namespace, token: str) -> str:
    lines = [
        "",
        "=" * 72,
        f"JupyterLab 已启动，根目录 / is running in: {args.dir}",
        "在浏览器中打开 / Open in a browser:",
        f"    {lab_url(args.ip, args.port, token)}",
        "停止：在这个终端按两次 Ctrl-C / Stop: press Ctrl-C twice in this terminal.",
        "（日志里那条 403 是启动时的自检：不带令牌的请求必须被拒绝。）",
        "(The 403 in the log is a start-up check: requests without the token must be refused.)",
    ]
    if args.remote:
        lines += ["", tunnel_instructions(args.port, token)]
    lines.append("=" * 72)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    install_handler()
    args = build_parser().parse_args(argv)
    check_ip(args.ip)
    token = check_token(args.token)
    if args.dir is None:
        # The checkout is found from the folder make runs in, not from this file's location,
        # which lies in site-packages when the package is installed without -e.
        args.dir = project.find().notebooks
    return run_server(args, token)


if __name__ == "__main__":
    sys.exit(main())
