"""Write ReformWatch's reference seeds (`seeds/*.csv`) from the package and fixed design choices.

Facts: the current administrative units (package `vietnam-provinces` 2025.10.1, GSO codes) and
the public holidays. Simulated, with a fixed RNG seed: the procedure catalogue (calibrated to
the published counts in docs/sources.md) and the population. Design: the Decision 766 points,
staffing norms and required specialisations. Re-running writes byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from vietnam_provinces import Province, Ward

from orchestration.project_vars import reform_date

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
DEFAULT_SEED = 20250701
REFORM_DAY = reform_date()  # dbt var reform_date
DEVOLUTION_CUTOFF = date(2025, 9, 15)  # the "741 devolved by 15 Sept 2025" fact

PROVINCE_TYPES = {"THANH_PHO_TRUNG_UONG": "municipality", "TINH": "province"}
COMMUNE_TYPES = {"XA": "commune", "PHUONG": "ward", "DAC_KHU": "special_zone"}

# Published shape of the catalogue after 1 July 2025 (Ministry of Home Affairs, 3 July 2025).
PROVINCE_ACTIVE, COMMUNE_ACTIVE, ABOLISHED = 1261, 463, 74
FROM_CENTRAL, DEVOLVED_BY_CUTOFF = 556, 741
# Judgement calls (no published split): of the 463 commune-level procedures, 240 came from
# the abolished districts, 40 from the province, 60 from central; the remaining 123 were
# already commune-level. 240 + 40 + 461 central ones by 15 Sept make the 741.
COMMUNE_FROM = {"district": 240, "province": 40, "central": 60}


@dataclass(frozen=True)
class Sector:
    name: str
    share: tuple[float, float]  # relative number of procedures: (province, commune)
    days: tuple[int, int]  # statutory working days, inclusive range
    online: tuple[float, float, float]  # P(full), P(partial), P(none)
    fee: float  # P(fee-bearing)
    volume: tuple[float, float]  # relative demand per procedure: (province, commune)
    native: float  # 0..1: how likely a commune-level procedure was already commune-level
    names: tuple[tuple[str, ...], tuple[str, ...]]  # (province, commune) names, busiest first


SECTORS = (
    Sector(
        "Hộ tịch",
        (2, 14),
        (1, 5),
        (0.85, 0.12, 0.03),
        0.3,
        (0.5, 30),
        0.9,
        (
            (
                "Ghi vào Sổ hộ tịch việc hộ tịch đã giải quyết tại cơ quan có thẩm quyền "
                "nước ngoài",
                "Xác định lại dân tộc",
                "Đăng ký khai sinh có yếu tố nước ngoài",
            ),
            (
                "Đăng ký khai sinh",
                "Đăng ký khai tử",
                "Đăng ký kết hôn",
                "Cấp giấy xác nhận tình trạng hôn nhân",
                "Cấp bản sao trích lục hộ tịch",
                "Đăng ký nhận cha, mẹ, con",
                "Thay đổi, cải chính, bổ sung thông tin hộ tịch",
                "Đăng ký giám hộ",
                "Đăng ký lại khai sinh",
            ),
        ),
    ),
    Sector(
        "Tư pháp",
        (5, 6),
        (1, 10),
        (0.45, 0.40, 0.15),
        0.6,
        (1.0, 25),
        0.7,
        (
            (
                "Cấp Phiếu lý lịch tư pháp",
                "Đăng ký hoạt động văn phòng công chứng",
                "Đăng ký hoạt động tổ chức hành nghề luật sư",
                "Cấp thẻ công chứng viên",
                "Đăng ký hành nghề luật sư với tư cách cá nhân",
                "Thành lập Văn phòng thừa phát lại",
            ),
            (
                "Chứng thực bản sao từ bản chính",
                "Chứng thực chữ ký",
                "Chứng thực hợp đồng, giao dịch liên quan đến động sản",
                "Chứng thực di chúc",
                "Chứng thực văn bản thỏa thuận phân chia di sản",
                "Công nhận hòa giải viên",
            ),
        ),
    ),
    Sector(
        "Đất đai",
        (7, 10),
        (10, 30),
        (0.25, 0.50, 0.25),
        0.6,
        (2.0, 20),
        0.1,
        (
            (
                "Cấp Giấy chứng nhận quyền sử dụng đất cho tổ chức",
                "Giao đất, cho thuê đất cho tổ chức",
                "Gia hạn sử dụng đất",
                "Đăng ký biến động đất đai đối với tổ chức",
                "Cung cấp thông tin, dữ liệu đất đai",
                "Đính chính Giấy chứng nhận đã cấp",
            ),
            (
                "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu cho cá nhân",
                "Đăng ký biến động quyền sử dụng đất",
                "Chuyển mục đích sử dụng đất",
                "Đăng ký đất đai, tài sản gắn liền với đất lần đầu",
                "Hòa giải tranh chấp đất đai",
                "Giao đất, cho thuê đất cho cá nhân",
                "Xác nhận tiếp tục sử dụng đất nông nghiệp",
            ),
        ),
    ),
    Sector(
        "Xây dựng",
        (8, 5),
        (15, 20),
        (0.35, 0.45, 0.20),
        0.5,
        (0.5, 6),
        0.1,
        (
            (
                "Cấp giấy phép xây dựng công trình cấp I, cấp II",
                "Thẩm định báo cáo nghiên cứu khả thi đầu tư xây dựng",
                "Cấp chứng chỉ hành nghề hoạt động xây dựng",
                "Cấp chứng chỉ năng lực hoạt động xây dựng",
                "Cấp giấy phép hoạt động xây dựng cho nhà thầu nước ngoài",
                "Kiểm tra công tác nghiệm thu hoàn thành công trình",
            ),
            (
                "Cấp giấy phép xây dựng nhà ở riêng lẻ",
                "Cấp giấy phép sửa chữa, cải tạo nhà ở riêng lẻ",
                "Cấp giấy phép xây dựng có thời hạn",
                "Cấp giấy phép di dời công trình",
                "Thẩm định báo cáo kinh tế - kỹ thuật đầu tư xây dựng",
            ),
        ),
    ),
    Sector(
        "Đăng ký kinh doanh",
        (6, 4),
        (3, 5),
        (0.70, 0.25, 0.05),
        0.8,
        (2.0, 8),
        0.1,
        (
            (
                "Đăng ký thành lập công ty trách nhiệm hữu hạn",
                "Đăng ký thành lập công ty cổ phần",
                "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
                "Thông báo tạm ngừng kinh doanh",
                "Đăng ký thành lập doanh nghiệp tư nhân",
                "Giải thể doanh nghiệp",
                "Đăng ký hoạt động chi nhánh, văn phòng đại diện",
            ),
            (
                "Đăng ký thành lập hộ kinh doanh",
                "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
                "Tạm ngừng kinh doanh hộ kinh doanh",
                "Chấm dứt hoạt động hộ kinh doanh",
                "Đăng ký thành lập hợp tác xã",
            ),
        ),
    ),
    Sector(
        "Lao động - Thương binh và Xã hội",
        (8, 14),
        (5, 20),
        (0.40, 0.40, 0.20),
        0.05,
        (1.0, 15),
        0.5,
        (
            (
                "Giải quyết hưởng trợ cấp thất nghiệp",
                "Cấp giấy phép lao động cho người nước ngoài",
                "Cấp giấy phép hoạt động dịch vụ việc làm",
                "Đăng ký nội quy lao động",
                "Thành lập cơ sở trợ giúp xã hội",
                "Cấp giấy phép cho thuê lại lao động",
            ),
            (
                "Trợ cấp xã hội hằng tháng",
                "Hỗ trợ chi phí mai táng",
                "Xác định mức độ khuyết tật",
                "Công nhận hộ nghèo, hộ cận nghèo",
                "Giải quyết chế độ ưu đãi người có công",
                "Trợ giúp xã hội khẩn cấp",
                "Hỗ trợ học văn hóa, học nghề",
            ),
        ),
    ),
    Sector(
        "Giáo dục",
        (9, 5),
        (5, 20),
        (0.45, 0.35, 0.20),
        0.2,
        (0.4, 3),
        0.4,
        (
            (
                "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
                "Chỉnh sửa nội dung văn bằng, chứng chỉ",
                "Chuyển trường đối với học sinh trung học phổ thông",
                "Thành lập trường trung học phổ thông",
                "Công nhận trường đạt chuẩn quốc gia",
                "Đăng ký hoạt động trung tâm ngoại ngữ, tin học",
            ),
            (
                "Chuyển trường đối với học sinh tiểu học",
                "Miễn, giảm học phí",
                "Thành lập nhóm trẻ, lớp mẫu giáo độc lập",
                "Cho phép trường mầm non hoạt động giáo dục",
                "Xét duyệt chính sách hỗ trợ học sinh bán trú",
            ),
        ),
    ),
    Sector(
        "Y tế",
        (10, 3),
        (10, 30),
        (0.40, 0.40, 0.20),
        0.5,
        (0.5, 3),
        0.3,
        (
            (
                "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
                "Cấp giấy phép hoạt động khám bệnh, chữa bệnh",
                "Cấp chứng chỉ hành nghề dược",
                "Cấp giấy chứng nhận đủ điều kiện kinh doanh dược",
                "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
                "Cấp giấy xác nhận nội dung quảng cáo mỹ phẩm",
            ),
            (
                "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
                "Hỗ trợ chi phí khám, chữa bệnh cho người nghèo",
                "Xác nhận cơ sở kinh doanh thực phẩm nhỏ lẻ",
            ),
        ),
    ),
    Sector(
        "Tài chính",
        (6, 3),
        (5, 15),
        (0.40, 0.40, 0.20),
        0.2,
        (0.3, 1),
        0.2,
        (
            (
                "Thẩm tra quyết toán dự án hoàn thành",
                "Đăng ký mã số đơn vị có quan hệ với ngân sách",
                "Xác định giá đất cụ thể",
                "Quyết định giá thuê đất",
                "Xử lý tài sản công",
                "Thanh lý tài sản công",
            ),
            (
                "Thẩm định quyết toán dự án sử dụng vốn ngân sách xã",
                "Xác nhận nghĩa vụ tài chính của hộ gia đình, cá nhân",
            ),
        ),
    ),
    Sector(
        "Văn hóa",
        (7, 5),
        (5, 15),
        (0.45, 0.35, 0.20),
        0.4,
        (0.3, 2),
        0.5,
        (
            (
                "Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa",
                "Cấp thẻ hướng dẫn viên du lịch",
                "Cấp giấy phép triển lãm mỹ thuật",
                "Công nhận hạng cơ sở lưu trú du lịch",
                "Xếp hạng di tích cấp tỉnh",
                "Cấp giấy chứng nhận đủ điều kiện kinh doanh thể thao",
            ),
            (
                "Cấp giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
                "Thông báo tổ chức lễ hội",
                "Công nhận danh hiệu gia đình văn hóa",
                "Đăng ký hoạt động thư viện tư nhân",
            ),
        ),
    ),
    Sector(
        "Nông nghiệp",
        (9, 6),
        (5, 20),
        (0.40, 0.35, 0.25),
        0.4,
        (0.4, 2),
        0.3,
        (
            (
                "Cấp giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật",
                "Cấp giấy phép khai thác thủy sản",
                "Đăng ký tàu cá",
                "Cấp giấy chứng nhận kiểm dịch động vật",
                "Công nhận làng nghề truyền thống",
                "Cấp giấy chứng nhận đủ điều kiện sản xuất thức ăn chăn nuôi",
            ),
            (
                "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai",
                "Xác nhận bảng kê lâm sản",
                "Đăng ký nuôi động vật rừng thông thường",
                "Hỗ trợ đầu tư xây dựng phát triển thủy lợi nhỏ",
            ),
        ),
    ),
    Sector(
        "Giao thông vận tải",
        (8, 2),
        (3, 10),
        (0.55, 0.30, 0.15),
        0.85,
        (3.0, 1),
        0.2,
        (
            (
                "Cấp đổi giấy phép lái xe",
                "Cấp giấy phép lái xe quốc tế",
                "Cấp phù hiệu xe ô tô kinh doanh vận tải",
                "Cấp giấy phép kinh doanh vận tải bằng xe ô tô",
                "Đăng ký xe máy chuyên dùng",
                "Cấp giấy phép lưu hành xe quá tải trọng",
            ),
            ("Đăng ký phương tiện thủy nội địa", "Cấp phép thi công nút giao đấu nối vào đường xã"),
        ),
    ),
    Sector(
        "Tài nguyên và Môi trường",
        (6, 3),
        (15, 30),
        (0.30, 0.45, 0.25),
        0.5,
        (0.3, 1),
        0.2,
        (
            (
                "Cấp giấy phép môi trường",
                "Thẩm định báo cáo đánh giá tác động môi trường",
                "Cấp giấy phép khai thác khoáng sản",
                "Cấp giấy phép khai thác tài nguyên nước",
                "Cấp giấy phép thăm dò khoáng sản",
                "Đóng cửa mỏ khoáng sản",
            ),
            ("Đăng ký môi trường", "Xác nhận đăng ký khai thác nước dưới đất"),
        ),
    ),
    Sector(
        "Công thương",
        (7, 3),
        (7, 15),
        (0.50, 0.35, 0.15),
        0.6,
        (0.4, 1.5),
        0.3,
        (
            (
                "Cấp giấy chứng nhận đủ điều kiện kinh doanh xăng dầu",
                "Cấp giấy phép bán buôn rượu",
                "Đăng ký thực hiện khuyến mại",
                "Cấp giấy phép hoạt động điện lực",
                "Cấp giấy phép sử dụng vật liệu nổ công nghiệp",
            ),
            (
                "Cấp giấy phép bán lẻ rượu",
                "Cấp giấy phép bán lẻ sản phẩm thuốc lá",
                "Cấp giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai",
            ),
        ),
    ),
    Sector(
        "Nội vụ",
        (4, 4),
        (5, 20),
        (0.40, 0.35, 0.25),
        0.0,
        (0.2, 1),
        0.6,
        (
            (
                "Thành lập hội",
                "Phê duyệt điều lệ hội",
                "Thành lập quỹ xã hội, quỹ từ thiện",
                "Xét tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
                "Thi tuyển công chức",
            ),
            (
                "Tặng giấy khen của Chủ tịch Ủy ban nhân dân cấp xã",
                "Xét tặng danh hiệu Lao động tiên tiến",
                "Thành lập thôn, tổ dân phố mới",
            ),
        ),
    ),
    Sector(
        "Dân tộc và Tôn giáo",
        (2, 3),
        (5, 30),
        (0.35, 0.40, 0.25),
        0.0,
        (0.1, 0.5),
        0.8,
        (
            (
                "Công nhận tổ chức tôn giáo",
                "Đăng ký thuyên chuyển chức sắc, chức việc",
                "Chấp thuận tổ chức cuộc lễ ngoài cơ sở tôn giáo",
            ),
            (
                "Đăng ký sinh hoạt tôn giáo tập trung",
                "Thông báo danh mục hoạt động tôn giáo",
                "Đăng ký hoạt động tín ngưỡng",
            ),
        ),
    ),
    Sector(
        "Khoa học và Công nghệ",
        (4, 0),
        (5, 20),
        (0.55, 0.30, 0.15),
        0.5,
        (0.2, 0),
        0.0,
        (
            (
                "Cấp giấy chứng nhận đăng ký hoạt động khoa học và công nghệ",
                "Cấp giấy phép tiến hành công việc bức xạ",
                "Đăng ký chuyển giao công nghệ",
                "Cấp giấy phép hoạt động in",
                "Tiếp nhận công bố hợp chuẩn, hợp quy",
            ),
            (),
        ),
    ),
)
# Variants that turn a base name into further distinct, still readable procedures, most
# widely applicable first (a procedure's k-th round of its sector's names takes the k-th).
VARIANTS = (
    "",
    "cấp lại",
    "điều chỉnh, bổ sung",
    "trường hợp bị mất, hư hỏng",
    "có yếu tố nước ngoài",
    "đối với tổ chức",
    "đối với cá nhân",
    "liên thông",
    "thủ tục rút gọn",
    "cấp đổi",
    "gia hạn",
    "thu hồi",
    "cấp lần đầu",
    "sửa đổi",
    "chấm dứt",
    "tạm dừng",
    "đối với doanh nghiệp",
    "đối với hộ gia đình",
    "trong khu công nghiệp, khu kinh tế",
    "tại khu vực biên giới",
    "đối với nhà đầu tư nước ngoài",
    "trường hợp đặc thù",
)

# Approximate 2024 populations of the merged provinces (sum of their former provinces),
# in thousands; scaled so the nation totals NATIONAL_POPULATION.
NATIONAL_POPULATION = 101_000_000
PROVINCE_POPULATION_K = {
    "ha_noi": 8720,
    "cao_bang": 570,
    "tuyen_quang": 1870,
    "dien_bien": 640,
    "lai_chau": 490,
    "son_la": 1300,
    "lao_cai": 1780,
    "thai_nguyen": 1800,
    "lang_son": 800,
    "quang_ninh": 1360,
    "bac_ninh": 3620,
    "phu_tho": 3660,
    "hai_phong": 4660,
    "hung_yen": 3170,
    "ninh_binh": 3770,
    "thanh_hoa": 3760,
    "nghe_an": 3470,
    "ha_tinh": 1320,
    "quang_tri": 1570,
    "hue": 1240,
    "da_nang": 3070,
    "quang_ngai": 1830,
    "gia_lai": 3090,
    "khanh_hoa": 1880,
    "dak_lak": 2810,
    "lam_dong": 3260,
    "dong_nai": 4280,
    "ho_chi_minh": 14000,
    "tay_ninh": 2930,
    "dong_thap": 3400,
    "vinh_long": 3350,
    "an_giang": 3650,
    "can_tho": 3190,
    "ca_mau": 2130,
}
# Island special zones have known, small populations: fixed, approximate. Hoàng Sa has no
# resident population.
SPECIAL_ZONE_POPULATION = {
    "dac_khu_phu_quoc": 160_000,
    "dac_khu_van_don": 50_000,
    "dac_khu_cat_hai": 35_000,
    "dac_khu_phu_quy": 30_000,
    "dac_khu_ly_son": 22_000,
    "dac_khu_kien_hai": 20_000,
    "dac_khu_con_dao": 11_000,
    "dac_khu_co_to": 6_500,
    "dac_khu_tho_chau": 1_800,
    "dac_khu_bach_long_vi": 900,
    "dac_khu_con_co": 450,
    "dac_khu_truong_sa": 250,
    "dac_khu_hoang_sa": 0,
}
WARD_DENSITY = 2.2  # a ward holds ~2.2x the residents of a rural commune in the same province


def rng_for(seed: int, name: str) -> random.Random:
    """One generator per seed file, so changing one file never reshuffles another."""
    return random.Random(f"{seed}:{name}")


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder, stable)."""
    quotas = [total * w / sum(weights) for w in weights]
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    # "\n" endings and minimal quoting: stable diffs; commas in names get quoted.
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def admin_unit_rows() -> list[list[str]]:
    provinces = sorted(Province.iter_all(), key=lambda p: int(p.code))
    names = {int(p.code): p.name for p in provinces}
    rows = [
        [
            f"{int(p.code):02d}",
            p.name,
            "province",
            PROVINCE_TYPES[p.division_type.name],
            f"{int(p.code):02d}",
            p.name,
            p.codename,
        ]
        for p in provinces
    ]
    for ward in sorted(Ward.iter_all(), key=lambda w: int(w.code)):
        province = int(ward.province_code)
        rows.append(
            [
                f"{int(ward.code):05d}",
                ward.name,
                "commune",
                COMMUNE_TYPES[ward.division_type.name],
                f"{province:02d}",
                names[province],
                ward.codename,
            ]
        )
    return rows


