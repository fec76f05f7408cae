"""The lineage script's reading of the merger notes (scripts/build_lineage_seeds.py): names
matched whatever the spelling of their tones, partial transfers and district hints read from
the wording, and a name the rules cannot place reported, never guessed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import build_lineage_seeds as lineage  # noqa: E402

SUFFIX = " Bỏ cấp huyện. Số: 1656/NQ-UBTVQH15; Ngày: 16/06/2025"


def new_unit(note: str, name: str = "Xã Mới", code: str = "99001") -> lineage.NewUnit:
    unit = lineage.NewUnit(code, code, name, "commune", "01", note + SUFFIX)
    lineage.parse_note(unit)
    return unit


def commune(code: str, name: str, district: str, unit_type: str = "commune") -> lineage.OldUnit:
    return lineage.OldUnit(code, f"Xã {name}", "commune", unit_type, district, "01", district, name)


@pytest.mark.parametrize(
    ("one", "other"),
    [("Thuỷ An", "Thủy An"), ("NgọcThụy", "Ngọc Thụy"), ("04", "4"), ("H’Leo", "H'leo")],
)
def test_names_match_whatever_the_tone_placement_spacing_or_leading_zeros(one, other):
    assert lineage.name_key(one) == lineage.name_key(other)


def test_names_that_differ_by_a_tone_stay_apart():
    assert lineage.name_key("Tân An") != lineage.name_key("Tấn An")


def test_a_merger_note_gives_each_old_unit_its_type_and_whether_it_went_only_in_part():
    unit = new_unit(
        "Đổi tên từ phường Trúc Bạch thành phường Ba Đình, hợp nhất phường Quán Thánh, "
        "phường Trúc Bạch, một phần phường Cửa Nam, 1 phần phường Điện Biên"
    )
    strong = [(m.name, m.unit_type, m.partial) for m in unit.mentions if not m.weak]
    assert strong == [
        ("Quán Thánh", "ward", False),
        ("Trúc Bạch", "ward", False),
        ("Cửa Nam", "ward", True),
        ("Điện Biên", "ward", True),
    ]
    assert (unit.resolution, unit.resolution_date) == ("1656/NQ-UBTVQH15", "2025-06-16")
    assert lineage.formation_of(unit) == "partial"


def test_a_plural_type_carries_over_and_the_new_name_is_not_a_source():
    unit = new_unit(
        "Hợp nhất thị trấn Giồng Riềng và các xã Bàn Tân Định, Thạnh Hòa thành xã Giồng Riềng"
    )
    assert [(m.name, m.unit_type) for m in unit.mentions] == [
        ("Giồng Riềng", "township"),
        ("Bàn Tân Định", "commune"),
        ("Thạnh Hòa", "commune"),
    ]
    assert lineage.formation_of(unit) == "full_merger"


def test_district_hints_are_read_from_brackets_and_a_trailing_thuoc():
    bracketed = new_unit("Hợp nhất xã Tân Dân (huyện Phú Xuyên), xã Châu Can")
    assert [m.district_hint for m in bracketed.mentions] == ["Phú Xuyên", None]
    trailing = new_unit("Hợp nhất Phường 4, Phường 5 và Phường 9 thuộc quận Phú Nhuận")
    assert [(m.name, m.district_hint) for m in trailing.mentions] == [
        ("4", "Phú Nhuận"),
        ("5", "Phú Nhuận"),
        ("9", "Phú Nhuận"),
    ]


def test_a_unit_kept_unchanged_is_recognised():
    assert new_unit("Giữ nguyên, không sắp xếp.").formation == "kept"


def candidates(*units: lineage.OldUnit) -> dict[str, list[lineage.OldUnit]]:
    found: dict[str, list[lineage.OldUnit]] = {}
    for unit in units:
        found.setdefault(lineage.name_key(unit.bare_name), []).append(unit)
    return found


def test_a_name_found_in_two_districts_is_reported_not_guessed():
    pool = candidates(commune("00010", "Tân Lập", "001"), commune("00020", "Tân Lập", "002"))
    problems: list[str] = []
    matches = lineage.match_mentions(new_unit("Hợp nhất xã Tân Lập"), pool, [], problems)
    assert matches == []
    assert "ambiguous between 00010 Xã Tân Lập, 00020 Xã Tân Lập" in problems[0]


def test_the_district_of_the_notes_other_names_settles_a_repeated_name():
    pool = candidates(
        commune("00010", "Tân Lập", "001"),
        commune("00020", "Tân Lập", "002"),
        commune("00023", "Hòa Bình", "002"),
    )
    problems: list[str] = []
    matches = lineage.match_mentions(
        new_unit("Hợp nhất xã Tân Lập, xã Hòa Bình"), pool, [], problems
    )
    assert sorted((m.old.code, m.method) for m, _ in matches) == [
        ("00020", "district_context"),
        ("00023", "name_type"),
    ]
    assert problems == []


def test_a_name_one_letter_away_is_matched_and_listed_for_review():
    pool = candidates(commune("03460", "Hua Bun", "112"))
    problems: list[str] = []
    [(match, partial)] = lineage.match_mentions(new_unit("Hợp nhất xã Hua Bum"), pool, [], problems)
    assert (match.old.code, match.method, partial) == ("03460", "near_name", False)
    assert "matched by near name to 03460" in problems[0]


def test_a_note_in_decomposed_unicode_reads_like_a_composed_one():
    """Some notes of the source are in NFD (tone marks as separate characters): read as they
    were, their words ("thành", "huyện") did not match and whole districts were lost."""
    import unicodedata

    note = unicodedata.normalize(
        "NFD",
        "Sắp xếp toàn bộ diện tích tự nhiên, quy mô dân số của huyện Bạch Long Vĩ thành đặc "
        "khu có tên gọi là đặc khu Bạch Long Vĩ." + SUFFIX,
    )
    source = {"code": "11948", "name": "Đặc khu Bạch Long Vĩ", "parent_code": "31", "note": note}
    today = {
        "unit_code": "11948",
        "unit_name": "Đặc khu Bạch Long Vĩ",
        "unit_type": "special_zone",
        "province_code": "31",
    }
    [unit] = lineage.pair_new_units([source], [today], [])
    lineage.parse_note(unit)
    assert unit.whole_districts == ["Bạch Long Vĩ"]
