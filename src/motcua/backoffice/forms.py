"""Forms of the back office: one per lifecycle action (asking only for what it needs), the
counter intake (citizen, e-form, scans) and the agency administration.

The e-form is built from the procedure version's JSON Schema here, not imported from the
portal (interfaces never import each other); officers type for the citizen, so nothing is
locked, and values from the verified profile are filled in and marked with their source.
"""

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import OfficerMembership
from motcua.catalog.eforms import form_properties
from motcua.core.text import normalize
from motcua.core.timeutil import VN_TZ
from motcua.dossiers.lifecycle import TRANSITIONS
from motcua.dossiers.models import Channel

ID_NUMBER_HELP = gettext_lazy("Số định danh cá nhân gồm 12 chữ số, ví dụ 079090001234.")
ID_NUMBER = RegexValidator(r"^[0-9]{12}$", message=ID_NUMBER_HELP)
PHONE = RegexValidator(
    r"^(0|\+84)[0-9]{9}$", message=gettext_lazy("Số điện thoại gồm 10 chữ số bắt đầu bằng 0, hoặc +84.")
)

# What each action's button says, and what its note is called (ux: ask only what it needs).
ACTION_LABELS: dict[str, str] = {
    "receive": gettext_lazy("Tiếp nhận, hẹn ngày trả (mẫu 01)"),
    "refuse": gettext_lazy("Từ chối tiếp nhận (mẫu 03)"),
    "request_supplement": gettext_lazy("Yêu cầu bổ sung (mẫu 02)"),
    "supplement": gettext_lazy("Ghi nhận đã nộp bổ sung"),
    "assign": gettext_lazy("Chuyển xử lý"),
    "forward": gettext_lazy("Chuyển bước tiếp theo"),
    "transfer": gettext_lazy("Chuyển cơ quan phối hợp (liên thông)"),
    "return_transfer": gettext_lazy("Trả lại cơ quan chủ trì"),
    "request_payment": gettext_lazy("Yêu cầu đóng phí, lệ phí"),
    "approve": gettext_lazy("Phê duyệt kết quả"),
    "resolve": gettext_lazy("Ký số, ban hành kết quả"),
    "return_result": gettext_lazy("Trả kết quả"),
    "stop": gettext_lazy("Dừng giải quyết (mẫu 05)"),
    "extend": gettext_lazy("Xin lỗi, gia hạn (mẫu 04)"),
}
NOTE_LABELS: dict[str, str] = {
    "refuse": gettext_lazy("Lý do từ chối"),
    "request_supplement": gettext_lazy("Giấy tờ cần bổ sung và lý do"),
    "stop": gettext_lazy("Lý do dừng giải quyết"),
    "extend": gettext_lazy("Lý do chậm và lời xin lỗi người nộp"),
}
# Actions the workspace offers (pay is recorded from the payments desk; reassign is the system's).
WORKSPACE_ACTIONS = tuple(ACTION_LABELS)


def _vn_end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(17, 0), tzinfo=VN_TZ)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)


