from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = "Tài khoản (Accounts)"

    def ready(self) -> None:
        from motcua.accounts import checks

        checks.register()
