"""The nginx configuration for several Streamlit servers: ``nginx.conf.template`` filled in, inputs checked.

Pure: no files are written and no process is started (``deploy/stack.py`` does that). Every value
that reaches the file is validated first, so nothing a caller passes can add an nginx directive::

    text = render(NginxConf(upstreams=(8501, 8502), run_dir=Path("/tmp/lbl-nginx")))
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
STREAMLIT_UPLOAD_MB = 200  # Streamlit's default server.maxUploadSize
MAX_UPSTREAMS = 64
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9_./+@-]*$")  # no spaces, quotes, ';', '{', '$' or '#'
_FIELD = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class NginxConf:
    """What varies between deployments.

    Attributes:
        upstreams: the Streamlit servers: a port (on 127.0.0.1) or ``"host:port"`` each.
        run_dir: absolute folder for the pid, lock, logs and temporary files.
        listen_host: the address nginx listens on (an IP address; 127.0.0.1 by default).
        listen_port: its port.
        max_body_mb: the largest request body, in MB: Streamlit's ``server.maxUploadSize``.
        workers: nginx worker processes, or 0 for ``auto`` (one per core).
        as_root: nginx's master runs as root: its workers then run as ``nobody:nogroup``.
        upstream_header: add ``X-Upstream`` (the server that answered) to every response.
        fail_timeout_s: how long a server that failed is left out before nginx tries it again.
    """

    upstreams: Sequence[int | str]
    run_dir: Path
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    max_body_mb: int = STREAMLIT_UPLOAD_MB
    workers: int = 0
    as_root: bool = False
    upstream_header: bool = True
    fail_timeout_s: int = 10


def _port(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValueError(f"{what} must be a port number from 1 to 65535, not {value!r}")
    return value


def _host(text: str, what: str) -> str:
    """An IP address (IPv6 in brackets, as nginx writes it) or a host name."""
    try:
        address = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        if _HOSTNAME.match(text) and not text.replace(".", "").isdigit():
            return text
        raise ValueError(f"{what} must be an IP address or a host name, not {text!r}") from None
    return f"[{address}]" if address.version == 6 else str(address)


def upstream_address(value: int | str) -> str:
    """``"host:port"`` of one server: a bare port means 127.0.0.1.

    >>> upstream_address(8501), upstream_address("10.0.0.7:8501"), upstream_address("[::1]:9000")
    ('127.0.0.1:8501', '10.0.0.7:8501', '[::1]:9000')
    """
    if isinstance(value, int):
        return f"127.0.0.1:{_port(value, 'an upstream port')}"
    if not isinstance(value, str) or ":" not in value:
        raise ValueError(f"an upstream is a port or 'host:port', not {value!r}")
    host, _, port = value.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"an upstream is a port or 'host:port', not {value!r}")
    return f"{_host(host, 'an upstream host')}:{_port(int(port), 'an upstream port')}"


def _listen_host(text: str) -> str:
    try:
        address = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        raise ValueError(f"nginx listens on an IP address, not {text!r}") from None
    return f"[{address}]" if address.version == 6 else str(address)


def _run_dir(path: Path) -> str:
    text = str(path)
    if not Path(text).is_absolute() or not _SAFE_PATH.match(text) or "/../" in f"{text}/":
        raise ValueError(
            f"the run folder must be an absolute path of letters, digits and ._+@-/ only: {text!r}"
        )
    return text.rstrip("/") or "/"


def _bounded(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{what} must be a whole number from {low} to {high}, not {value!r}")
    return value


def fields(conf: NginxConf) -> dict[str, str]:
    """The template's fields for ``conf``, each value checked (ValueError with the reason)."""
    addresses = [upstream_address(u) for u in conf.upstreams]
    if not 1 <= len(addresses) <= MAX_UPSTREAMS:
        raise ValueError(f"nginx needs 1 to {MAX_UPSTREAMS} upstream servers, not {len(addresses)}")
    if len(set(addresses)) != len(addresses):
        raise ValueError(f"an upstream server is listed twice: {', '.join(addresses)}")
    fail_s = _bounded(conf.fail_timeout_s, 1, 3600, "fail_timeout_s")
    pool = [f"        server {a} max_fails=2 fail_timeout={fail_s}s;" for a in addresses]
    uploads = [f"        server {a} max_fails=0;" for a in addresses]
    uploads = [
        "    upstream streamlit_uploads {",
        "        hash $lbl_route consistent;",
        *uploads,
        "    }",
    ]
    workers = _bounded(conf.workers, 0, 256, "workers")
    header = "add_header X-Upstream $upstream_addr always;"
    return {
        "user": "user nobody nogroup;  # the master runs as root" if conf.as_root else "",
        "workers": str(workers) if workers else "auto",
        "run_dir": _run_dir(conf.run_dir),
        "servers": "\n".join(pool),
        "upload_servers": "\n".join(uploads),
        "listen": f"{_listen_host(conf.listen_host)}:{_port(conf.listen_port, 'listen_port')}",
        "max_body_mb": str(_bounded(conf.max_body_mb, 1, 100_000, "max_body_mb")),
        "upstream_header": f"        {header if conf.upstream_header else '# ' + header}",
    }


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with every ``{{name}}`` replaced; a field missing or left unused is an error.

    >>> fill("listen {{listen}};", {"listen": "127.0.0.1:80"})
    'listen 127.0.0.1:80;'
    """
    names = set(_FIELD.findall(template))
    if names != set(values):
        raise ValueError(f"template fields {sorted(names)} do not match {sorted(values)}")
    return _FIELD.sub(lambda m: values[m.group(1)], template)


def render(conf: NginxConf, template: str | None = None) -> str:
    """The nginx configuration text for ``conf`` (``template``: the shipped one by default)."""
    text = TEMPLATE.read_text(encoding="utf-8") if template is None else template
    return fill(text, fields(conf))
