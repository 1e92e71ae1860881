"""Running a small Flask app on a background thread (the stand-ins use it)."""

from __future__ import annotations

import logging
import threading

from flask import Flask
from werkzeug.serving import make_server

# werkzeug logs every request line, and Bot API paths carry the bot token: keep it quiet.
logging.getLogger("werkzeug").setLevel(logging.ERROR)


class BackgroundServer:
    def __init__(self, app: Flask, port: int, host: str = "127.0.0.1"):
        try:
            self._server = make_server(host, port, app, threaded=True)
        except SystemExit as taken:  # werkzeug exits the process when the port is in use
            raise OSError(f"port {port} is in use") from taken
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
