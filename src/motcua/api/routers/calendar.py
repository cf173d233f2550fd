"""The working-time calendar, public: when does a limit counted in working days or hours end."""

import math
import re
from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from motcua.core.calendar import HOURS_PER_WORKING_DAY, CalendarOutOfRange, get_work_calendar
from motcua.core.errors import BadInput
from motcua.core.timeutil import VN_TZ, to_vn

router = Router()

MAX_WORKING_DAYS = 3650
MAX_WORKING_HOURS = MAX_WORKING_DAYS * HOURS_PER_WORKING_DAY
_START_EXAMPLE = "2027-02-03T08:00:00+07:00"
# A "+" left unencoded in a query string arrives as a space: "…T08:00:00 07:00".
_SPACE_FOR_PLUS = re.compile(r"^(.+[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


class DeadlineOut(Schema):
    deadline: datetime


def _parse_start(raw: str) -> datetime:
    text = _SPACE_FOR_PLUS.sub(r"\1+\2", raw.strip())
    try:
        moment = datetime.fromisoformat(text) if len(text) <= 64 else None
    except ValueError:
        moment = None
    if moment is None:
        raise BadInput(
            f"Thời điểm bắt đầu (start) không đúng định dạng ISO 8601. Ví dụ: {_START_EXAMPLE} "
            f"hoặc 2027-02-03T01:00:00Z (giờ UTC)."
        )
    # Without a zone the caller means the time on the office clock.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VN_TZ)
    try:
        return to_vn(moment)
    except OverflowError:  # e.g. 9999-12-31T23:00-12:00 is past the last representable day
        raise CalendarOutOfRange() from None


def _check_amount(value: float, *, name: str, unit: str, limit: int) -> None:
    if not math.isfinite(value) or value <= 0 or value > limit:
        raise BadInput(f"Số {unit} làm việc ({name}) phải là số dương, tối đa {limit}.")


@router.get(
    "/deadline",
    response=DeadlineOut,
    auth=None,
    summary="Tính hạn giải quyết theo ngày hoặc giờ làm việc",
    description=(
        "Trả về thời điểm hết hạn của một thời hạn tính bằng ngày làm việc (`working_days`) hoặc giờ "
        "làm việc (`working_hours`), kể từ thời điểm tiếp nhận `start`; truyền đúng một trong hai.\n\n"
        "- Không tính thứ Bảy, Chủ nhật, ngày nghỉ lễ, Tết (theo âm lịch) và các ngày nghỉ bù; "
        "tính cả các ngày làm bù do Chính phủ công bố.\n"
        "- Giờ làm việc: 07:30–11:30 và 13:00–17:00.\n"
        "- Theo ngày (Điều 147–148 Bộ luật Dân sự): không tính ngày tiếp nhận; hạn là 17:00 của ngày "
        "làm việc thứ N sau đó. Tiếp nhận vào ngày nghỉ thì coi như tiếp nhận vào ngày làm việc kế tiếp. "
        "Số ngày lẻ (ví dụ 0,5) được tính thành giờ làm việc (1 ngày = 8 giờ).\n"
        "- Theo giờ: chỉ tính trong giờ làm việc, kể từ thời điểm tiếp nhận.\n\n"
        f"`start` theo ISO 8601, ví dụ `{_START_EXAMPLE}`. Nếu không ghi múi giờ, `start` được hiểu là "
        "giờ Việt Nam (UTC+07:00); nếu có múi giờ khác (ví dụ `Z`), thời điểm được quy đổi sang giờ Việt Nam. "
        "Kết quả luôn theo giờ Việt Nam, dạng ISO 8601 có `+07:00`."
    ),
)
def deadline(
    request: HttpRequest,
    start: str = Query(..., description=f"Thời điểm tiếp nhận, ISO 8601, ví dụ {_START_EXAMPLE}"),
    working_days: float | None = Query(None, description=f"Số ngày làm việc (0 < N ≤ {MAX_WORKING_DAYS})"),
    working_hours: float | None = Query(None, description=f"Số giờ làm việc (0 < H ≤ {MAX_WORKING_HOURS})"),
) -> dict:
    moment = _parse_start(start)
    if working_days is not None and working_hours is None:
        _check_amount(working_days, name="working_days", unit="ngày", limit=MAX_WORKING_DAYS)
        due = get_work_calendar().deadline_after_working_days(moment, working_days)
    elif working_hours is not None and working_days is None:
        _check_amount(working_hours, name="working_hours", unit="giờ", limit=MAX_WORKING_HOURS)
        due = get_work_calendar().deadline_after_working_hours(moment, working_hours)
    else:
        raise BadInput(
            "Cần truyền đúng một trong hai tham số: working_days (số ngày làm việc) hoặc working_hours "
            "(số giờ làm việc)."
        )
    return {"deadline": due}
