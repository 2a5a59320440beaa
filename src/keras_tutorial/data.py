"""MNIST loading that works offline, behind slow networks and with mirrors.

:func:`load_mnist` returns what ``keras.datasets.mnist.load_data()`` returns. It looks, in order, at

1. the file named by the environment variable ``MNIST_PATH`` (Keras's ``mnist.npz`` layout),
   checked by content, so a re-packed copy is fine;
2. the Keras cache, ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras/datasets``);
3. a download from the official URL, or from the mirror base URL in ``MNIST_MIRROR``, into the
   Keras cache. A download is kept only when its sha256 is the official one.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from keras_tutorial.errors import TutorialError
from keras_tutorial.files import atomic_path

OFFICIAL_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
OFFICIAL_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
FILE_NAME = "mnist.npz"
PATH_ENV = "MNIST_PATH"
MIRROR_ENV = "MNIST_MIRROR"

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

_EXPECTED = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}

_HOW_TO_FIX_ZH = (
    "可以在浏览器或用其他工具从镜像手动下载 mnist.npz，然后设置环境变量 "
    "MNIST_PATH=/path/to/mnist.npz；或设置 MNIST_MIRROR 为可访问的镜像地址。"
)
_HOW_TO_FIX_EN = (
    "Download mnist.npz by hand (e.g. from a mirror) and set MNIST_PATH=/path/to/mnist.npz, "
    "or set MNIST_MIRROR to a mirror base URL that you can reach."
)


def keras_home() -> Path:
    """Keras's folder for its cache and ``keras.json``: ``$KERAS_HOME`` or ``~/.keras``."""
    return Path(os.environ.get("KERAS_HOME") or Path("~/.keras").expanduser())


def cache_path() -> Path:
    """Where Keras caches ``mnist.npz``: ``<keras_home>/datasets/mnist.npz``."""
    return keras_home() / "datasets" / FILE_NAME


@dataclass(frozen=True)
class Location:
    """Where :func:`load_mnist` reads MNIST: the file, and who chose it (MNIST_PATH or cache)."""

    path: Path
    origin: str

    @property
    def given(self) -> bool:
        """True when MNIST_PATH names the file (no download is tried then)."""
        return self.origin == PATH_ENV


def mnist_location(path: str | os.PathLike[str] | None = None) -> Location:
    """The one rule for where MNIST is: ``path``, else ``MNIST_PATH``, else the Keras cache."""
    chosen = path if path is not None else os.environ.get(PATH_ENV, "").strip() or None
    if chosen is not None:
        return Location(Path(chosen).expanduser(), PATH_ENV)
    return Location(cache_path(), "Keras cache")


def download_url() -> str:
    """The official URL, or ``$MNIST_MIRROR/mnist.npz`` when a mirror is set."""
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if not mirror:
        return OFFICIAL_URL
    if mirror.endswith(".npz"):
        return mirror
    return mirror.rstrip("/") + "/" + FILE_NAME


