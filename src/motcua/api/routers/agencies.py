"""Public agency directory (contract.md): every agency ever, or those active on a day."""

import re
from datetime import date
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import WithJsonSchema

from motcua.core.errors import BadInput
from motcua.directory import selectors
from motcua.directory.models import Agency

router = Router()

_LEVELS = ", ".join(Agency.Level.values)
# Strictly YYYY-MM-DD: date.fromisoformat alone also takes week dates such as 2025-W27-2.
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

# Parsed here (for a Vietnamese message) but documented exactly, empty meaning "no filter",
# so the spec and the fuzzing over it agree with what is accepted.
LevelParam = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "enum": [*Agency.Level.values, ""], "description": "cấp cơ quan; để trống: mọi cấp"}
    ),
]
DayParam = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "anyOf": [{"format": "date"}, {"maxLength": 0}],
            "description": "ngày YYYY-MM-DD: chỉ các cơ quan hoạt động vào ngày đó; để trống: mọi cơ quan từng có",
        }
    ),
]


class AgencyItem(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    successor_code: str | None = Field(description="cơ quan kế thừa chính (nhận hồ sơ đang giải quyết)")
    valid_from: date
    valid_to: date | None = Field(description="null khi cơ quan còn hoạt động")


class AgencyList(Schema):
    items: list[AgencyItem]


class AgencyDetail(AgencyItem):
    successor_codes: list[str] = Field(description="mọi cơ quan kế thừa, cơ quan kế thừa chính đứng đầu")
    children_count: int


def _item(agency: Agency) -> dict:
    return {
        "code": agency.code,
        "name": agency.name,
        "level": agency.level,
        "parent_code": agency.parent.code if agency.parent_id else None,
        "successor_code": agency.successor.code if agency.successor_id else None,
        "valid_from": agency.valid_from,
        "valid_to": agency.valid_to,
    }


def _parse_level(value: str) -> str | None:
    if not value:
        return None
    if value not in Agency.Level.values:
        raise BadInput(f"Cấp cơ quan “{value[:40]}” không hợp lệ. Các giá trị được chấp nhận: {_LEVELS}.")
    return value


def _parse_day(value: str) -> date | None:
    if not value:
        return None
    try:
        if not _DAY.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(
            f"Ngày “{value[:40]}” không hợp lệ. Vui lòng nhập theo dạng YYYY-MM-DD, ví dụ 2025-07-01."
        ) from None


@router.get(
    "",
    response=AgencyList,
    auth=None,
    summary="Danh sách cơ quan",
    description=(
        "Mọi cơ quan trong danh bạ, kể cả cơ quan đã giải thể, sáp nhập; với `active_on` chỉ các cơ quan "
        "đang hoạt động vào ngày đó. `level` lọc theo cấp: " + _LEVELS + "."
    ),
)
def list_agencies(request: HttpRequest, level: LevelParam = "", active_on: DayParam = "") -> dict:
    agencies = selectors.agency_list(level=_parse_level(level), active_on=_parse_day(active_on))
    return {"items": [_item(agency) for agency in agencies]}


@router.get("/{code}", response=AgencyDetail, auth=None, summary="Thông tin một cơ quan")
def get_agency(request: HttpRequest, code: str) -> dict:
    agency = selectors.agency_detail(code=code)
    return {
        **_item(agency),
        "successor_codes": [successor.code for successor in agency.successor_list],  # type: ignore[attr-defined]
        "children_count": agency.children_count,  # type: ignore[attr-defined]
    }
