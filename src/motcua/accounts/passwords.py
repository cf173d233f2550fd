"""Password rules with messages in plain Vietnamese (Django's own Vietnamese catalogue lacks some)."""

from django.contrib.auth.password_validation import get_default_password_validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from motcua.accounts.models import User


def _message(error: ValidationError) -> str:
    params = error.params or {}
    if error.code == "password_too_short":
        return _("Mật khẩu cần ít nhất %(min_length)d ký tự.") % {"min_length": params.get("min_length", 10)}
    if error.code == "password_too_similar":
        return _("Mật khẩu quá giống tên, tên đăng nhập hoặc e-mail của bạn. Vui lòng chọn mật khẩu khác.")
    if error.code == "password_too_common":
        return _("Mật khẩu này quá phổ biến, dễ bị đoán. Vui lòng chọn mật khẩu khác.")
    if error.code == "password_entirely_numeric":
        return _("Mật khẩu không được chỉ gồm chữ số; hãy thêm chữ cái.")
    return " ".join(error.messages)


def password_problems(password: str, *, user: User | None = None) -> list[str]:
    """What is wrong with a new password, one Vietnamese sentence per rule broken (empty if fine)."""
    problems: list[str] = []
    for validator in get_default_password_validators():
        try:
            validator.validate(password, user)
        except ValidationError as error:
            for item in error.error_list:
                problems.append(_message(item))
    return problems