class ActionForm(forms.Form):
    """One lifecycle action; `version` is the dossier version the page showed (stale check)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        action: str,
        *args: Any,
        handler_choices: list[tuple[str, str]] | None = None,
        agency_choices: list[tuple[str, str]] | None = None,
        channel: int | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        self.label = ACTION_LABELS.get(action, action)
        transition = TRANSITIONS[action]
        note_label = NOTE_LABELS.get(action, _("Ý kiến, ghi chú (không bắt buộc)"))
        self.fields["note"] = forms.CharField(
            label=note_label,
            required=transition.note_required,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages={"required": _("Vui lòng ghi rõ %(what)s.") % {"what": str(note_label).lower()}},
        )
        if action in ("assign", "forward"):
            self.fields["handler"] = forms.ChoiceField(
                label=_("Người xử lý tiếp theo"),
                choices=[("", _("— Tự động theo quy trình —")), *(handler_choices or [])],
                required=False,
            )
        if action == "transfer":
            self.fields["agency_code"] = forms.ChoiceField(
                label=_("Cơ quan phối hợp"),
                choices=[("", _("— Chọn cơ quan —")), *(agency_choices or [])],
                error_messages={"required": _("Vui lòng chọn cơ quan phối hợp giải quyết.")},
            )
        if action == "resolve":
            self.fields["result_file"] = forms.FileField(
                label=_("Tệp kết quả (PDF, không bắt buộc)"),
                required=False,
                help_text=_("Để trống thì hệ thống lập văn bản kết quả; kết quả được ký số của cơ quan."),
                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
            )
        if action == "supplement":
            self.fields["files"] = MultipleFileField(
                label=_("Giấy tờ người nộp mang đến (quét hoặc chụp)"),
                required=False,
                help_text=_("Có thể chọn nhiều tệp PDF hoặc ảnh, mỗi tệp tối đa 10 MB."),
                widget=MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
            )
        if action == "return_result":
            self.fields["channel"] = forms.TypedChoiceField(
                label=_("Hình thức trả"),
                choices=[
                    (Channel.IN_PERSON, _("Trả trực tiếp tại quầy")),
                    (Channel.ONLINE, _("Trả trực tuyến vào tài khoản")),
                    (Channel.POST, _("Gửi qua bưu chính")),
                ],
                coerce=int,
                initial=channel or Channel.IN_PERSON,
            )
        if action == "extend":
            self.fields["new_due_date"] = forms.DateField(
                label=_("Ngày hẹn trả mới"),
                help_text=_("Kết quả hẹn trả trước 17:00 ngày này."),
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={
                    "required": _("Vui lòng chọn ngày hẹn trả mới."),
                    "invalid": _("Ngày chưa đúng, ví dụ 20/02/2027."),
                },
            )

    def params(self) -> dict[str, Any]:
        """What `dossier_act` takes as params, from the cleaned data (files are stored by the view)."""
        data = self.cleaned_data
        params: dict[str, Any] = {}
        if data.get("handler"):
            params["handler"] = data["handler"]
        if data.get("agency_code"):
            params["agency_code"] = data["agency_code"]
        if data.get("channel"):
            params["channel"] = data["channel"]
        if data.get("new_due_date"):
            params["new_due_at"] = _vn_end_of_day(data["new_due_date"])
        return params


class FindCitizenForm(forms.Form):
    """Counter intake, first page: what procedure, how it came, and who."""

    procedure = forms.ChoiceField(label=gettext_lazy("Thủ tục"))
    channel = forms.TypedChoiceField(
        label=gettext_lazy("Hình thức nộp"),
        choices=[
            (Channel.IN_PERSON, gettext_lazy("Trực tiếp tại quầy")),
            (Channel.POST, gettext_lazy("Qua bưu chính công ích")),
        ],
        coerce=int,
        initial=Channel.IN_PERSON,
        widget=forms.RadioSelect,
    )
    id_number = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân của người nộp"),
        max_length=12,
        validators=[ID_NUMBER],
        help_text=ID_NUMBER_HELP,
        error_messages={"required": ID_NUMBER_HELP},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, procedures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("— Chọn thủ tục —")), *procedures]
        self.fields["procedure"].error_messages["required"] = _("Vui lòng chọn thủ tục người dân nộp.")

    def clean_id_number(self) -> str:
        return "".join(self.cleaned_data["id_number"].split())


class RegisterCitizenForm(forms.Form):
    """A citizen not yet known to MotCua: registered from their ID card at the counter."""

    full_name = forms.CharField(
        label=gettext_lazy("Họ và tên"),
        max_length=150,
        error_messages={"required": gettext_lazy("Vui lòng nhập họ và tên người nộp, ví dụ Nguyễn Văn An.")},
    )
    date_of_birth = forms.DateField(
        label=gettext_lazy("Ngày sinh"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Ngày sinh chưa đúng, ví dụ 20/05/1990.")},
    )
    address = forms.CharField(label=gettext_lazy("Địa chỉ thường trú"), max_length=255, required=False)
    phone = forms.CharField(label=gettext_lazy("Số điện thoại"), max_length=13, required=False, validators=[PHONE])
    email = forms.EmailField(
        label=gettext_lazy("Thư điện tử"),
        required=False,
        error_messages={"invalid": gettext_lazy("Thư điện tử chưa đúng, ví dụ an.nguyen@example.vn.")},
    )

    def clean_full_name(self) -> str:
        return normalize(self.cleaned_data["full_name"])


# --- the e-form from JSON Schema --------------------------------------------------------------


def _example(spec: dict[str, Any]) -> str:
    examples = spec.get("examples") or []
    return str(examples[0]) if examples and examples[0] not in (None, "") else ""


def _field_for(name: str, spec: dict[str, Any], required: bool) -> forms.Field | None:
    label = str(spec.get("title") or name)
    example = _example(spec)
    hint = _(", ví dụ %(example)s") % {"example": example} if example else ""
    messages = {
        "required": _("Vui lòng nhập “%(label)s”.") % {"label": label},
        "invalid": _("“%(label)s” chưa đúng định dạng%(hint)s.") % {"label": label, "hint": hint},
        "invalid_choice": _("Vui lòng chọn một mục trong danh sách “%(label)s”.") % {"label": label},
    }
    common: dict[str, Any] = {"label": label, "required": required, "error_messages": messages}
    kind = spec.get("type")
    if "enum" in spec:
        return forms.ChoiceField(choices=[("", _("— Chọn —"))] + [(str(v), str(v)) for v in spec["enum"]], **common)
    if kind == "boolean":
        return forms.BooleanField(label=label, required=False)
    if kind == "integer":
        return forms.IntegerField(min_value=spec.get("minimum"), max_value=spec.get("maximum"), **common)
    if kind == "number":
        return forms.FloatField(min_value=spec.get("minimum"), max_value=spec.get("maximum"), **common)
    if kind != "string":
        return None
    if spec.get("format") == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    validators = (
        [RegexValidator(re.compile(spec["pattern"]), message=messages["invalid"])] if spec.get("pattern") else []
    )
    field_class = forms.EmailField if spec.get("format") == "email" else forms.CharField
    return field_class(
        min_length=spec.get("minLength"), max_length=spec.get("maxLength"), validators=validators, **common
    )


class EForm(forms.Form):
    """The procedure's e-form; `to_json()` is what `dossier_submit` validates against the schema."""

    def __init__(self, schema: dict[str, Any], *args: Any, sources: dict[str, str] | None = None, **kwargs: Any):
        kwargs.setdefault("prefix", "f")
        super().__init__(*args, **kwargs)
        self.schema = schema or {}
        required = set(self.schema.get("required") or [])
        for name, spec in form_properties(self.schema):
            if not isinstance(spec, dict):
                continue
            field = _field_for(name, spec, name in required)
            if field is None:
                continue
            help_parts = [str(spec.get("description") or "")]
            if sources and name in sources:
                help_parts.append(sources[name])
            field.help_text = " ".join(part for part in help_parts if part)
            self.fields[name] = field

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            data[name] = value.isoformat() if isinstance(value, date) else value
        return data


