"""JSON for the API: every instant in Vietnam's time (+07:00), as domain.md writes dates."""

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from motcua.core.timeutil import to_vn


class VietnamTimeEncoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and o.tzinfo is not None:
            return to_vn(o).isoformat()
        return super().default(o)


class VietnamTimeRenderer(JSONRenderer):
    encoder_class = VietnamTimeEncoder
    json_dumps_params = {"ensure_ascii": False}

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return json.dumps(data, cls=self.encoder_class, **self.json_dumps_params)