def procedure_codes(rng: random.Random, n: int) -> list[str]:
    # National codes look like 1.004227 or 2.000815 (most start with 1); distinct numbers
    # make distinct codes whatever the prefix.
    return [f"{rng.choice('1112')}.{number:06d}" for number in rng.sample(range(1, 14000), n)]


def procedure_name(sector: Sector, level: int, k: int) -> str:
    names = sector.names[level] or sector.names[0]
    base, round_ = names[k % len(names)], k // len(names)
    if round_ == 0:
        return base
    variant = VARIANTS[round_] if round_ < len(VARIANTS) else f"trường hợp {round_}"
    return f"{base} ({variant})"


def demand_weight(rng: random.Random, sector: Sector, level: int, k: int) -> float:
    """Relative dossier demand: sector × level base, flagship names busiest, variants far
    quieter, lognormal noise for the heavy tail the dossier simulator samples from."""
    n_names = len(sector.names[level] or sector.names[0])
    base_rank, variant_round = k % n_names, k // n_names
    shape = (1 + base_rank) ** -0.6 * (1 + variant_round) ** -2.5
    return (sector.volume[level] or 0.2) * shape * rng.lognormvariate(0, 0.9)


def catalogue_skeleton(rng: random.Random) -> list[dict]:
    """Rows with sector, level and status: counts per level split across sectors by share."""
    rows: list[dict] = []
    for level, total in ((0, PROVINCE_ACTIVE), (1, COMMUNE_ACTIVE)):
        counts = allocate(total, [s.share[level] for s in SECTORS])
        for sector, n in zip(SECTORS, counts, strict=True):
            rows += [{"sector": sector, "level": level, "status": "active"} for _ in range(n)]
    counts = allocate(ABOLISHED, [sum(s.share) for s in SECTORS])
    for sector, n in zip(SECTORS, counts, strict=True):
        for _ in range(n):
            # abolished procedures sat at either level, in proportion to the sector's shares
            level = int(rng.random() < sector.share[1] / sum(sector.share))
            rows.append({"sector": sector, "level": level, "status": "abolished"})
    return rows


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def assign_devolution(rng: random.Random, rows: list[dict]) -> None:
    """devolved_from / devolved_on calibrated to the 556 from-central and 741-by-cutoff facts."""
    commune = [r for r in rows if r["status"] == "active" and r["level"] == 1]
    province = [r for r in rows if r["status"] == "active" and r["level"] == 0]
    # commune procedures of "native" sectors (civil status, religion) were mostly there before
    commune.sort(key=lambda r: rng.random() + r["sector"].native)
    origins = [o for o, n in COMMUNE_FROM.items() for _ in range(n)]
    rng.shuffle(origins)
    # the lowest-ranked get a former level; the last 123 (mostly native sectors) keep none
    for row, origin in zip(commune, origins, strict=False):
        row["devolved_from"] = origin
    for row in rng.sample(province, FROM_CENTRAL - COMMUNE_FROM["central"]):
        row["devolved_from"] = "central"
    # District procedures moved with the reform itself; the rest were dated by decree, a
    # large share on the first day, and enough of the central ones by the cutoff for 741.
    central = [r for r in rows if r.get("devolved_from") == "central"]
    rng.shuffle(central)
    early = DEVOLVED_BY_CUTOFF - COMMUNE_FROM["district"] - COMMUNE_FROM["province"]
    for row in rows:
        if row.get("devolved_from") == "district":
            row["devolved_on"] = REFORM_DAY
        elif row.get("devolved_from") == "province":
            row["devolved_on"] = early_devolution_day(rng)
    for i, row in enumerate(central):
        if i < early:
            row["devolved_on"] = early_devolution_day(rng)
        else:
            row["devolved_on"] = random_day(
                rng, DEVOLUTION_CUTOFF + timedelta(1), date(2025, 12, 31)
            )