# --- administration ---------------------------------------------------------------------------


class MembershipAddForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Tên đăng nhập của cán bộ"),
        max_length=150,
        error_messages={"required": gettext_lazy("Vui lòng nhập tên đăng nhập của cán bộ, ví dụ demo.specialist.")},
    )
    role = forms.ChoiceField(label=gettext_lazy("Vai trò"), choices=OfficerMembership.Role.choices)
    title = forms.CharField(label=gettext_lazy("Chức danh"), max_length=120, required=False)


# --- lateness: proposals to extend (form 04) ---------------------------------------------------


class ExtensionProposeForm(forms.Form):
    """A receiver or specialist proposes a new appointment date for the leader to approve."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    new_due_date = forms.DateField(
        label=gettext_lazy("Ngày hẹn trả mới đề nghị"),
        help_text=gettext_lazy("Kết quả hẹn trả trước 17:00 ngày này."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Vui lòng chọn ngày hẹn trả mới."),
            "invalid": gettext_lazy("Ngày chưa đúng, ví dụ 20/02/2027."),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do chậm và lời xin lỗi người nộp"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Vui lòng ghi lý do chậm và lời xin lỗi người nộp.")},
    )

    def new_due_at(self) -> datetime:
        return _vn_end_of_day(self.cleaned_data["new_due_date"])


class ExtensionRejectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    proposal = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=gettext_lazy("Lý do không duyệt"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Vui lòng ghi lý do không duyệt để cán bộ đề nghị biết.")},
    )


# --- fees: paid at the counter, refunded --------------------------------------------------------

RECEIPT_NUMBER = RegexValidator(
    r"^[0-9A-Za-zÀ-ỹĐđ][0-9A-Za-zÀ-ỹĐđ ./\-]*$",
    message=gettext_lazy("Số biên lai chỉ gồm chữ, chữ số và các dấu . / -, ví dụ 0001234 hoặc BL/2026-0015."),
)


class CounterPaymentForm(forms.Form):
    """A receiver records the fee paid in cash or by card at the desk, with the receipt's number."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    receipt_number = forms.CharField(
        label=gettext_lazy("Số biên lai thu tại quầy"),
        help_text=gettext_lazy("Số in trên biên lai đã giao cho người nộp."),
        max_length=60,
        validators=[RECEIPT_NUMBER],
        error_messages={
            "required": gettext_lazy("Vui lòng nhập số biên lai thu tại quầy."),
            "max_length": gettext_lazy("Số biên lai dài tối đa 60 ký tự."),
        },
    )

    def clean_receipt_number(self) -> str:
        return normalize(self.cleaned_data["receipt_number"]).strip()


