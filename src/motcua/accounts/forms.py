"""Account forms: sign-up, profile, two-step login, passwords. Messages say how to fix."""

import copy
from datetime import date

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from motcua.accounts.passwords import password_problems
from motcua.core.codes import validate_personal_id, validate_tax_code
from motcua.core.errors import BadInput
from motcua.core.text import normalize

EMAIL_ERRORS = {
    "required": _("Vui lòng nhập e-mail: mật khẩu được lấy lại qua e-mail này."),
    "invalid": _("E-mail chưa đúng dạng, ví dụ ten.ho@example.vn."),
}


def _email_field() -> forms.EmailField:
    return forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}),
        error_messages=EMAIL_ERRORS,
    )


def _phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Số điện thoại di động (không bắt buộc)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )


class NewPasswordMixin(forms.Form):
    """Two password boxes; the rules are checked against the account's own data by the service."""

    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 10 ký tự, có cả chữ cái; không dùng tên, ngày sinh hay số giấy tờ của bạn."),
        error_messages={"required": _("Vui lòng đặt mật khẩu.")},
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Vui lòng nhập lại mật khẩu để kiểm tra.")},
    )

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("Hai lần nhập mật khẩu chưa giống nhau. Vui lòng nhập lại."))
        return second or ""


class CitizenSignupForm(NewPasswordMixin):
    id_number = forms.CharField(
        label=_("Số định danh cá nhân"),
        help_text=_("12 chữ số trên thẻ căn cước, ví dụ 079090001234."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": _("Vui lòng nhập số định danh cá nhân (12 chữ số trên thẻ căn cước).")},
    )
    full_name = forms.CharField(
        label=_("Họ và tên"),
        help_text=_("Đầy đủ, có dấu, đúng như trên thẻ căn cước."),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        help_text=_("Ngày/tháng/năm, ví dụ 21/07/1995."),
        input_formats=["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"],
        widget=forms.DateInput(
            attrs={"autocomplete": "bday", "inputmode": "numeric", "spellcheck": "false"}, format="%d/%m/%Y"
        ),
        error_messages={
            "required": _("Vui lòng nhập ngày sinh."),
            "invalid": _("Ngày sinh chưa đúng dạng ngày/tháng/năm, ví dụ 21/07/1995."),
        },
    )
    email = _email_field()
    phone = _phone_field()
    field_order = ["id_number", "full_name", "date_of_birth", "email", "phone", "password1", "password2"]

    def clean_id_number(self) -> str:
        try:
            return validate_personal_id(self.cleaned_data["id_number"])
        except BadInput as error:
            raise forms.ValidationError(error.detail) from error

    def clean_full_name(self) -> str:
        return normalize(self.cleaned_data["full_name"])

    def clean_date_of_birth(self) -> date:
        value = self.cleaned_data["date_of_birth"]
        if value > date.today() or value.year < 1900:
            raise forms.ValidationError(_("Ngày sinh chưa đúng: hãy kiểm tra năm sinh."))
        return value


class BusinessSignupForm(NewPasswordMixin):
    tax_code = forms.CharField(
        label=_("Mã số thuế (mã số doanh nghiệp)"),
        help_text=_("10 chữ số, hoặc 13 chữ số với chi nhánh, ví dụ 0312345678 hoặc 0312345678-001."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": _("Vui lòng nhập mã số thuế của doanh nghiệp.")},
    )
    business_name = forms.CharField(
        label=_("Tên doanh nghiệp"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": _("Vui lòng nhập tên doanh nghiệp.")},
    )
    representative_name = forms.CharField(
        label=_("Họ và tên người đại diện theo pháp luật"),
        help_text=_("Đúng như trên giấy chứng nhận đăng ký doanh nghiệp."),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Vui lòng nhập họ và tên người đại diện theo pháp luật.")},
    )
    email = _email_field()
    phone = _phone_field()
    field_order = ["tax_code", "business_name", "representative_name", "email", "phone", "password1", "password2"]

    def clean_tax_code(self) -> str:
        try:
            return validate_tax_code(self.cleaned_data["tax_code"])
        except BadInput as error:
            raise forms.ValidationError(error.detail) from error


class OrganisationSignupForm(NewPasswordMixin):
    name = forms.CharField(
        label=_("Tên tổ chức"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": _("Vui lòng nhập tên tổ chức.")},
    )
    code = forms.CharField(
        label=_("Mã tổ chức"),
        help_text=_("Mã số thuế hoặc mã đơn vị quan hệ ngân sách của tổ chức."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Vui lòng nhập mã tổ chức.")},
    )
    email = _email_field()
    phone = _phone_field()
    field_order = ["name", "code", "email", "phone", "password1", "password2"]


class ContactForm(forms.Form):
    """What an account holder may always change; identity fields are added only while unverified."""

    email = _email_field()
    phone = _phone_field()

    def __init__(self, *args, editable_identity: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        if "name" in editable_identity:
            self.fields["name"] = forms.CharField(
                label=_("Họ và tên"),
                max_length=150,
                widget=forms.TextInput(attrs={"autocomplete": "name"}),
                error_messages={"required": _("Vui lòng nhập họ và tên.")},
            )
        if "date_of_birth" in editable_identity:
            self.fields["date_of_birth"] = copy.deepcopy(CitizenSignupForm.base_fields["date_of_birth"])
        if "representative_name" in editable_identity:
            self.fields["representative_name"] = copy.deepcopy(BusinessSignupForm.base_fields["representative_name"])


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        help_text=_("6 chữ số đang hiện trong ứng dụng xác thực, hoặc một mã dự phòng."),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
        error_messages={"required": _("Vui lòng nhập mã xác thực.")},
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Vui lòng nhập mật khẩu hiện tại.")},
    )


class ResetRequestForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail đã đăng ký"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}),
        error_messages=EMAIL_ERRORS,
    )


class NewPasswordForm(auth_forms.SetPasswordForm):
    error_messages = {"password_mismatch": _("Hai lần nhập mật khẩu chưa giống nhau. Vui lòng nhập lại.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password1"].help_text = NewPasswordMixin.base_fields["password1"].help_text
        self.fields["new_password1"].error_messages["required"] = _("Vui lòng đặt mật khẩu mới.")
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.fields["new_password2"].help_text = ""
        self.fields["new_password2"].error_messages["required"] = _("Vui lòng nhập lại mật khẩu mới để kiểm tra.")

    def validate_password_for_user(self, user, password_field_name="password2") -> None:  # noqa: S107
        # Django's messages are partly untranslated in Vietnamese: use ours, on the first box.
        password = self.cleaned_data.get("new_password1")
        if password and not self.has_error("new_password2"):
            problems = password_problems(password, user=user)
            if problems:
                self.add_error("new_password1", forms.ValidationError(problems))


class ChangePasswordForm(NewPasswordForm, auth_forms.PasswordChangeForm):
    error_messages = {
        **NewPasswordForm.error_messages,
        "password_incorrect": _("Mật khẩu hiện tại chưa đúng. Vui lòng nhập lại."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        self.fields["old_password"].error_messages["required"] = _("Vui lòng nhập mật khẩu hiện tại.")