def early_devolution_day(rng: random.Random) -> date:
    return REFORM_DAY if rng.random() < 0.5 else random_day(rng, REFORM_DAY, DEVOLUTION_CUTOFF)


def procedure_catalogue_rows(seed: int) -> list[list[str]]:
    rng = rng_for(seed, "procedure_catalogue")
    rows = catalogue_skeleton(rng)
    assign_devolution(rng, rows)
    codes = procedure_codes(rng, len(rows))
    counters: dict[tuple[str, int], int] = {}
    out = []
    for row, code in zip(rows, codes, strict=True):
        sector, level = row["sector"], row["level"]
        k = counters[sector.name, level] = counters.get((sector.name, level), -1) + 1
        capability = rng.choices(("full", "partial", "none"), weights=sector.online)[0]
        weight = demand_weight(rng, sector, level, k)
        devolved_on = row.get("devolved_on")
        out.append(
            [
                code,
                procedure_name(sector, level, k),
                sector.name,
                ("province", "commune")[level],
                str(rng.randint(*sector.days)),
                capability,
                "true" if rng.random() < sector.fee else "false",
                row.get("devolved_from", ""),
                devolved_on.isoformat() if devolved_on else "",
                row["status"],
                f"{max(weight, 0.0001):.4f}",
            ]
        )
    return sorted(out, key=lambda r: (r[3] != "province", r[2], r[0]))


