"""Selection methods and the left-behind rule run on what `commonground data load` loaded (the database),
through the same engine as on the data pack's files (commonground.engine.selection)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from commonground.engine import geography
from commonground.engine.selection import AREA_COLUMNS, DATASETS, GEOGRAPHIES
from commonground.engine.tables import DataError
from commonground.places.models import Area, AreaType, AreaValue

WHERE = "the database"
# The IMD edition whose population weights an LSOA vintage's figures are aggregated with.
WEIGHTS = {"lsoa11": "imd2019", "lsoa21": "imd2025"}


class DatabaseSource:
    """A selection's figures from the loaded database (see commonground.engine.selection.Source)."""

    @staticmethod
    def _values(dataset: str, type_code: str, slug: str) -> dict[str, float]:
        return dict(
            AreaValue.objects.filter(
                measure__dataset__slug=dataset, measure__slug=slug, area__area_type__code=type_code
            ).values_list("area__code", "value")
        )

    @cache  # noqa: B019  (one source per command or page)
    def lsoas(self, dataset: str) -> geography.LsoaTable:
        vintage = DATASETS[dataset][0]
        prefix = "imd" if dataset.startswith("imd") else "cni"
        scores = self._values(dataset, vintage, f"{prefix}_score")
        if not scores:
            raise DataError(WHERE, f"{dataset} is not loaded: run `commonground data load --from DIR` first")
        ranks = self._values(dataset, vintage, f"{prefix}_rank")
        weights = self._values(WEIGHTS[vintage], vintage, "population_weight")
        codes = np.array(sorted(scores), dtype=object)
        return geography.LsoaTable(
            codes,
            np.array([scores[c] for c in codes]),
            np.array([ranks[c] for c in codes]),
            geography.align(weights, codes, f"the {WEIGHTS[vintage]} population weight"),
        )

    def native(self, dataset: str, geography_key: str) -> pd.Series | None:
        if dataset != "cni2019" or geography_key != "ward17":
            return None
        scores = self._values(dataset, geography_key, "cni_score")
        return pd.Series(scores, dtype=float) if scores else None

    def parents(self, geography_key: str) -> dict[str, str]:
        vintage = GEOGRAPHIES[geography_key][0]
        lsoas = Area.objects.filter(area_type__code=vintage)
        level = AreaType.objects.filter(code=geography_key).values_list("level", flat=True).first()
        if level == AreaType.Level.MSOA:
            return dict(lsoas.filter(also_in__area_type__code=geography_key).values_list("code", "also_in__code"))
        path = "parent__code" if level == AreaType.Level.WARD else "parent__parent__code"
        return dict(lsoas.values_list("code", path))

    def areas(self, geography_key: str) -> pd.DataFrame:
        """Each area with the council and region above it (walking up the parents)."""
        above = {
            pk: (name, level, parent)
            for pk, name, level, parent in Area.objects.filter(
                area_type__level__in=[AreaType.Level.WARD, AreaType.Level.LOCAL_AUTHORITY, AreaType.Level.REGION],
                is_demo=False,
            ).values_list("id", "name", "area_type__level", "parent_id")
        }
        rows = []
        for code, name, population, parent in Area.objects.filter(area_type__code=geography_key).values_list(
            "code", "name", "population", "parent_id"
        ):
            found = {}
            while parent in above:
                found.setdefault(above[parent][1], above[parent][0])
                parent = above[parent][2]
            rows.append((code, name, found.get(AreaType.Level.LOCAL_AUTHORITY, name),
                         found.get(AreaType.Level.REGION, ""), population))  # fmt: skip
        if not rows:
            raise DataError(WHERE, f"no {GEOGRAPHIES[geography_key][1]} are loaded")
        frame = pd.DataFrame(rows, columns=AREA_COLUMNS)
        frame["population"] = frame["population"].astype(float)
        return frame
