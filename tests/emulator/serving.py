"""The emulator on a server of its own, for its tests: started on a free port, quiet, stopped by the caller."""

import threading

from werkzeug.serving import WSGIRequestHandler, make_server

import hubtriage_emulator


class Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def start():
    """The running server and its endpoint; `server.shutdown()` stops it."""
    server = make_server("127.0.0.1", 0, hubtriage_emulator.make_app(), threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"