def population_rows(seed: int, units: list[list[str]]) -> list[list[str]]:
    """Each province's total over its units: special zones fixed, wards denser than communes."""
    rng = rng_for(seed, "population")
    codenames = {u[0]: u[6] for u in units if u[2] == "province"}
    scale = NATIONAL_POPULATION / (1000 * sum(PROVINCE_POPULATION_K.values()))
    communes = [u for u in units if u[2] == "commune"]
    out = []
    for province_code, codename in codenames.items():
        members = [u for u in communes if u[4] == province_code]
        fixed = {u[0]: SPECIAL_ZONE_POPULATION[u[6]] for u in members if u[3] == "special_zone"}
        rest = [u for u in members if u[0] not in fixed]
        target = round(PROVINCE_POPULATION_K[codename] * 1000 * scale) - sum(fixed.values())
        weights = [
            (WARD_DENSITY if u[3] == "ward" else 1.0) * rng.lognormvariate(0, 0.45) for u in rest
        ]
        out += [[u[0], str(n)] for u, n in zip(rest, allocate(target, weights), strict=True)]
        out += [[code, str(n)] for code, n in fixed.items()]
    return sorted(out)


def holiday_rows() -> list[list[str]]:
    """One row per official day off 2024–2027; make-up working Saturdays are not modelled."""
    tet = {
        2024: (date(2024, 2, 8), date(2024, 2, 14)),
        2025: (date(2025, 1, 25), date(2025, 2, 2)),
        2026: (date(2026, 2, 14), date(2026, 2, 22)),
        2027: (date(2027, 2, 5), date(2027, 2, 11)),
    }
    hung_kings = {
        2024: date(2024, 4, 18),
        2025: date(2025, 4, 7),
        2026: date(2026, 4, 26),
        2027: date(2027, 4, 16),
    }
    # National Day is 2 Sep plus one adjacent day, chosen each year (2025: 1–2 Sep).
    national_day_extra = {
        2024: date(2024, 9, 3),
        2025: date(2025, 9, 1),
        2026: date(2026, 9, 1),
        2027: date(2027, 9, 3),
    }
    days: dict[date, str] = {}
    for year in range(2024, 2028):
        days[date(year, 1, 1)] = "Tết Dương lịch"
        first, last = tet[year]
        for offset in range((last - first).days + 1):
            days[first + timedelta(offset)] = "Tết Nguyên Đán"
        days[hung_kings[year]] = "Giỗ Tổ Hùng Vương"
        days[date(year, 4, 30)] = "Ngày Giải phóng miền Nam, thống nhất đất nước"
        days[date(year, 5, 1)] = "Ngày Quốc tế Lao động"
        days[date(year, 9, 2)] = days[national_day_extra[year]] = "Quốc khánh"
    # A single-day holiday on a weekend is given back on the next working day (Labour Code).
    for day, name in sorted(days.items()):
        if name != "Tết Nguyên Đán" and day.weekday() >= 5:
            makeup = day + timedelta(1)
            while makeup.weekday() >= 5 or makeup in days:
                makeup += timedelta(1)
            days[makeup] = f"Nghỉ bù {name}"
    return [[d.isoformat(), n] for d, n in sorted(days.items())]


