from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "homeoffice.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"
