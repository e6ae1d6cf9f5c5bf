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
        from commonground.neighbourhoods.services import published

        published.connect(_tell_followers, dispatch_uid="neighbourhood-published-followers")


def _fill_councils(sender, instance, **kwargs) -> None:
    """A role held for a neighbourhood also names its councils, so its residents reach their council's open
    processes (accounts knows nothing of neighbourhoods; this app fills it in)."""
    kind, _, slug = instance.scope.partition(":")
    if kind == "neighbourhood" and not instance.councils:
        from commonground.neighbourhoods.services import councils_of

        with contextlib.suppress(LookupError):  # an unknown neighbourhood keeps no councils
            instance.councils = ",".join(councils_of(slug))


def _tell_followers(sender, kind: str, obj, **kwargs) -> None:
    """A board, meeting or plan made public: everyone following the neighbourhood hears of it once."""
    from django.conf import settings

    from commonground.neighbourhoods.services import scope_of
    from commonground.notify.services import announce

    neighbourhood = obj.neighbourhood if hasattr(obj, "neighbourhood") else obj.board.neighbourhood
    what = {"board": "its board", "meeting": f"the meeting “{getattr(obj, 'title', '')}”", "plan": "its plan"}[kind]
    link = f"{settings.COMMONGROUND_SITE_URL}{neighbourhood.get_absolute_url()}"
    announce(
        f"neighbourhood:{neighbourhood.slug}",
        f"{neighbourhood.name} has published {what}",
        f"{neighbourhood.name} has published {what}. Read it at {link}",
        about=obj,
        scope=scope_of(neighbourhood),
        dedupe_key=f"published:{kind}:{obj._meta.label}:{obj.pk}:{getattr(obj, 'version', '')}",
    )