# Decision 766/QĐ-TTg groups (docs/indicators.md A). Progress 20 = the on-time rate 14 +
# processing time 6, scored as the working days taken ÷ the working days promised over
# dossiers completed (lower is better: full points when no more than half the promised time
# is used on average; at 1.0 every unit got full points, as dossiers use about two thirds
# of it, and lateness moved nothing).
# Digitisation 22 = result 8 + components 8 + reuse 6. Satisfaction 18 = handling 12 +
# feedback answered on time 6. `direction`: higher_is_better earns ratio × max ÷ threshold
# below the threshold; lower_is_better earns max × threshold ÷ ratio above it.
SERVICE_INDEX_POINTS = [
    [
        "transparency",
        "synced_share",
        "Dossiers synced to the national portal ÷ dossiers received",
        18,
        1.0,
        "higher_is_better",
    ],
    [
        "progress",
        "on_time_rate",
        "Finished early or on time plus open within due ÷ finished plus open at period end",
        14,
        1.0,
        "higher_is_better",
    ],
    [
        "progress",
        "processing_time_ratio",
        "Processing time: working days taken ÷ working days promised, "
        "dossiers completed with a result",
        6,
        0.5,
        "lower_is_better",
    ],
    [
        "online_service",
        "full_online_share",
        "Fully-online dossiers ÷ dossiers of fully-online-capable procedures",
        12,
        0.5,
        "higher_is_better",
    ],
    [
        "online_payment",
        "online_payment_share",
        "Dossiers paid online ÷ dossiers of fee-bearing procedures",
        10,
        0.8,
        "higher_is_better",
    ],
    [
        "digitisation",
        "result_digitised_share",
        "Dossiers with the result issued electronically ÷ dossiers completed with a result",
        8,
        1.0,
        "higher_is_better",
    ],
    [
        "digitisation",
        "components_digitised_share",
        "Dossiers with digitised components ÷ dossiers received",
        8,
        1.0,
        "higher_is_better",
    ],
    [
        "digitisation",
        "data_reused_share",
        "Dossiers reusing data from the population database ÷ dossiers received",
        6,
        1.0,
        "higher_is_better",
    ],
    [
        "satisfaction",
        "handling_satisfaction",
        "Satisfaction with dossier handling: 100% − (overdue rate + complaint rate)",
        12,
        0.9,
        "higher_is_better",
    ],
    [
        "satisfaction",
        "feedback_on_time_share",
        "Complaints answered by their due date ÷ complaints due (or answered)",
        6,
        1.0,
        "higher_is_better",
    ],
]

