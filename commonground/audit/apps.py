from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "commonground.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_grant_after_owner_migrations, sender=self, dispatch_uid="audit-grant-app-role")


def _grant_after_owner_migrations(sender, using, **kwargs) -> None:
    """Migrations ran as the owner role (commonground.terminal.migrate): give the app's role its privileges,
    audit rows append-only."""
    import os

    app_role = os.environ.get("COMMONGROUND_GRANT_TO")
    if app_role:
        from commonground.audit.roles import grant_app_role

        grant_app_role(app_role, using)
