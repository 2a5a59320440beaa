"""The MNIST loader against a real HTTP server on 127.0.0.1 and broken local files."""

from __future__ import annotations

import hashlib
import http.server
import io
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from keras_tutorial import data
from keras_tutorial.errors import TutorialError


def mnist_arrays(**overrides: np.ndarray | None) -> dict[str, np.ndarray]:
    """Arrays in Keras's mnist.npz layout (zeros and labels 0-9), with some replaced or left out."""
    arrays: dict[str, np.ndarray | None] = {
        "x_train": np.zeros((60000, 28, 28), np.uint8),
        "y_train": np.arange(60000, dtype=np.uint8) % 10,
        "x_test": np.zeros((10000, 28, 28), np.uint8),
        "y_test": np.arange(10000, dtype=np.uint8) % 10,
    }
    arrays.update(overrides)
    return {k: v for k, v in arrays.items() if v is not None}


def make_npz(**overrides: np.ndarray | None) -> bytes:
    """The arrays as a compressed npz, as the real file is (zeros compress to a few KB)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **mnist_arrays(**overrides))
    return buffer.getvalue()


GOOD = make_npz()
GOOD_SHA256 = hashlib.sha256(GOOD).hexdigest()
TAMPERED = make_npz(y_test=(np.arange(10000, dtype=np.uint8) + 1) % 10)


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves /good, /tampered, /truncated, /short and /garbage copies of mnist.npz."""

    def do_GET(self) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        kind = self.path.strip("/").split("/")[0]
        body = {
            "good": GOOD,
            "tampered": TAMPERED,
            "truncated": GOOD,
            "short": GOOD,
            "garbage": b"<html>",
        }.get(kind)
        if body is None or not self.path.endswith("/mnist.npz"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if kind in ("truncated", "short"):
            # Announce the whole file, send half of it (or all but its last byte), hang up: what
            # a dropped connection looks like.
            self.wfile.write(body[: len(body) // 2] if kind == "truncated" else body[:-1])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Server:
    """A running test server: its base URL (what ``str()`` gives) and the paths it was asked for."""

    url: str
    requests: list[str]

    def __str__(self) -> str:
        return self.url


@pytest.fixture(scope="module")
def running_server() -> Iterator[Server]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", httpd.requests)  # type: ignore[attr-defined]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def server(running_server: Server) -> Server:
    """The module's server, with its request log emptied for this test."""
    running_server.requests.clear()
    return running_server


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Keras home; MNIST_PATH and MNIST_MIRROR unset."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("MNIST_PATH", raising=False)
    monkeypatch.delenv("MNIST_MIRROR", raising=False)
    return tmp_path / "keras" / "datasets" / "mnist.npz"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_from_mirror_is_verified_and_cached(server, cache, monkeypatch, capsys):
    monkeypatch.setattr(data, "OFFICIAL_SHA256", GOOD_SHA256)
    monkeypatch.setenv("MNIST_MIRROR", f"{server}/good/")
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train[:3].tolist() == [0, 1, 2]
    assert cache.read_bytes() == GOOD
    assert leftovers(cache.parent) == ["mnist.npz"]
    assert "100.0%" in capsys.readouterr().err  # the progress bar reached the end
    assert server.requests == ["/good/mnist.npz"]  # one download, from the mirror's file
    # A second call reads the cache: the server sees no request (the garbage mirror would fail).
    monkeypatch.setenv("MNIST_MIRROR", f"{server}/garbage/")
    (_, again), _ = data.load_mnist()
    assert again.tolist() == y_train.tolist()
    assert server.requests == ["/good/mnist.npz"]


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [("tampered", "sha256"), ("truncated", "字节"), ("short", "字节"), ("garbage", "sha256")],
)
def test_bad_download_is_deleted_and_explained(server, cache, monkeypatch, kind, fragment):
    monkeypatch.setattr(data, "OFFICIAL_SHA256", GOOD_SHA256)
    monkeypatch.setenv("MNIST_MIRROR", f"{server}/{kind}")
    with pytest.raises(TutorialError) as info:
        data.load_mnist()
    assert fragment in info.value.zh
    if kind == "short":  # one byte missing is a broken-off download, not a checksum mismatch
        assert f"{len(GOOD) - 1} / {len(GOOD)}" in info.value.zh
    assert server.requests == [f"/{kind}/mnist.npz"]
    assert "MNIST_PATH" in info.value.zh and "MNIST_PATH" in info.value.en
    assert leftovers(cache.parent) == []  # nothing half-written, nothing cached


def test_official_hash_rejects_a_repacked_copy(server, cache, monkeypatch):
    monkeypatch.setenv("MNIST_MIRROR", f"{server}/good/mnist.npz")
    with pytest.raises(TutorialError) as info:
        data.load_mnist()
    assert data.OFFICIAL_SHA256 in info.value.en
    assert leftovers(cache.parent) == []
    assert server.requests == ["/good/mnist.npz"]


def test_missing_file_on_mirror(server, cache, monkeypatch):
    monkeypatch.setenv("MNIST_MIRROR", f"{server}/nothing-here")
    with pytest.raises(TutorialError) as info:
        data.load_mnist()
    assert "404" in info.value.en
    assert server.requests == ["/nothing-here/mnist.npz"]


def test_offline(cache, monkeypatch):
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("MNIST_MIRROR", f"http://127.0.0.1:{port}")
    with pytest.raises(TutorialError) as info:
        data.load_mnist()
    assert "offline" in info.value.en and "没有网络" in info.value.zh
    assert leftovers(cache.parent) == []


def test_unwritable_cache(tmp_path, monkeypatch, server):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KERAS_HOME", str(blocker / "keras"))
    monkeypatch.delenv("MNIST_PATH", raising=False)
    monkeypatch.setenv("MNIST_MIRROR", f"{server}/good")
    with pytest.raises(TutorialError) as info:
        data.load_mnist()
    assert "KERAS_HOME" in info.value.en and "缓存目录" in info.value.zh
    assert server.requests == []  # the cache is checked before anything is downloaded


def test_broken_cache_is_downloaded_again(server, cache, monkeypatch, capsys):
    monkeypatch.setattr(data, "OFFICIAL_SHA256", GOOD_SHA256)
    monkeypatch.setenv("MNIST_MIRROR", f"{server}/good")
    cache.parent.mkdir(parents=True)
    cache.write_bytes(GOOD[:1000])
    data.load_mnist()
    assert cache.read_bytes() == GOOD
    assert "broken" in capsys.readouterr().err
    assert server.requests == ["/good/mnist.npz"]


@pytest.mark.parametrize(
    ("mirror", "url"),
    [
        (None, data.OFFICIAL_URL),
        ("", data.OFFICIAL_URL),
        ("  ", data.OFFICIAL_URL),
        ("https://mirror.example/mnist", "https://mirror.example/mnist/mnist.npz"),
        ("https://mirror.example/mnist/", "https://mirror.example/mnist/mnist.npz"),
        ("https://mirror.example/copy.npz", "https://mirror.example/copy.npz"),
    ],
)
def test_download_url(monkeypatch, mirror, url):
    if mirror is None:
        monkeypatch.delenv("MNIST_MIRROR", raising=False)
    else:
        monkeypatch.setenv("MNIST_MIRROR", mirror)
    assert data.download_url() == url


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "cannot be read"),
        (b"garbage, not a zip file" * 10, "cannot be read"),
        (GOOD[: len(GOOD) // 2], "cannot be read"),
        ({"y_test": None}, "missing"),
        ({"x_train": np.zeros((600, 28, 28), np.uint8)}, "shape"),
        ({"x_test": np.zeros((10000, 28, 28), np.float32)}, "dtype"),
        ({"y_train": np.full(60000, 12, np.uint8)}, "labels outside"),
    ],
    ids=["empty", "garbage", "truncated", "missing-array", "wrong-shape", "wrong-dtype", "labels"],
)
def test_bad_local_file(tmp_path, monkeypatch, content, fragment):
    # Bytes as they are, or arrays to replace in a compressed copy (built here, not at import).
    path = tmp_path / "mnist.npz"
    path.write_bytes(content if isinstance(content, bytes) else make_npz(**content))
    monkeypatch.setenv("MNIST_PATH", str(path))
    with pytest.raises(TutorialError) as info:
        data.load_mnist()
    assert fragment in info.value.en
    assert str(path) in info.value.zh


def write_npz(tmp_path: Path, **overrides: np.ndarray | None) -> Path:
    """The arrays in an uncompressed npz: the loader reads both kinds, and this one is quicker."""
    path = tmp_path / "mnist.npz"
    np.savez(path, **mnist_arrays(**overrides))
    return path


def labels(count: int, last: int) -> np.ndarray:
    """Labels 0, 1, ..., 9, 0, 1, ... of which the last one is ``last``."""
    values = np.arange(count, dtype=np.uint8) % 10
    values[-1] = last
    return values


@pytest.mark.parametrize("key", ["y_train", "y_test"])
@pytest.mark.parametrize("last", [10, 11, 255])
def test_labels_just_outside_0_to_9_are_refused(tmp_path, key, last):
    count = 60000 if key == "y_train" else 10000
    path = write_npz(tmp_path, **{key: labels(count, last)})
    with pytest.raises(TutorialError) as info:
        data.load_mnist(path)
    assert f"{key} has labels outside 0-9" in info.value.en


@pytest.mark.parametrize("key", ["y_train", "y_test"])
@pytest.mark.parametrize("value", [0, 9])
def test_labels_at_both_ends_of_0_to_9_are_accepted(tmp_path, key, value):
    count = 60000 if key == "y_train" else 10000
    path = write_npz(tmp_path, **{key: np.full(count, value, np.uint8)})
    (_, y_train), (_, y_test) = data.load_mnist(path)
    loaded = y_train if key == "y_train" else y_test
    assert loaded.min() == loaded.max() == value


def shape_cases() -> list[tuple[str, tuple[int, ...]]]:
    """Every array with one axis one too short, one too long, and with one axis too many or few."""
    expected = {
        "x_train": (60000, 28, 28),
        "y_train": (60000,),
        "x_test": (10000, 28, 28),
        "y_test": (10000,),
    }
    cases = []
    for key, shape in expected.items():
        for axis in range(len(shape)):
            for step in (-1, 1):
                wrong = list(shape)
                wrong[axis] += step
                cases.append((key, tuple(wrong)))
        cases.append((key, (*shape, 1)))
        cases.append((key, (shape[0], int(np.prod(shape[1:]))) if len(shape) > 1 else ()))
    return cases


@pytest.mark.parametrize(("key", "shape"), shape_cases(), ids=lambda v: str(v))
def test_every_axis_of_every_array_is_checked(tmp_path, key, shape):
    path = write_npz(tmp_path, **{key: np.zeros(shape, np.uint8)})
    with pytest.raises(TutorialError) as info:
        data.load_mnist(path)
    assert f"{key} has shape {shape}" in info.value.en


def test_npy_instead_of_npz(tmp_path):
    path = tmp_path / "mnist.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(TutorialError, match="npz"):
        data.load_mnist(path)


def test_missing_local_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "nope.npz"))
    with pytest.raises(TutorialError) as info:
        data.load_mnist()
    assert "MNIST_PATH" in info.value.en


