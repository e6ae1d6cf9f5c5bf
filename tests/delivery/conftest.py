from tests.money import brookfield, officer, officer_client, outsider, outsider_client  # noqa: F401  (fixtures)