# Bands of the score out of 100 (a project choice: the decision's appendix was not
# available): the band whose min_score is the highest at or below the score.
SERVICE_INDEX_BANDS = [
    ["excellent", "Xuất sắc", "Excellent", 90],
    ["good", "Tốt", "Good", 80],
    ["fair", "Khá", "Fair", 65],
    ["average", "Trung bình", "Average", 50],
    ["weak", "Yếu", "Weak", 0],
]

# Cadres + civil servants per commune-level unit by population band (min inclusive, max
# exclusive, empty = open): Decree 33/2023 bands scaled to the ~3x larger merged units.
STAFFING_NORMS = [
    ["commune", 0, 10000, 22],
    ["commune", 10000, 20000, 26],
    ["commune", 20000, 35000, 30],
    ["commune", 35000, "", 35],
    ["ward", 0, 20000, 25],
    ["ward", 20000, 50000, 30],
    ["ward", 50000, 100000, 35],
    ["ward", 100000, "", 40],
    ["special_zone", 0, 5000, 15],
    ["special_zone", 5000, 30000, 22],
    ["special_zone", 30000, "", 30],
]
REQUIRED_SPECIALISATIONS = [
    [
        "justice_civil_status",
        "Tư pháp - Hộ tịch",
        "Civil status registration, certification and legal aid",
    ],
    ["land", "Địa chính", "Land registration, land-use change and land disputes"],
    [
        "finance_accounting",
        "Tài chính - Kế toán",
        "Commune budget, accounting and devolved revenue",
    ],
    ["construction", "Xây dựng - Đô thị", "Construction permits, planning and urban order"],
    [
        "it_digital",
        "Công nghệ thông tin - Chuyển đổi số",
        "One-stop-shop systems, online services and digitisation",
    ],
    ["culture_social", "Văn hóa - Xã hội", "Culture, education, health and social benefits"],
]


