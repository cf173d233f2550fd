"""What the account holder sees of their own account (never someone else's)."""

from dataclasses import dataclass

from motcua.accounts.models import ApplicantProfile, User
from motcua.accounts.two_factor import recovery_codes_left, two_factor_enabled


def mask_id_number(value: str) -> str:
    """'079090001234' → '0790******34': enough to recognise one's own ID, useless to anyone else."""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


@dataclass(frozen=True)
class AccountOverview:
    user: User
    profile: ApplicantProfile | None
    masked_id: str
    two_factor: bool
    recovery_codes_left: int

    @property
    def is_person(self) -> bool:
        return self.profile is not None and self.profile.kind == ApplicantProfile.Kind.PERSON

    @property
    def can_reverify(self) -> bool:
        return self.profile is not None and not self.profile.is_verified and self.user.kind != User.Kind.ORGANISATION

    @property
    def editable_identity(self) -> tuple[str, ...]:
        """Identity fields the holder may still correct: none once verified by a national database."""
        if self.profile is None or self.profile.is_verified:
            return ()
        if self.is_person:
            return ("name", "date_of_birth")
        if self.user.kind == User.Kind.BUSINESS:
            return ("representative_name",)
        return ()


def account_overview(user: User) -> AccountOverview:
    profile = ApplicantProfile.objects.filter(user=user).first()
    masked = ""
    if profile is not None:
        # Tax codes are public; personal IDs are masked even to their holder, as on a screen in a queue.
        masked = (
            mask_id_number(profile.id_number) if profile.kind == ApplicantProfile.Kind.PERSON else profile.id_number
        )
    enabled = two_factor_enabled(user)
    return AccountOverview(
        user=user,
        profile=profile,
        masked_id=masked,
        two_factor=enabled,
        recovery_codes_left=recovery_codes_left(user) if enabled else 0,
    )
