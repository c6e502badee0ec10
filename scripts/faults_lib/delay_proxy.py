#!/usr/bin/env python3
"""A TCP proxy that delays every chunk of data by DELAY ± JITTER milliseconds.

Run inside a node's network namespace, where an nftables `redirect` rule sends new
connections to the peer port here. The proxy learns the original destination from the
connection (SO_ORIGINAL_DST), dials it with its packets marked (SO_MARK) so that the rule lets
them through, and copies both directions, each chunk held back by its own random delay. Order
is kept (a chunk never overtakes the one before it), as TCP would deliver it.

Usage: delay_proxy.py PORT DELAY_MS JITTER_MS MARK
"""

import asyncio
import random
import socket
import struct
import sys

SO_ORIGINAL_DST = 80


def original_destination(sock):
    raw = sock.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
    port, packed = struct.unpack_from("!2xH4s", raw)
    return socket.inet_ntoa(packed), port


async def pump(reader, writer, delay_s, jitter_s):
    """Copies reader to writer, each chunk delivered at its own random delay, in order."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while (item := await queue.get()) is not None:
            due, data = item
            await asyncio.sleep(max(0.0, due - loop.time()))
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(deliver())
    last_due = 0.0
    try:
        while data := await reader.read(65536):
            last_due = max(last_due, loop.time() + delay_s + random.uniform(-jitter_s, jitter_s))
            queue.put_nowait((last_due, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait(None)
    try:
        await sender
    except (ConnectionError, OSError):
        pass


async def handle(client_reader, client_writer, mark, delay_s, jitter_s):
    host, port = original_destination(client_writer.get_extra_info("socket"))
    upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    upstream.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, mark)
    upstream.setblocking(False)
    try:
        await asyncio.wait_for(asyncio.get_running_loop().sock_connect(upstream, (host, port)), 10)
        server_reader, server_writer = await asyncio.open_connection(sock=upstream)
    except (OSError, asyncio.TimeoutError):
        upstream.close()
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer, delay_s, jitter_s),
                         pump(server_reader, client_writer, delay_s, jitter_s))


async def main(port, delay_ms, jitter_ms, mark):
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, mark, delay_ms / 1000, jitter_ms / 1000), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    asyncio.run(main(*(int(a) for a in sys.argv[1:])))
