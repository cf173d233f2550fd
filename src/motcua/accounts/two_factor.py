"""Two-step login: an authenticator app (TOTP) plus one-time recovery codes."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from motcua.accounts import totp
from motcua.accounts.models import RecoveryCode, TwoFactorDevice, User
from motcua.core.errors import BadInput, Conflict, PermissionDenied

ISSUER = "MotCua"
RECOVERY_CODE_COUNT = 10
WRONG_CODE_DETAIL = "Mã xác thực chưa đúng hoặc đã hết hạn. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng xác thực."


def _hash_recovery(code: str) -> str:
    normalised = code.strip().lower().replace(" ", "").replace("-", "")
    return hashlib.sha256(normalised.encode("ascii", "ignore")).hexdigest()


def _new_recovery_code() -> str:
    # 40 random bits in 8 base32 letters, written xxxx-xxxx so it can be read out and typed.
    raw = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def two_factor_enabled(user: User) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def two_factor_begin(*, user: User) -> TwoFactorDevice:
    """A fresh, unconfirmed secret to show as a QR code (replaces an unfinished set-up)."""
    if two_factor_enabled(user):
        raise Conflict("Đăng nhập hai bước đã được bật cho tài khoản này.")
    device, _ = TwoFactorDevice.objects.update_or_create(
        user=user, defaults={"secret": totp.new_secret(), "confirmed_at": None, "last_step": 0}
    )
    return device


def two_factor_provisioning_uri(device: TwoFactorDevice) -> str:
    return totp.provisioning_uri(device.secret, account=device.user.username, issuer=ISSUER)


@transaction.atomic
def two_factor_confirm(*, user: User, code: str) -> list[str]:
    """Turn two-step login on once the app shows the right code; returns the recovery codes (once)."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        raise BadInput("Phiên cài đặt đã hết hạn. Vui lòng bắt đầu lại.")
    if device.is_active:
        raise Conflict("Đăng nhập hai bước đã được bật cho tài khoản này.")
    step = totp.matching_step(device.secret, code)
    if step is None:
        raise BadInput(WRONG_CODE_DETAIL, fields={"code": "invalid"})
    device.confirmed_at, device.last_step = timezone.now(), step
    device.save(update_fields=["confirmed_at", "last_step"])
    return _replace_recovery_codes(user)


def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash_recovery(c)) for c in codes])
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    if not two_factor_enabled(user):
        raise Conflict("Đăng nhập hai bước chưa được bật.")
    return _replace_recovery_codes(user)


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def two_factor_check(*, user: User, code: str) -> bool:
    """True for a current app code not used before, or an unused recovery code (then spent)."""
    device = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    step = totp.matching_step(device.secret, code)
    if step is not None:
        # Conditional update: two requests with the same code cannot both win.
        return bool(TwoFactorDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step))
    if len(code.strip()) < 8:
        return False
    return bool(
        RecoveryCode.objects.filter(user=user, code_hash=_hash_recovery(code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
    )


@transaction.atomic
def two_factor_disable(*, user: User, password: str) -> None:
    if not user.check_password(password):
        raise PermissionDenied("Mật khẩu chưa đúng. Nhập mật khẩu hiện tại để tắt đăng nhập hai bước.")
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
