"""A deliberately NAIVE webhook receiver: do not copy it. It shows what `check` catches.

It trusts every request: it never verifies `Wink-Signature`, so anyone who finds the URL can forge
bookings, alter bodies in flight or replay old requests. `python run.py check` fails it on every
security check (another secret, no signature, no v1, a tampered body, a re-dated old signature,
stale and future timestamps); compare with good_receiver.py, which passes them all.

    python examples/naive_receiver.py --port 9001
    python run.py check http://127.0.0.1:9001/webhook --secret whsec_dGVzdC1zZWNyZXQtdmFsdWUtZm9yLWRvY3M
"""

from __future__ import annotations

import argparse

from flask import Flask, jsonify, request


def create_app(secret: str | None = None) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    handled: list[dict] = []
    app.extensions["received"] = handled

    @app.post("/webhook")
    def webhook():
        event = request.get_json(force=True, silent=True) or {}  # MISTAKE: no signature check at all
        handled.append(event)
        return jsonify(status="ok"), 200

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9001)
    args = parser.parse_args()
    from werkzeug.serving import make_server

    server = make_server(args.host, args.port, create_app(), threaded=True)
    print(f"Naive receiver listening on http://{args.host}:{server.server_port}/webhook", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
