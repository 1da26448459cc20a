"""deploy/nginx_conf.py: the rendered nginx configuration, read back as directives, and nginx -t on it."""

from __future__ import annotations

import doctest
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deploy.nginx_conf
from deploy.nginx_conf import NginxConf, fill, render
from tests.nginx_stack import need_nginx

RUN = Path("/tmp/lbl-nginx-test")
_TOKEN = re.compile(r"""#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{};]|[^\s{};"'#]+""")


def directives(text: str) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """Every directive of an nginx file as (enclosing blocks, name, arguments), comments dropped."""
    found, block, words = [], [], []
    for token in _TOKEN.findall(text):
        if token.startswith("#"):
            continue
        if token == "{":
            found.append((tuple(block), words[0], tuple(words[1:])))
            block.append(" ".join(words))
            words = []
        elif token == "}":
            block.pop()
        elif token == ";":
            found.append((tuple(block), words[0], tuple(words[1:])))
            words = []
        else:
            words.append(token.strip("\"'") if token[0] in "\"'" else token)
    assert not block and not words, "unbalanced braces or a directive without ';'"
    return found


def named(text: str, name: str, inside: str = "") -> list[tuple[str, ...]]:
    """The arguments of every ``name`` directive whose enclosing blocks include ``inside``."""
    return [a for b, n, a in directives(text) if n == name and (not inside or inside in b)]


def conf(**changes) -> NginxConf:
    return NginxConf(**{"upstreams": (8501, 8502), "run_dir": RUN, **changes})


def test_every_server_is_in_the_pool_with_passive_health_checks():
    text = render(conf(upstreams=(8501, "10.0.0.7:8600", "[::1]:9000")))
    assert named(text, "server", "upstream streamlit") == [
        ("127.0.0.1:8501", "max_fails=2", "fail_timeout=10s"),
        ("10.0.0.7:8600", "max_fails=2", "fail_timeout=10s"),
        ("[::1]:9000", "max_fails=2", "fail_timeout=10s"),
    ]
    assert named(text, "hash", "upstream streamlit") == [("$lbl_route", "consistent")]
    assert named(text, "proxy_next_upstream", "server") == [("error", "timeout"), ("off",)]


def map_entries(text: str, header: str) -> dict[str, str]:
    """The entries of the ``map`` block that starts with ``header``: key -> value."""
    return {n: a[0] for b, n, a in directives(text) if b and b[-1] == header}


def test_uploads_reach_the_same_servers_without_counting_refusals_as_failures():
    text = render(conf())
    assert named(text, "server", "upstream streamlit_uploads") == [
        ("127.0.0.1:8501", "max_fails=0"),
        ("127.0.0.1:8502", "max_fails=0"),
    ]
    assert named(text, "hash", "upstream streamlit_uploads") == [("$lbl_route", "consistent")]
    upload = "location /_stcore/upload_file/"
    assert named(text, "proxy_pass", upload) == [("http://streamlit_uploads",)]
    assert named(text, "limit_except", upload) == [("PUT", "DELETE")]
    assert named(text, "proxy_next_upstream", upload) == [("off",)]


def test_only_the_methods_and_bodies_streamlit_reads_are_passed_on():
    text = render(conf())
    for where in ("location /", "location = /_stcore/stream", "location = /_stcore/health"):
        assert named(text, "limit_except", where) == [("GET",)], where
    assert named(text, "deny", "limit_except GET") == [("all",)] * 3
    body = map_entries(
        text, "map $request_method:$http_content_length:$http_transfer_encoding $unexpected_body"
    )
    assert body == {"~^(GET|HEAD):0?:$": "0", "~^(GET|HEAD):": "1", "default": "0"}
    assert named(text, "return", "if ($unexpected_body)") == [("400",)]


def test_the_route_cookie_is_set_by_nginx_when_missing_or_malformed():
    text = render(conf())
    route = map_entries(text, "map $cookie_lbl_route $lbl_route")
    assert route == {"~^[0-9a-f]{32}$": "$cookie_lbl_route", "default": "$request_id"}
    cookie = map_entries(text, "map $cookie_lbl_route $lbl_route_cookie")
    assert cookie["~^[0-9a-f]{32}$"] == ""  # a valid cookie: no Set-Cookie
    assert (
        cookie["default"].startswith("lbl_route=$request_id;") and "HttpOnly" in cookie["default"]
    )
    assert ("Set-Cookie", "$lbl_route_cookie", "always") in named(text, "add_header", "server")


def test_websockets_are_upgraded_and_kept_open_an_hour():
    text = render(conf())
    assert map_entries(text, "map $http_upgrade $connection_upgrade") == {
        "default": "upgrade",
        "": "close",
    }
    assert named(text, "proxy_http_version") == [("1.1",)]
    headers = dict(named(text, "proxy_set_header"))
    assert headers["Upgrade"] == "$http_upgrade" and headers["Connection"] == "$connection_upgrade"
    assert headers["Host"] == "$http_host"  # with the port: Streamlit compares it to Origin
    stream = "location = /_stcore/stream"
    assert named(text, "proxy_read_timeout", stream) == [("1h",)]
    assert named(text, "proxy_send_timeout", stream) == [("1h",)]
    assert named(text, "proxy_pass", "location = /_stcore/health") == [("http://streamlit",)]


