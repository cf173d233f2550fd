"""The e-form (tờ khai điện tử) as a Django form, built from the procedure version's JSON Schema.

Each property becomes one field: `title` is the label, `description` the help, the first of
`examples` the "Ví dụ: …" hint; `required`, `pattern`, `minLength`/`maxLength`, `minimum`/
`maximum`, `enum` and `format` (date, email) become validators whose messages say, in
Vietnamese, how to fix the value. Fields with `x-prefill` are filled from the applicant's
profile ("declare only once") and locked when the profile was verified against a national
database: the server keeps the profile's value whatever the browser sends.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _

from motcua.accounts.models import ApplicantProfile, User
from motcua.catalog.eforms import form_properties

# x-prefill source → (what of the account it reads, the identity it belongs to)
_PREFILL_MAP: dict[str, str] = {
    "profile.name": "name",
    "population_db.full_name": "name",
    "business_registry.name": "name",
    "profile.id_number": "id_number",
    "business_registry.tax_code": "id_number",
    "profile.date_of_birth": "date_of_birth",
    "population_db.date_of_birth": "date_of_birth",
    "profile.gender": "gender",
    "population_db.gender": "gender",
    "profile.address": "address",
    "population_db.permanent_address": "address",
    "population_db.current_address": "address",
    "business_registry.address": "address",
    "profile.representative_name": "representative_name",
    "business_registry.representative": "representative_name",
    "profile.phone": "phone",
    "profile.email": "email",
}
# Values the national databases vouch for once the profile is verified: locked then.
_IDENTITY = {"name", "id_number", "date_of_birth", "gender", "address", "representative_name"}
_POPULATION = ApplicantProfile.VerificationSource.POPULATION_DB
_SOURCE_LABELS = {
    ApplicantProfile.VerificationSource.POPULATION_DB: "Từ Cơ sở dữ liệu quốc gia về dân cư",
    ApplicantProfile.VerificationSource.VNEID: "Từ tài khoản định danh điện tử VNeID",
    ApplicantProfile.VerificationSource.BUSINESS_REGISTRY: "Từ Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp",
    ApplicantProfile.VerificationSource.COUNTER: "Đã đối chiếu giấy tờ tại bộ phận một cửa",
}


@dataclass(frozen=True)
class Prefill:
    value: Any
    source: str  # shown next to the field
    locked: bool


# Sources only the population database holds (not kept on the profile): read from its record.
POPULATION_ONLY: dict[str, str] = {
    "population_db.ethnicity": "ethnicity",
    "population_db.nationality": "nationality",
    "population_db.hometown": "hometown",
    "population_db.current_address": "current_address",
    "population_db.household_head": "household_head",
    "population_db.marital_status": "marital_status",
}


def needs_population_record(schema: dict[str, Any]) -> bool:
    return any(
        str(field.get("x-prefill") or "") in POPULATION_ONLY
        for _name, field in form_properties(schema)
        if isinstance(field, dict)
    )


def prefill_for(
    schema: dict[str, Any], user: User, profile: ApplicantProfile | None, person: Any = None
) -> dict[str, Prefill]:
    """What each `x-prefill` field of `schema` gets from this account, and whether it is locked.

    `person` is the population database's record of a verified applicant (or None when it
    was not needed or not reachable: those fields are then left for the applicant to type).
    """
    result: dict[str, Prefill] = {}
    verified = bool(profile and profile.verification_source and profile.verified_at)
    for name, field in form_properties(schema):
        if not isinstance(field, dict):
            continue
        source_key = str(field.get("x-prefill") or "")
        if source_key in POPULATION_ONLY:
            value = getattr(person, POPULATION_ONLY[source_key], "") if person is not None else ""
            if value:
                result[name] = Prefill(value=value, source=_(_SOURCE_LABELS[_POPULATION]), locked=True)
            continue
        attribute = _PREFILL_MAP.get(source_key)
        if attribute is None:
            continue
        if attribute in ("phone", "email"):
            value: Any = getattr(user, attribute, "")
            source = _("Từ tài khoản của bạn")
            locked = False
        else:
            value = getattr(profile, attribute, "") if profile else ""
            identity_verified = verified and attribute in _IDENTITY
            source = _(_SOURCE_LABELS.get(profile.verification_source, "")) if identity_verified and profile else ""
            source = source or _("Từ tài khoản của bạn")
            locked = identity_verified
        if isinstance(value, date):
            value = value.isoformat()
        if value in (None, ""):
            continue
        result[name] = Prefill(value=value, source=source, locked=locked)
    return result


def _example(field: dict[str, Any]) -> str:
    examples = field.get("examples") or []
    if not examples or examples[0] in (None, ""):
        return ""
    example = str(examples[0])
    if field.get("format") == "date":
        # The schema's ISO date, shown the way Vietnamese write dates.
        try:
            return date.fromisoformat(example).strftime("%d/%m/%Y")
        except ValueError:
            return example
    return example


def _messages(label: str, field: dict[str, Any]) -> dict[str, str]:
    example = _example(field)
    hint = _(", ví dụ %(example)s") % {"example": example} if example else ""
    invalid = _("“%(label)s” chưa đúng định dạng%(hint)s.") % {"label": label, "hint": hint}
    return {
        "required": _("Vui lòng nhập “%(label)s”.") % {"label": label},
        "invalid": invalid,
        "invalid_choice": _("Vui lòng chọn một mục trong danh sách “%(label)s”.") % {"label": label},
        "min_length": _("“%(label)s” cần ít nhất %(n)s ký tự.") % {"label": label, "n": field.get("minLength")},
        "max_length": _("“%(label)s” dài tối đa %(n)s ký tự.") % {"label": label, "n": field.get("maxLength")},
        "min_value": _("“%(label)s” không được nhỏ hơn %(n)s.") % {"label": label, "n": field.get("minimum")},
        "max_value": _("“%(label)s” không được lớn hơn %(n)s.") % {"label": label, "n": field.get("maximum")},
    }


def _field_for(name: str, field: dict[str, Any], required: bool) -> forms.Field | None:
    label = str(field.get("title") or name)
    messages = _messages(label, field)
    kind = field.get("type")
    common: dict[str, Any] = {"label": label, "required": required, "error_messages": messages}
    if "enum" in field:
        choices = [("", _("— Chọn —"))] + [(str(value), str(value)) for value in field["enum"]]
        return forms.ChoiceField(choices=choices, **common)
    if kind == "boolean":
        return forms.BooleanField(label=label, required=False)
    if kind == "integer":
        return forms.IntegerField(min_value=field.get("minimum"), max_value=field.get("maximum"), **common)
    if kind == "number":
        return forms.FloatField(min_value=field.get("minimum"), max_value=field.get("maximum"), **common)
    if kind != "string":
        return None  # nested objects and lists are not asked on the web form yet
    if field.get("format") == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
    validators = []
    if field.get("pattern"):
        validators.append(RegexValidator(re.compile(field["pattern"]), message=messages["invalid"]))
    text_field = forms.EmailField if field.get("format") == "email" else forms.CharField
    return text_field(
        min_length=field.get("minLength"),
        max_length=field.get("maxLength"),
        validators=validators,
        **common,
    )


class EForm(forms.Form):
    """A form whose fields come from a JSON Schema; `to_json()` gives what `dossier_submit` takes."""

    def __init__(
        self,
        schema: dict[str, Any],
        *args: Any,
        prefill: dict[str, Prefill] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.schema = schema or {}
        self.prefill = prefill or {}
        required = set(self.schema.get("required") or [])
        for name, spec in form_properties(self.schema):
            if not isinstance(spec, dict):
                continue
            field = _field_for(name, spec, name in required)
            if field is None:
                continue
            field.help_text = str(spec.get("description") or "")
            field.example = _example(spec)  # type: ignore[attr-defined]
            attrs = field.widget.attrs
            described = [f"id_{name}_help"] if field.help_text else []
            filled = self.prefill.get(name)
            # A locked value is not typed: no example is shown for it.
            if field.example and not (filled and filled.locked):  # type: ignore[attr-defined]
                described.append(f"id_{name}_example")
            if filled is not None:
                described.append(f"id_{name}_source")
                field.source = filled.source  # type: ignore[attr-defined]
                field.locked = filled.locked  # type: ignore[attr-defined]
                if filled.locked or name not in self.initial:
                    self.initial[name] = filled.value
                if filled.locked:
                    attrs["readonly"] = "readonly"
                    if self.is_bound:
                        # Shown again after an error: the verified value, not what was sent.
                        self.data = self.data.copy()
                        self.data[name] = filled.value
                    if isinstance(field, forms.ChoiceField):
                        field.disabled = True
            if described:
                attrs["aria-describedby"] = " ".join(described)
            if spec.get("format") == "email":
                attrs.setdefault("autocomplete", "email")
            if "dien_thoai" in name or "phone" in name:
                attrs.setdefault("inputmode", "tel")
                attrs.setdefault("autocomplete", "tel")
            self.fields[name] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Locked values are the verified profile's, whatever the browser sent.
        for name, filled in self.prefill.items():
            if filled.locked and name in self.fields:
                cleaned[name] = self.fields[name].clean(filled.value) if filled.value is not None else None
                self.errors.pop(name, None)
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        # Screen readers read the error with the field: aria-describedby names it first.
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            described = attrs.get("aria-describedby", "")
            attrs["aria-describedby"] = f"id_{name}_error {described}".strip()
            attrs["aria-invalid"] = "true"

    def to_json(self) -> dict[str, Any]:
        """The cleaned data as the schema expects it; empty optional answers are left out."""
        data: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            if isinstance(value, date):
                value = value.isoformat()
            data[name] = value
        return data


def review_rows(schema: dict[str, Any], data: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for name, spec in form_properties(schema):
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, bool):
            value = _("Có") if value else _("Không")
        elif spec.get("format") == "date" and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value).strftime("%d/%m/%Y")
        rows.append({"name": name, "label": str(spec.get("title") or name), "value": str(value)})
    return rows
