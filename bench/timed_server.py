"""`streamlit run`, appending each rerun's server time to the file named by ``RERUN_TIMES``.

    RERUN_TIMES=times.txt python -m bench.timed_server run app.py

A rerun's server time runs from the rerun request reaching its session to the script-finished
message leaving it: seconds, one line each. For the load bench only: it wraps two methods of
Streamlit's ``AppSession``, which a Streamlit upgrade may rename (the bench then fails loudly).
"""

import os
import sys
import time

from streamlit.runtime.app_session import AppSession
from streamlit.web import cli


def time_reruns(times) -> None:
    """Wrap ``AppSession`` so that every finished rerun writes its server time to ``times``."""
    handle_backmsg, enqueue_forward_msg = AppSession.handle_backmsg, AppSession._enqueue_forward_msg
    requested: dict[str, float] = {}  # session id → when its rerun request arrived

    def timed_handle_backmsg(session: AppSession, message) -> None:
        if message.WhichOneof("type") == "rerun_script":
            requested[session.id] = time.monotonic()
        handle_backmsg(session, message)

    def timed_enqueue_forward_msg(session: AppSession, message) -> None:
        if message.WhichOneof("type") == "script_finished" and session.id in requested:
            times.write(f"{time.monotonic() - requested.pop(session.id):.6f}\n")
        enqueue_forward_msg(session, message)

    AppSession.handle_backmsg, AppSession._enqueue_forward_msg = timed_handle_backmsg, timed_enqueue_forward_msg


if __name__ == "__main__":
    with open(os.environ["RERUN_TIMES"], "a", buffering=1) as times:
        time_reruns(times)
        sys.argv = ["streamlit", *sys.argv[1:]]
        cli.main()
