"""Kept-alive connections answer at once.

``myomap serve`` binds its own listening socket (to report a busy port clearly) and hands it to
uvicorn. asyncio turns Nagle's algorithm off (TCP_NODELAY) on each accepted connection only when
the listening socket says it is TCP (``proto == IPPROTO_TCP``). A socket made with
``socket(family, SOCK_STREAM)`` has proto 0, so Nagle stayed on: the response body, written after
the headers, waited for the client's delayed ACK (about 40 ms on Linux) on every reused connection.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from myomap.cli.db_cmds import _listen_socket
from myomap.web.security import Receive, Scope, Send

REQUESTS = 20
DELAYED_ACK_S = 0.040  # Linux's shortest delayed acknowledgement (TCP_DELACK_MIN)


def test_connections_accepted_on_the_serve_socket_have_nagle_off() -> None:
    async def accept_one() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=_listen_socket("127.0.0.1", 0))
        port = server.sockets[0].getsockname()[1]
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                return await asyncio.wait_for(seen, 5)
            finally:
                writer.close()

    assert asyncio.run(accept_one()) != 0


async def _two_write_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Headers and body in two messages, as every Starlette response sends them."""
    if scope["type"] != "http":
        return
    body = b'{"items": []}'
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def served_port() -> Iterator[int]:
    """uvicorn serving on the socket ``myomap serve`` makes, in a thread."""
    sock = _listen_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(_two_write_app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_requests_on_a_kept_alive_connection_do_not_wait_for_delayed_acks(served_port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served_port, timeout=5)
    conn.request("GET", "/")
    conn.getresponse().read()  # the first exchange is quick either way (TCP quick-ack mode)
    started = time.perf_counter()
    for _ in range(REQUESTS):
        conn.request("GET", "/")
        response = conn.getresponse()
        assert response.read() == b'{"items": []}'
    elapsed = time.perf_counter() - started
    conn.close()
    # With Nagle on, each response stalls for at least one delayed ACK, so the loop cannot finish
    # under REQUESTS x 40 ms; without it, it takes a few milliseconds.
    assert elapsed < REQUESTS * DELAYED_ACK_S, f"{REQUESTS} kept-alive requests took {elapsed * 1000:.0f} ms"