def test_limits_reject_big_or_malformed_requests_in_nginx():
    text = render(conf(max_body_mb=25))
    assert named(text, "client_max_body_size") == [("25m",)]
    assert named(text, "client_header_buffer_size") == [("1k",)]
    assert named(text, "large_client_header_buffers") == [("4", "8k")]
    assert named(text, "server_tokens") == [("off",)]


def test_the_upstream_header_can_be_left_out():
    assert ("X-Upstream", "$upstream_addr", "always") in named(render(conf()), "add_header")
    hidden = render(conf(upstream_header=False))
    assert all(a[0] != "X-Upstream" for a in named(hidden, "add_header"))


def test_listen_address_defaults_to_loopback():
    assert named(render(conf()), "listen") == [("127.0.0.1:8080",)]
    assert named(render(conf(listen_host="0.0.0.0", listen_port=80)), "listen") == [("0.0.0.0:80",)]
    assert named(render(conf(listen_host="::1", listen_port=81)), "listen") == [("[::1]:81",)]


def test_every_file_nginx_writes_is_in_the_run_folder():
    text = render(conf(run_dir=Path("/srv/lbl/run/")))
    paths = [a[0] for b, n, a in directives(text) if n in {"pid", "lock_file", "error_log"}]
    paths += [a[0] for a in named(text, "access_log")]
    paths += [a[0] for b, n, a in directives(text) if n.endswith("_temp_path")]
    assert len(paths) == 9 and all(p.startswith("/srv/lbl/run/") for p in paths), paths
    assert named(text, "daemon") == [("off",)]


def test_workers_run_as_nobody_only_when_the_master_is_root():
    assert named(render(conf(as_root=True)), "user") == [("nobody", "nogroup")]
    assert named(render(conf(as_root=False)), "user") == []
    assert named(render(conf(workers=3)), "worker_processes") == [("3",)]
    assert named(render(conf()), "worker_processes") == [("auto",)]


BAD = [
    {"upstreams": ()},
    {"upstreams": (8501, 8501)},
    {"upstreams": (8501, "127.0.0.1:8501")},
    {"upstreams": (0,)},
    {"upstreams": (70000,)},
    {"upstreams": (True,)},
    {"upstreams": ("8501",)},
    {"upstreams": ("host:port",)},
    {"upstreams": ("evil;include /etc/passwd:80",)},
    {"upstreams": ("a b:80",)},
    {"upstreams": tuple(range(1000, 1065))},
    {"listen_host": "localhost"},
    {"listen_host": "127.0.0.1; include x"},
    {"listen_port": 0},
    {"run_dir": Path("relative/run")},
    {"run_dir": Path("/tmp/with space")},
    {"run_dir": Path("/tmp/semi;colon")},
    {"run_dir": Path("/tmp/$var")},
    {"run_dir": Path("/tmp/../etc")},
    {"max_body_mb": 0},
    {"max_body_mb": 2.5},
    {"workers": -1},
    {"fail_timeout_s": 0},
]


@pytest.mark.parametrize("changes", BAD, ids=lambda c: repr(c)[:40])
def test_bad_values_are_refused_with_a_reason(changes):
    with pytest.raises(ValueError, match=r"\w+ \w+"):
        render(conf(**changes))


SHAPE = [(b, n) for b, n, _ in directives(render(conf(upstreams=(8501, "h:1"))))]


@settings(max_examples=300, deadline=None)
@given(host=st.text(max_size=40), folder=st.text(max_size=40))
def test_no_value_can_add_a_directive(host: str, folder: str):
    """Whatever a host or folder holds, it is refused or it changes no directive's place."""
    try:
        text = render(conf(upstreams=(8501, f"{host}:1"), run_dir=Path("/tmp") / folder))
    except ValueError:
        return
    assert [(b, n) for b, n, _ in directives(text)] == SHAPE


def test_a_template_field_missing_or_unused_is_an_error():
    with pytest.raises(ValueError, match="do not match"):
        fill("listen {{listen}};", {"listen": "1", "other": "2"})
    with pytest.raises(ValueError, match="do not match"):
        fill("listen {{listen}}; {{more}}", {"listen": "1"})


def test_the_docstring_examples_hold():
    result = doctest.testmod(deploy.nginx_conf)
    assert result.attempted >= 2 and result.failed == 0


@pytest.mark.parametrize("as_root", [False, True])
def test_nginx_accepts_the_rendered_file(tmp_path: Path, as_root: bool):
    """``nginx -t`` (which needs no worker to start): with and without the ``user`` line."""
    nginx = need_nginx()
    (tmp_path / "tmp").mkdir()
    path = tmp_path / "nginx.conf"
    text = render(conf(run_dir=tmp_path, as_root=as_root, upstreams=(8501, "localhost:8502")))
    path.write_text(text)
    done = subprocess.run(
        [nginx, "-t", "-c", str(path), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
