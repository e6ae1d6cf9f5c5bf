import contextlib

from django.apps import AppConfig


class NeighbourhoodsConfig(AppConfig):
    name = "commonground.neighbourhoods"
    label = "neighbourhoods"
    verbose_name = "Neighbourhoods"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from commonground.accounts.models import RoleGrant

        pre_save.connect(_fill_councils, sender=RoleGrant, dispatch_uid="neighbourhood-grant-councils")


def _fill_councils(sender, instance, **kwargs) -> None:
    """A role held for a neighbourhood also names its councils, so its residents reach their council's open
    processes (accounts knows nothing of neighbourhoods; this app fills it in)."""
    kind, _, slug = instance.scope.partition(":")
    if kind == "neighbourhood" and not instance.councils:
        from commonground.neighbourhoods.services import councils_of

        with contextlib.suppress(LookupError):  # an unknown neighbourhood keeps no councils
            instance.councils = ",".join(councils_of(slug))