def test_local_repacked_file_is_accepted_by_content(tmp_path):
    path = tmp_path / "copy.npz"
    path.write_bytes(TAMPERED)  # another hash than the official file, yet valid MNIST layout
    (_, _), (_, y_test) = data.load_mnist(path)
    assert y_test[0] == 1


def test_real_mnist(mnist_path):
    (x_train, y_train), (x_test, y_test) = data.load_mnist(mnist_path)
    assert np.bincount(y_train).tolist() == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]
    assert x_train.mean() == pytest.approx(33.318421449829934)


def test_one_rule_says_where_mnist_is(tmp_path, monkeypatch):
    from keras_tutorial import doctor

    monkeypatch.delenv("MNIST_PATH", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    cache = data.mnist_location()
    assert (cache.path, cache.given) == (tmp_path / "kh" / "datasets" / "mnist.npz", False)
    assert str(cache.path) in doctor.mnist_status().detail
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data.keras_home() == tmp_path / ".keras"
    monkeypatch.setenv("MNIST_PATH", " ~/m.npz ")
    given = data.mnist_location()
    assert (given.path, given.given) == (tmp_path / "m.npz", True)
    assert str(given.path) in doctor.mnist_status().detail
    assert data.mnist_location(tmp_path / "x.npz").path == tmp_path / "x.npz"


def test_arrays_come_back_as_the_file_holds_them(tmp_path):
    # Chapter 2 prints the dtype (uint8) and the values; the loader converts nothing.
    x = np.resize(np.arange(256, dtype=np.uint8), (60000, 28, 28))
    path = write_npz(tmp_path, x_train=x)
    (x_train, y_train), (x_test, y_test) = data.load_mnist(path)
    assert [a.dtype for a in (x_train, y_train, x_test, y_test)] == [np.uint8] * 4
    assert np.array_equal(x_train, x)
    assert np.array_equal(y_test, np.arange(10000, dtype=np.uint8) % 10)
