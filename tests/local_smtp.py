"""A local SMTP server for tests that run a real worker process: it accepts every message,
keeps the recipients, and can be told to stop answering, as a stalled mail relay would."""

from __future__ import annotations

import asyncio
import threading


class LocalSMTP:
    """Enough of RFC 5321 for Django's SMTP backend (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).

    A message counts once the server has answered 250 to its DATA: a message cut off
    before that was never delivered. ``hold_after(n)``: once n messages are in, the next
    MAIL commands get no answer until ``release()``.
    """

    def __init__(self) -> None:
        self.recipients: list[str] = []
        self.open_connections = 0
        self.held = 0  # sessions waiting for an answer to MAIL
        self._hold_after: int | None = None
        self._release = asyncio.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="local-smtp", daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    def start(self) -> None:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._session, "127.0.0.1", 0), self._loop
        ).result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        self.release()
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def hold_after(self, messages: int) -> None:
        self._hold_after = messages

    def release(self) -> None:
        self._loop.call_soon_threadsafe(self._release.set)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open_connections += 1
        rcpts: list[str] = []
        try:
            writer.write(b"220 local-smtp ESMTP\r\n")
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-local-smtp\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                elif verb == b"MAIL":
                    if self._hold_after is not None and len(self.recipients) >= self._hold_after:
                        self.held += 1
                        await self._release.wait()
                        self.held -= 1
                    rcpts = []
                    writer.write(b"250 OK\r\n")
                elif verb == b"RCPT":
                    rcpts.append(line.partition(b"<")[2].partition(b">")[0].decode().lower())
                    writer.write(b"250 OK\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    await writer.drain()
                    while (data := await reader.readline()) not in (b".\r\n", b""):
                        pass
                    if data == b"":
                        return  # cut off mid-message: not delivered
                    self.recipients.extend(rcpts)
                    writer.write(b"250 OK queued\r\n")
                elif verb in (b"RSET", b"NOOP", b"HELO"):
                    writer.write(b"250 OK\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 Bye\r\n")
                    await writer.drain()
                    return
                else:
                    writer.write(b"502 Command not implemented\r\n")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            self.open_connections -= 1
            writer.close()
