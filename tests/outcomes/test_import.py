"""Local survey results: one import per wave, row-level errors, nothing half-written."""

from __future__ import annotations

import pytest

from commonground.outcomes import dashboards
from commonground.outcomes.importers import SurveyError, SurveyImport, import_survey
from commonground.outcomes.models import WellbeingMeasure
from commonground.places.models import Area, AreaValue, DataSet
from tests.conftest import run_cli

pytestmark = pytest.mark.django_db


def wave(tmp_path, name, rows, header="area_code,measure,value,measure_name,unit,direction"):
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def spec(dataset, period, theme=None):
    return SurveyImport(dataset=dataset, name=f"Survey {period}", source="Demo Borough residents' survey",
                        licence="Open Government Licence v3.0", period=period, theme=theme)  # fmt: skip


def test_two_waves_make_a_trend(tmp_path, demo):
    first = wave(tmp_path, "2024.csv", [
        "X05000002,feel_safe,61.5,Feel safe after dark,%,higher_less_need",
        "X05000001,feel_safe,70,Feel safe after dark,%,higher_less_need",
        "X05000002,know_neighbours,40,Know their neighbours,%,higher_less_need",
    ])  # fmt: skip
    counts = import_survey(first, spec("survey-2024", "2024", theme="safety"), "test")
    assert counts == {"values": 3, "measures": 2, "linked": 2, "created": 2}
    second = wave(tmp_path, "2025.csv", ["X05000002,feel_safe,66.0,Feel safe after dark,%,higher_less_need"])
    assert import_survey(second, spec("survey-2025", "2025"), "test")["linked"] == 1
    measure = WellbeingMeasure.objects.get(slug="feel-safe")
    assert measure.theme.slug == "safety" and measure.direction == "higher_less_need"
    board = dashboards.area_dashboard(Area.objects.get(code="X05000002"))
    row = next(m for t in board["themes"] for m in t["measures"] if m["slug"] == "feel-safe")
    assert [(p["period"], p["value"]) for p in row["series"]] == [("2024", 61.5), ("2025", 66.0)]
    assert row["change"] == "better"  # higher is better for feeling safe
    assert row["comparison"]["england"] == 66.0  # only one ward answered in 2025
    # re-importing a wave replaces it
    import_survey(wave(tmp_path, "again.csv", ["X05000003,feel_safe,50,,%,"]), spec("survey-2025", "2025"), "test")
    assert AreaValue.objects.filter(measure__dataset__slug="survey-2025").count() == 1


def test_every_bad_row_is_named_and_nothing_is_written(tmp_path, demo):
    path = wave(tmp_path, "bad.csv", [
        "X05000002,feel_safe,61.5,,,",
        "E99999999,feel_safe,12,,,",
        "X05000001,feel_safe,lots,,,",
        "X05000002,feel_safe,62,,,",
        "X05000003,Feel Safe,1,,,",
        "X05000004,feel_safe,nan,,,",
        "X05000005,feel_safe,3,,,sideways",
    ])  # fmt: skip
    with pytest.raises(SurveyError) as error:
        import_survey(path, spec("survey-2024", "2024"), "test")
    message = str(error.value)
    assert "6 bad rows, nothing imported" in message
    assert "line 3: no area has the code 'E99999999'" in message
    assert "line 4: value 'lots' is not a number" in message
    assert "line 5: a second value for X05000002 and feel_safe" in message
    assert "line 6: measure 'Feel Safe'" in message
    assert "line 7: value 'nan' is not a finite number" in message
    assert "line 8: direction 'sideways'" in message
    assert not DataSet.objects.filter(slug="survey-2024").exists()


def test_header_theme_and_dataset_are_checked(tmp_path, demo):
    with pytest.raises(SurveyError, match="the header has no value column"):
        import_survey(wave(tmp_path, "h.csv", ["X05000002,a"], header="area_code,measure"), spec("s", "1"), "t")
    with pytest.raises(SurveyError, match="--theme 'wellness' is not a theme"):
        import_survey(wave(tmp_path, "t.csv", ["X05000002,a,1,,,"]), spec("s", "1", theme="wellness"), "t")
    with pytest.raises(SurveyError, match="is not a survey"):
        import_survey(wave(tmp_path, "d.csv", ["X05000002,a,1,,,"]), spec("demo-imd", "1"), "t")
    assert DataSet.objects.filter(slug="demo-imd").exists()


@pytest.mark.sqlite
def test_import_survey_command(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    assert run_cli("init-demo", env=env).returncode == 0
    good = wave(tmp_path, "w.csv", ["X05000002,feel_safe,61.5,Feel safe,%,higher_less_need"])
    done = run_cli("outcomes", "import-survey", str(good), "--dataset", "survey-2024", "--period", "2024",
                   "--theme", "safety", "--format", "json", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"values": 1' in done.stdout and '"created": 1' in done.stdout
    bad = wave(tmp_path, "b.csv", ["X05000002,feel_safe,high,,,"])
    failed = run_cli("outcomes", "import-survey", str(bad), "--dataset", "survey-2025", "--period", "2025", env=env)
    assert failed.returncode == 1
    assert failed.stderr.startswith("Error: b.csv: 1 bad row, nothing imported: line 2: value 'high'")
