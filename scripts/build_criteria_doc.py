"""Write `docs/operating_quality_criteria.md` from `seeds/operating_quality_criteria.csv`.

The seed is the one place the operating-quality index's criteria are defined (group,
measure, direction, normalisation, thresholds, weight: docs/indicators.md G); this script
lays it out for readers, in Vietnamese and English, so the page cannot drift from the
weights the warehouse scores with.

    python scripts/build_criteria_doc.py          # write the page
    python scripts/build_criteria_doc.py --check  # exit 1 when the page is stale
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from generated_page import check_or_write, check_requested

REPO = Path(__file__).resolve().parents[1]
SEED = Path("seeds/operating_quality_criteria.csv")
OUTPUT = Path("docs/operating_quality_criteria.md")
GROUPS = {
    "performance": "Hiệu quả phục vụ / Performance (service results)",
    "effectiveness": "Hiệu lực / Effectiveness (outcomes against the norm)",
    "efficiency": "Hiệu suất / Efficiency (output against demand, money used)",
}
DIRECTIONS = {"higher_is_better": "↑ higher is better", "lower_is_better": "↓ lower is better"}


def read_criteria(seed: Path) -> list[dict[str, str]]:
    with seed.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def normalisation_text(row: dict[str, str]) -> str:
    if row["normalisation"] == "threshold":
        return f"threshold: 0 at {row['zero_at']}, 100 at {row['full_at']}"
    if row["normalisation"] == "minmax":
        return "min–max within the period"
    if row["full_at"] or row["zero_at"]:
        zero, full = float(row["zero_at"] or 0), float(row["full_at"] or 1)
        return f"percentile within the period: 0 at {zero:.0%}, 100 from {full:.0%}"
    return "percentile within the period"


def render(criteria: list[dict[str, str]]) -> str:
    total = sum(float(row["weight"]) for row in criteria)
    lines = [
        "# Operating-quality criteria / Bộ tiêu chí chất lượng vận hành",
        "",
        f"Generated from `{SEED.as_posix()}` by `scripts/build_criteria_doc.py`: edit the seed, "
        "then run the script (`make docs-criteria`). How the criteria combine into the index: "
        "[indicators.md G](indicators.md#g-the-operating-quality-index-and-its-use).",
        "",
    ]
    for group, title in GROUPS.items():
        rows = [row for row in criteria if row["group_code"] == group]
        weight = sum(float(row["weight"]) for row in rows)
        lines += [
            f"## {title}",
            "",
            f"Weight {weight:g} of {total:g}.",
            "",
            "| criterion | tên / name | formula | source (numerator ÷ denominator) "
            "| direction | normalisation | interval | weight |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in rows:
            lines.append(
                f"| `{row['criterion_id']}` | {row['criterion_name_vi']} / "
                f"{row['criterion_name_en']} | {row['formula']} | `{row['source_model']}`: "
                f"`{row['numerator_column']}` ÷ `{row['denominator_column']}` | "
                f"{DIRECTIONS[row['direction']]} | {normalisation_text(row)} | "
                f"{row['interval_method']} | {float(row['weight']):g} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    check = check_requested(argv, __doc__)
    text = render(read_criteria(REPO / SEED))
    stale = f"{OUTPUT} is stale: run python scripts/build_criteria_doc.py"
    return check_or_write(REPO / OUTPUT, text, check=check, stale=stale, wrote=f"wrote {OUTPUT}")


if __name__ == "__main__":
    sys.exit(main())
