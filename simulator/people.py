"""People on a roster: Vietnamese names, citizen ID numbers, qualifications — drawn as codes
(indices into the lists below) and spelled out by Arrow, never one row at a time.

Names follow the usual family + middle + given pattern with the national frequencies of the
commonest family names; the northern mountain provinces add Tày, Nùng and Thái family names.
A citizen ID (CCCD) is 12 digits: the 3-digit code of the province of birth, a digit for the
century and sex (0/1 a man/woman born in the 1900s, 2/3 in the 2000s), the year of birth's
last two digits, and six digits. All of it is personal data: ingest drops the name and keeps
only a keyed hash of the ID and the age band of the birth date.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.events import coded

FAMILY = (
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng", 4.0),
    ("Huỳnh", 1.6),
    ("Phan", 4.5),
    ("Vũ", 3.9),
    ("Võ", 1.5),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đào", 0.8),
    ("Đinh", 0.7),
    ("Trịnh", 0.5),
    ("Mai", 0.4),
    ("Lương", 0.4),
    ("Hà", 0.5),
    ("Cao", 0.3),
    ("Tạ", 0.2),
    ("Lưu", 0.3),
    ("Triệu", 0.2),
    ("Nông", 0.1),
    ("Lò", 0.05),
    ("Quàng", 0.02),
    ("Cầm", 0.02),
    ("Lường", 0.02),
    ("Vi", 0.05),
)
# Cao Bằng, Điện Biên, Lai Châu, Sơn La, Lạng Sơn: Tày, Nùng and Thái family names are common.
MOUNTAIN_PROVINCES = ("04", "11", "12", "14", "20")
MOUNTAIN_BOOST = {
    "Hoàng": 3.0,
    "Nông": 60.0,
    "Triệu": 15.0,
    "Lò": 120.0,
    "Quàng": 120.0,
    "Cầm": 100.0,
    "Lường": 100.0,
    "Vi": 60.0,
    "Hà": 8.0,
    "Lương": 4.0,
}
MIDDLE_MALE = (
    "Văn",
    "Đức",
    "Minh",
    "Quang",
    "Hữu",
    "Công",
    "Thanh",
    "Xuân",
    "Ngọc",
    "Đình",
    "Mạnh",
    "Trọng",
    "Quốc",
    "Anh",
    "Hoàng",
    "Tiến",
    "Thế",
    "Duy",
)
MIDDLE_MALE_WEIGHT = (30, 8, 7, 5, 5, 5, 4, 4, 3, 5, 3, 3, 3, 3, 3, 2, 2, 2)
MIDDLE_FEMALE = (
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Minh",
    "Kim",
    "Hồng",
    "Thùy",
    "Phương",
    "Mai",
    "Bích",
    "Diệu",
    "Khánh",
    "Hải",
    "Thúy",
    "Ánh",
)
MIDDLE_FEMALE_WEIGHT = (40, 6, 5, 5, 4, 4, 4, 4, 3, 3, 2, 2, 2, 2, 2, 2)
GIVEN_MALE = (
    "An",
    "Anh",
    "Bảo",
    "Bình",
    "Cường",
    "Dũng",
    "Duy",
    "Đạt",
    "Đức",
    "Giang",
    "Hải",
    "Hào",
    "Hiếu",
    "Hoàng",
    "Hùng",
    "Huy",
    "Khánh",
    "Khoa",
    "Kiên",
    "Lâm",
    "Long",
    "Mạnh",
    "Minh",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Quân",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Thịnh",
    "Toàn",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Hưng",
    "Lộc",
    "Tú",
    "Hậu",
)
GIVEN_FEMALE = (
    "An",
    "Anh",
    "Chi",
    "Dung",
    "Duyên",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hồng",
    "Huệ",
    "Hương",
    "Huyền",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Tâm",
    "Thảo",
    "Thơ",
    "Thu",
    "Thúy",
    "Trang",
    "Uyên",
    "Vân",
    "Vy",
    "Yến",
    "Lý",
    "Nhàn",
)

# Qualifications by specialisation (index = the specialisation's code in SPECIALISATIONS;
# the last group is for leaders, the one before for staff without a specialisation).
QUALIFICATIONS = (
    (("Cử nhân Luật", 6), ("Thạc sĩ Luật", 1), ("Trung cấp Luật", 2)),
    (("Kỹ sư Quản lý đất đai", 5), ("Cử nhân Địa chính", 3), ("Trung cấp Địa chính", 2)),
    (("Cử nhân Kế toán", 6), ("Cử nhân Tài chính - Ngân hàng", 3), ("Cao đẳng Kế toán", 2)),
    (("Kỹ sư Xây dựng", 6), ("Kiến trúc sư", 1), ("Cử nhân Quản lý đô thị", 2)),
    (("Kỹ sư Công nghệ thông tin", 6), ("Cử nhân Hệ thống thông tin", 2), ("Cao đẳng Tin học", 2)),
    (("Cử nhân Văn hóa học", 3), ("Cử nhân Công tác xã hội", 4), ("Cử nhân Sư phạm", 2)),
    (("Cử nhân Hành chính học", 5), ("Thạc sĩ Quản lý công", 2), ("Cử nhân Luật", 2)),
    (("Kỹ sư Nông nghiệp", 5), ("Kỹ sư Lâm nghiệp", 2), ("Trung cấp Nông nghiệp", 2)),
    (("Trung cấp Công an", 4), ("Cử nhân An ninh nhân dân", 3)),
    (("Trung cấp Hành chính", 4), ("Cao đẳng Văn thư lưu trữ", 3), ("Cử nhân Kinh tế", 3)),
    (("Trung cấp Hành chính", 3), ("Cao đẳng Văn thư lưu trữ", 2), ("Tốt nghiệp THPT", 3)),
    (
        ("Thạc sĩ Quản lý công", 6),
        ("Thạc sĩ Kinh tế", 2),
        ("Cử nhân Luật", 2),
        ("Tiến sĩ Quản lý công", 0.3),
    ),
)
QUALIFICATION_NAMES = tuple(sorted({name for group in QUALIFICATIONS for name, _ in group}))


def weights(values) -> np.ndarray:
    w = np.asarray(values, dtype=float)
    return w / w.sum()


def draw_names(
    rng: np.random.Generator, province: str, female: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(family, middle, given) indices into FAMILY, MIDDLE_NAMES and GIVEN_NAMES."""
    n = len(female)
    family_weight = np.array([w for _, w in FAMILY])
    if province in MOUNTAIN_PROVINCES:
        boost = np.array([MOUNTAIN_BOOST.get(name, 1.0) for name, _ in FAMILY])
        family_weight = family_weight * boost
    family = rng.choice(len(FAMILY), n, p=weights(family_weight))
    middle = np.where(
        female,
        len(MIDDLE_MALE) + rng.choice(len(MIDDLE_FEMALE), n, p=weights(MIDDLE_FEMALE_WEIGHT)),
        rng.choice(len(MIDDLE_MALE), n, p=weights(MIDDLE_MALE_WEIGHT)),
    )
    given = np.where(
        female,
        len(GIVEN_MALE) + rng.integers(0, len(GIVEN_FEMALE), n),
        rng.integers(0, len(GIVEN_MALE), n),
    )
    return family, middle, given


