"""Reading the ONS postcode directories: the layouts, terminated postcodes, and errors that name
the row and column. No database."""

from __future__ import annotations

import pytest

from commonground.engine.postcodes import PostcodeReader, normalise
from commonground.engine.tables import DataError

ONSPD = """pcd,pcd2,pcds,dointr,doterm,oa11,lsoa11,msoa11,lsoa21
AB1 2CD,AB1  2CD,AB1 2CD,198001,,E00000001,E01000001,E02000001,E01000001
AB1 2CE,AB1  2CE,AB1 2CE,198001,201904,E00000001,E01000001,E02000001,E01000001
AB12 3EF,AB12 3EF,AB12 3EF,198001,,E00000002,E01000002,E02000001,E01099999
ZZ9 9ZZ,ZZ9  9ZZ,ZZ9 9ZZ,198001,,S00000001,S01000001,S02000001,
SW1A1AA,SW1A 1AA,SW1A 1AA,198001,,E00000003,E01000003,E02000002,E01000003
"""


def _read(tmp_path, text: str, wanted: dict, chunk_rows: int = 1000, name: str = "onspd.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    reader = PostcodeReader(path, wanted, chunk_rows=chunk_rows)
    frames = list(reader.chunks())
    rows = [tuple(r) for f in frames for r in f[["row", "postcode", "vintage", "lsoa"]].itertuples(index=False)]
    return reader, rows


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ab1 2cd", "AB1 2CD"), (" SW1A1AA ", "SW1A 1AA"), ("M1  1AE", "M1 1AE"), ("gir0aa", "GIR 0AA"),
     ("AB1", None), ("HELLO", None), ("", None), ("12345", None), ("AB1 2C", None)],
)  # fmt: skip
def test_postcodes_are_normalised_to_their_published_form(text, expected):
    assert normalise(text) == expected


def test_live_postcodes_in_wanted_lsoas_are_kept_for_each_vintage(tmp_path):
    reader, rows = _read(tmp_path, ONSPD, {"lsoa11": {"E01000001", "E01000002"}, "lsoa21": {"E01000001"}})
    assert sorted(rows) == [
        (2, "AB1 2CD", "lsoa11", "E01000001"),
        (2, "AB1 2CD", "lsoa21", "E01000001"),
        (4, "AB12 3EF", "lsoa11", "E01000002"),
    ]
    assert (reader.rows, reader.terminated, reader.outside) == (5, 1, 2)
    assert reader.columns["postcode"] == "pcds" and reader.columns["doterm"] == "doterm"


def test_chunks_number_rows_like_a_spreadsheet(tmp_path):
    _, rows = _read(tmp_path, ONSPD, {"lsoa11": {"E01000003", "E01000002"}}, chunk_rows=2)
    assert sorted(rows) == [(4, "AB12 3EF", "lsoa11", "E01000002"), (6, "SW1A 1AA", "lsoa11", "E01000003")]


def test_nspl_headers_with_a_byte_order_mark_and_21_codes_only(tmp_path):
    text = "\ufeffPCDS,DOTERM,LSOA21CD\nAB1 2CD,,E01000001\nAB1 2CE,202001,E01000001\n"
    reader, rows = _read(tmp_path, text, {"lsoa21": {"E01000001"}})
    assert rows == [(2, "AB1 2CD", "lsoa21", "E01000001")]
    assert reader.terminated == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pcds,doterm,lsoa11\nAB1 2CD,,E01000001\nNOT A CODE,,E01000001\n",
         "row 3, column 'pcds': 'NOT A CODE' is not a postcode"),
        ("pcds,doterm,lsoa11\n,,E01000001\n", "row 2, column 'pcds': postcode is blank"),
        ("pcds,doterm,lsoa11\nAB1 2CD,,E01000001\nAB1 2CE,April,E01000001\n",
         "row 3, column 'doterm': 'April' is not a termination date (YYYYMM)"),
        ("pcds,doterm,lsoa11\nAB1 2CD,,E01000001\nab12cd,,E01000001\n",
         "row 3, column 'pcds': postcode AB1 2CD appears more than once"),
        ("postcode,lsoa11\nAB1 2CD,E01000001\n", "no column for the postcode; expected one of ['pcds'"),
        ("pcds,ward\nAB1 2CD,E05000001\n", "no column for the LSOA; expected one of ['lsoa11'"),
    ],
)  # fmt: skip
def test_bad_rows_are_named_by_row_and_column(tmp_path, text, message):
    with pytest.raises(DataError) as caught:
        _read(tmp_path, text, {"lsoa11": {"E01000001"}}, chunk_rows=1)
    assert message in str(caught.value)


def test_a_bad_postcode_outside_the_wanted_areas_does_not_matter(tmp_path):
    text = "pcds,doterm,lsoa11\nAB1 2CD,,E01000001\n???,,S01000001\n"
    _, rows = _read(tmp_path, text, {"lsoa11": {"E01000001"}})
    assert rows == [(2, "AB1 2CD", "lsoa11", "E01000001")]


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        list(PostcodeReader(tmp_path / "nope.csv", {"lsoa11": set()}).chunks())
