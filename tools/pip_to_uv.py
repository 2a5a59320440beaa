"""pip's settings, passed on to uv: make installs with uv, and a learner's pip mirror still applies.

Prints ``export NAME=value`` lines (for the shell's ``eval``) that give uv the settings pip itself
would use for ``pip install``: pip.conf files and ``PIP_*`` variables, read by pip's own option
parser, so that the precedence is pip's. Where a setting has no uv equivalent, it prints the reason
on stderr and exits with status 1, and make installs with pip instead. Settings made for uv
(``UV_DEFAULT_INDEX`` and the like) win over pip's. pip's constraint files are not passed on: make
installs exact pins without their dependencies, which a constraint can refuse but never change
(and uv's hash-checking mode would take them for unpinned requirements). Run it with the virtual
environment's Python: it needs that environment's pip and nothing else::

    eval "$(.venv/bin/python tools/pip_to_uv.py)"
"""

from __future__ import annotations

import math
import os
import shlex
import sys
from collections.abc import Mapping

PYPI = "https://pypi.org/simple"
PIP_TIMEOUT, PIP_RETRIES = 15.0, 5
# uv's own index settings: with any of them set, pip's index settings are not passed on.
UV_INDEX_VARIABLES = ("UV_DEFAULT_INDEX", "UV_INDEX", "UV_INDEX_URL", "UV_EXTRA_INDEX_URL")


class CannotPassOn(Exception):
    """A pip setting that uv cannot be given."""


def pip_install_options():
    """The options `pip install` would run with here: its configuration files and environment."""
    from pip._internal.commands import create_command

    options, _ = create_command("install").parse_args([])
    return options


def uv_environment(options, environ: Mapping[str, str]) -> dict[str, str]:
    """uv's variables for pip's OPTIONS (optparse values); those set in ENVIRON are kept."""
    found: dict[str, str] = {}
    if options.no_index:
        raise CannotPassOn("no-index")
    if options.format_control.no_binary or options.format_control.only_binary:
        raise CannotPassOn("no-binary / only-binary")
    if options.keyring_provider not in ("auto", "disabled", "subprocess"):
        raise CannotPassOn(f"keyring-provider {options.keyring_provider}")
    if not any(environ.get(name) for name in UV_INDEX_VARIABLES):
        if options.index_url and options.index_url.rstrip("/") != PYPI:
            found["UV_DEFAULT_INDEX"] = options.index_url
        if options.extra_index_urls:
            found["UV_INDEX"] = " ".join(options.extra_index_urls)
            # pip takes the best file from all its indexes; the locks' hashes decide what is
            # accepted. uv's default would ask only the first index that knows a package.
            found["UV_INDEX_STRATEGY"] = "unsafe-best-match"
        if options.find_links:
            found["UV_FIND_LINKS"] = ",".join(options.find_links)
    if options.trusted_hosts:
        found["UV_INSECURE_HOST"] = " ".join(options.trusted_hosts)
    if options.keyring_provider == "subprocess":
        found["UV_KEYRING_PROVIDER"] = "subprocess"
    if options.cert:
        found["SSL_CERT_FILE"] = options.cert
    if options.client_cert:
        found["SSL_CLIENT_CERT"] = options.client_cert
    if options.proxy:
        found["HTTP_PROXY"] = found["HTTPS_PROXY"] = options.proxy
    if options.timeout != PIP_TIMEOUT:
        found["UV_HTTP_TIMEOUT"] = str(math.ceil(options.timeout))
    if options.retries != PIP_RETRIES:
        found["UV_HTTP_RETRIES"] = str(options.retries)
    return {name: value for name, value in found.items() if name not in environ}


def main() -> int:
    try:
        settings = uv_environment(pip_install_options(), os.environ)
    except CannotPassOn as reason:
        print(f"pip 的设置 {reason} 无法交给 uv，改用 pip 安装。", file=sys.stderr)
        print(f"pip's setting {reason} has no uv equivalent: installing with pip.", file=sys.stderr)
        return 1
    except Exception as error:  # pip's internals moved, a broken pip.conf: pip installs then
        print(f"读不出 pip 的设置（{error!r}），改用 pip 安装。", file=sys.stderr)
        print(f"Cannot read pip's settings ({error!r}): installing with pip.", file=sys.stderr)
        return 1
    for name, value in settings.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
