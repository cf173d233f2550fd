"""`python -m simulators`: every simulator on 127.0.0.1:$SIMULATORS_PORT (default 8900).

Started by `make run` (scripts/run.py) next to the web server; stops on Ctrl-C or SIGTERM.
To add a simulator, write a class with `name`, `handle(request)` and `reset()` (see
`simulators/__init__.py`) and append it to `SIMULATORS` below: it is then served under
`/<name>/` on the same port. One that needs a port of its own goes in `EXTRA_SERVERS`.
"""

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer

from simulators import Simulator, make_server
from simulators.business_registry import BusinessRegistrySimulator
from simulators.civil_status import CivilStatusSimulator
from simulators.dvcqg import DvcqgSimulator
from simulators.lgsp import LgspSimulator
from simulators.mail import MailSimulator, MailStore, SmtpSink
from simulators.payment import DEVELOPMENT_SECRET, PaymentSimulator
from simulators.population import PopulationSimulator
from simulators.sms import SmsSimulator
from simulators.social_insurance import SocialInsuranceSimulator

HOST = "127.0.0.1"


def simulators() -> list[Simulator]:
    return [
        PaymentSimulator(),
        PopulationSimulator(),
        MailSimulator(MAIL_STORE),
        SmsSimulator(),
        BusinessRegistrySimulator(),
        CivilStatusSimulator(),
        SocialInsuranceSimulator(),
        DvcqgSimulator(),
        LgspSimulator(),
    ]


# The SMTP sink's catch, shared by its SMTP port and its HTTP page at /mail/.
MAIL_STORE = MailStore()

# (name, factory(host, port) -> server, env var with the port, default port) for simulators
# that cannot share the HTTP server. A server here needs serve_forever, shutdown,
# server_close and server_port (a ThreadingHTTPServer has them; so does the SMTP sink).
EXTRA_SERVERS: list[tuple[str, Callable[[str, int], ThreadingHTTPServer | SmtpSink], str, int]] = [
    ("smtp (mail sink)", lambda host, port: SmtpSink(MAIL_STORE, host, port), "EMAIL_PORT", 8925),
]


def main() -> int:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="simulators: %(message)s")
    port = int(os.environ.get("SIMULATORS_PORT", "8900"))
    mounted = simulators()
    servers: list[ThreadingHTTPServer | SmtpSink] = [make_server(mounted, HOST, port)]
    for name, factory, env_name, default in EXTRA_SERVERS:
        servers.append(factory(HOST, int(os.environ.get(env_name, default))))
        print(f"simulator {name} on {HOST}:{servers[-1].server_port}", flush=True)
    for simulator in mounted:
        print(f"simulator {simulator.name}: http://{HOST}:{port}/{simulator.name}/", flush=True)
    if any(getattr(s, "secret", None) == DEVELOPMENT_SECRET for s in mounted):
        print("  (payment: development secret in use — for development only)", flush=True)

    stopping = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    stopping.wait()
    for server in servers:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