MIDDLE_NAMES = np.array(MIDDLE_MALE + MIDDLE_FEMALE)
GIVEN_NAMES = np.array(GIVEN_MALE + GIVEN_FEMALE)
FAMILY_NAMES = np.array([name for name, _ in FAMILY])


def full_names(family: np.ndarray, middle: np.ndarray, given: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(
        coded(family, FAMILY_NAMES), coded(middle, MIDDLE_NAMES), coded(given, GIVEN_NAMES), " "
    )


def national_ids(
    rng: np.random.Generator,
    province: str,
    birth_day: np.ndarray,
    female: np.ndarray,
    province_codes: list[str],
) -> np.ndarray:
    """12-digit citizen IDs as int64 (written zero-padded): most people were born in the
    province they work in."""
    n = len(birth_day)
    home = rng.random(n) < 0.85
    elsewhere = np.array([int(c) for c in province_codes])[rng.integers(0, len(province_codes), n)]
    place = np.where(home, int(province), elsewhere)
    year = birth_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    century_sex = np.where(year >= 2000, 2, 0) + female.astype(np.int64)
    serial = rng.integers(0, 1_000_000, n)
    return place * 10**9 + century_sex * 10**8 + (year % 100) * 10**6 + serial


def id_strings(ids: np.ndarray) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(ids), pa.string()), 12, "0")


def draw_qualifications(rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
    """Index into QUALIFICATION_NAMES, drawn from each person's group (one draw per group)."""
    out = np.zeros(len(group), dtype=np.int64)
    lookup = {name: i for i, name in enumerate(QUALIFICATION_NAMES)}
    for g, options in enumerate(QUALIFICATIONS):  # a dozen groups, not one per person
        members = np.flatnonzero(group == g)
        if len(members) == 0:
            continue
        names = np.array([lookup[name] for name, _ in options])
        out[members] = names[
            rng.choice(len(options), len(members), p=weights([w for _, w in options]))
        ]
    return out