def load_mnist(path: str | os.PathLike[str] | None = None, *, verbose: bool = True) -> Arrays:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, uint8 arrays.

    ``path`` overrides ``MNIST_PATH``. Raises :class:`TutorialError` with a bilingual message on
    every failure (missing or broken file, no network, wrong checksum, unwritable cache).
    """
    location = mnist_location(path)
    if location.given:
        source = location.path
        if not source.is_file():
            raise TutorialError(
                f"找不到 MNIST 文件 {source}（由 {PATH_ENV} 指定）。请检查路径。",
                f"the MNIST file {source} (given by {PATH_ENV}) does not exist. Check the path.",
            )
        return read_npz(source)

    cached = location.path
    if cached.is_file():
        try:
            return read_npz(cached)
        except TutorialError:
            if verbose:
                print(f"缓存的 {cached} 已损坏，重新下载。", file=sys.stderr)
    download(download_url(), cached, OFFICIAL_SHA256, verbose=verbose)
    return read_npz(cached)


def read_npz(path: Path) -> Arrays:
    """Read and check a file in Keras's ``mnist.npz`` layout."""

    def broken(why_zh: str, why_en: str) -> TutorialError:
        return TutorialError(
            f"{path} 不是有效的 MNIST 文件：{why_zh}。{_HOW_TO_FIX_ZH}",
            f"{path} is not a valid MNIST file: {why_en}. {_HOW_TO_FIX_EN}",
        )

    arrays: dict[str, np.ndarray] = {}
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):  # a bare .npy array
            raise broken("它不是 .npz 压缩包", "it is not an .npz archive")
        with loaded as npz:
            missing = [key for key in _EXPECTED if key not in npz.files]
            if missing:
                raise broken(f"缺少数组 {missing}", f"arrays {missing} are missing")
            for key in _EXPECTED:
                arrays[key] = npz[key]
    except TutorialError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise broken(
            f"无法读取（文件不完整或已损坏：{exc.__class__.__name__}）",
            f"it cannot be read (truncated or corrupt: {exc.__class__.__name__})",
        ) from None

    for key, shape in _EXPECTED.items():
        array = arrays[key]
        if array.shape != shape:
            raise broken(
                f"{key} 的形状是 {array.shape}，应为 {shape}",
                f"{key} has shape {array.shape}, expected {shape}",
            )
        if array.dtype != np.uint8:
            raise broken(
                f"{key} 的类型是 {array.dtype}，应为 uint8",
                f"{key} has dtype {array.dtype}, expected uint8",
            )
    for key in ("y_train", "y_test"):
        if arrays[key].max() > 9:
            raise broken(f"{key} 中有 0–9 以外的标签", f"{key} has labels outside 0-9")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def download(
    url: str, dest: Path, sha256: str, *, verbose: bool = True, timeout: float = 30.0
) -> Path:
    """Download ``url`` to ``dest``, keeping it only if its sha256 equals ``sha256``.

    The data go to a temporary file beside ``dest`` (:func:`files.atomic_path`) that replaces
    ``dest`` only when complete and verified, so a failed or tampered download leaves no file.
    """
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TutorialError(
            f"无法写入缓存目录 {dest.parent}（{exc.strerror}）。请设置 KERAS_HOME 为可写目录，"
            f"或用 {PATH_ENV} 指向已下载的 mnist.npz。",
            f"cannot write to the cache folder {dest.parent} ({exc.strerror}). Set KERAS_HOME "
            f"to a writable folder, or point {PATH_ENV} at a downloaded mnist.npz.",
        ) from None
    with atomic_path(dest) as tmp:
        with tmp.open("wb") as out:
            digest = _fetch(url, out, verbose=verbose, timeout=timeout)
        if digest != sha256:
            raise TutorialError(
                f"从 {url} 下载的文件校验失败（sha256 为 {digest}，应为 {sha256}），"
                f"文件不完整或被篡改，已删除。{_HOW_TO_FIX_ZH}",
                f"the file downloaded from {url} failed its check (sha256 {digest}, expected "
                f"{sha256}): it is incomplete or tampered with, and was deleted. {_HOW_TO_FIX_EN}",
            )
    return dest


def _fetch(url: str, out, *, verbose: bool, timeout: float) -> str:
    """Stream ``url`` into ``out`` and return the sha256 of what was received."""
    digest = hashlib.sha256()
    if verbose:
        print(f"下载 MNIST：{url}", file=sys.stderr)
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "keras-tutorial"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0)
            received, last_shown = 0, 0.0
            while chunk := response.read(1 << 16):
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                now = time.monotonic()
                if verbose and now - last_shown > 0.2:
                    _progress(received, total)
                    last_shown = now
            if total and received < total:
                raise TutorialError(
                    f"下载中断：只收到 {received} / {total} 字节。请重试。{_HOW_TO_FIX_ZH}",
                    f"the download broke off after {received} of {total} bytes. Try again. "
                    f"{_HOW_TO_FIX_EN}",
                )
            if verbose:
                _progress(received, total)
                print(file=sys.stderr)
    except TutorialError:
        raise
    except urllib.error.HTTPError as exc:
        raise TutorialError(
            f"服务器拒绝了下载 {url}（HTTP {exc.code} {exc.reason}）。请检查 {MIRROR_ENV} 的地址。"
            f"{_HOW_TO_FIX_ZH}",
            f"the server refused {url} (HTTP {exc.code} {exc.reason}). Check the address in "
            f"{MIRROR_ENV}. {_HOW_TO_FIX_EN}",
        ) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise TutorialError(
            f"无法下载 {url}（{reason}）。可能没有网络或被墙。{_HOW_TO_FIX_ZH}",
            f"cannot download {url} ({reason}). You may be offline or the host may be "
            f"blocked. {_HOW_TO_FIX_EN}",
        ) from None
    return digest.hexdigest()


def _progress(received: int, total: int) -> None:
    mb = received / 1e6
    if total:
        done = received / total
        bar = "█" * int(30 * done) + "·" * (30 - int(30 * done))
        text = f"\r  {bar} {done:6.1%}  {mb:5.1f} / {total / 1e6:.1f} MB"
    else:
        text = f"\r  {mb:5.1f} MB"
    print(text, end="", file=sys.stderr, flush=True)
