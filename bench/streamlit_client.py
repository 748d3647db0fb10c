"""A designer user whose browser runs elsewhere: Streamlit's own messages over its WebSocket.

It sends what the page sends when the warm-up slider moves (a rerun request carrying the
slider's new value) and reads what a browser would draw from (the chart's Plotly spec), but
renders nothing. The load bench uses it to load the server as users on their own machines do.
"""

from __future__ import annotations

import json
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

SLIDER = "Warm-up epochs"


class DesignerClient:
    """One session on the designer page; ``async with DesignerClient(url) as user: ...``."""

    def __init__(self, url: str):
        self.url = url.replace("http", "ws", 1) + "/_stcore/stream"
        self.slider_id = ""

    async def __aenter__(self) -> DesignerClient:
        self.socket = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
        await self.rerun(None)  # the page load: learn the slider's widget id
        return self

    async def __aexit__(self, *exc) -> None:
        await self.socket.close()

    async def rerun(self, warmup_epochs: float | None) -> tuple[float, float | None]:
        """Move the slider (or load the page); seconds until the chart arrives, and its warm-up marker.

        Waits for the rerun's script-finished message, so the session is idle on return.
        """
        message = BackMsg()
        message.rerun_script.query_string = ""
        if warmup_epochs is not None:
            state = WidgetState(id=self.slider_id)
            state.double_array_value.data.append(warmup_epochs)
            message.rerun_script.widget_states.widgets.append(state)
        start = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        chart_after, marker = float("nan"), None
        while True:
            reply = ForwardMsg.FromString(await self.socket.recv())
            kind = reply.WhichOneof("type")
            if kind == "script_finished":
                return chart_after, marker
            if kind != "delta" or reply.delta.WhichOneof("type") != "new_element":
                continue
            element = reply.delta.new_element
            if element.WhichOneof("type") == "slider" and element.slider.label == SLIDER:
                self.slider_id = element.slider.id
            elif element.WhichOneof("type") == "plotly_chart" and marker is None:
                chart_after = time.perf_counter() - start
                shapes = json.loads(element.plotly_chart.spec)["layout"].get("shapes", [])
                marker = shapes[0]["x0"] if shapes else None