def build(out_dir: Path, seed: int) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    units = admin_unit_rows()
    files = {
        "admin_units": (
            [
                "unit_code",
                "unit_name",
                "unit_level",
                "unit_type",
                "province_code",
                "province_name",
                "codename",
            ],
            units,
        ),
        "procedure_catalogue": (
            [
                "procedure_code",
                "procedure_name",
                "sector",
                "level",
                "statutory_days",
                "online_capability",
                "fee_bearing",
                "devolved_from",
                "devolved_on",
                "status",
                "volume_weight",
            ],
            procedure_catalogue_rows(seed),
        ),
        "population": (["unit_code", "population"], population_rows(seed, units)),
        "holidays": (["holiday_date", "holiday_name"], holiday_rows()),
        "service_index_points": (
            [
                "group_code",
                "indicator_code",
                "indicator_name",
                "max_points",
                "full_points_at",
                "direction",
            ],
            SERVICE_INDEX_POINTS,
        ),
        "service_index_bands": (
            ["band_code", "band_name_vi", "band_name_en", "min_score"],
            SERVICE_INDEX_BANDS,
        ),
        "staffing_norms": (
            ["unit_type", "population_min", "population_max", "staff_norm"],
            STAFFING_NORMS,
        ),
        "required_specialisations": (
            ["specialisation", "specialisation_name_vi", "description"],
            REQUIRED_SPECIALISATIONS,
        ),
    }
    for name, (header, rows) in files.items():
        write_csv(out_dir / f"{name}.csv", header, rows)
    return {name: len(rows) for name, (_, rows) in files.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=SEEDS_DIR, help=f"directory for the CSVs (default: {SEEDS_DIR})"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"RNG seed of the simulated seeds (default: {DEFAULT_SEED})",
    )
    args = parser.parse_args(argv)
    for name, count in build(args.out, args.seed).items():
        print(f"{name}.csv: {count} rows")


if __name__ == "__main__":
    main()
