from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "motcua.integrations"
    label = "integrations"
    verbose_name = "Kết nối hệ thống quốc gia (Integrations)"