class RefundForm(forms.Form):
    """A receiver or leader gives back a paid fee, saying why (the reason is kept in the log)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=gettext_lazy("Lý do hoàn trả"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": gettext_lazy("Vui lòng ghi rõ lý do hoàn trả."),
            "max_length": gettext_lazy("Lý do hoàn trả dài tối đa 2000 ký tự."),
        },
    )

    def clean_reason(self) -> str:
        reason = normalize(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Vui lòng ghi rõ lý do hoàn trả."), code="required")
        return reason


# --- agency administration: new officer accounts ----------------------------------------------

USERNAME = RegexValidator(
    r"^[a-z0-9][a-z0-9._-]{2,149}$",
    message=gettext_lazy(
        "Tên đăng nhập gồm 3–150 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang, ví dụ nguyen.van.an."
    ),
)


class OfficerCreateForm(forms.Form):
    full_name = forms.CharField(
        label=gettext_lazy("Họ và tên"),
        max_length=150,
        error_messages={"required": gettext_lazy("Vui lòng nhập họ và tên cán bộ, ví dụ Nguyễn Văn An.")},
    )
    username = forms.CharField(
        label=gettext_lazy("Tên đăng nhập"),
        max_length=150,
        error_messages={"required": gettext_lazy("Vui lòng nhập tên đăng nhập, ví dụ nguyen.van.an.")},
    )
    email = forms.EmailField(
        label=gettext_lazy("Thư điện tử công vụ"),
        help_text=gettext_lazy("Cán bộ nhận thư có liên kết để tự đặt mật khẩu."),
        error_messages={
            "required": gettext_lazy("Vui lòng nhập thư điện tử của cán bộ để gửi liên kết đặt mật khẩu."),
            "invalid": gettext_lazy("Thư điện tử chưa đúng, ví dụ an.nguyen@tphcm.gov.vn."),
        },
    )
    role = forms.ChoiceField(label=gettext_lazy("Vai trò"), choices=OfficerMembership.Role.choices)
    title = forms.CharField(label=gettext_lazy("Chức danh"), max_length=120, required=False)

    def clean_full_name(self) -> str:
        return normalize(self.cleaned_data["full_name"])

    def clean_username(self) -> str:
        username = normalize(self.cleaned_data["username"]).lower()
        USERNAME(username)  # after lower-casing: "Nguyen.An" is the same name as "nguyen.an"
        return username

    def clean_email(self) -> str:
        return normalize(self.cleaned_data["email"]).lower()
