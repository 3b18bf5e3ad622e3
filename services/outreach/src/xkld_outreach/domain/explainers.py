"""The two explainer texts the service ships with, as the first version of their templates:
the provincial loan policy (Vĩnh Long NQ 37/2016, as docs/loans.md describes it: nothing
invented beyond it) and Korea's EPS programme. Officers edit them afterwards (new versions).

The SMS text is unaccented, as SMS go out by default (GSM-7: 160 characters a part). The
announcement is the text read on the commune loudspeaker or the district radio. Pure."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Template:
    code: str
    title: str
    sms_text: str
    announcement: str
    zalo_template_id: str | None = None
    zalo_params: dict[str, str] = field(default_factory=dict)

    def insert_sql(self) -> str:
        """The seed row (version 1), dollar-quoted: the texts hold quotes and no `$x$`."""

        def q(value: str) -> str:
            assert "$x$" not in value
            return f"$x${value}$x$"

        zalo = "NULL" if self.zalo_template_id is None else q(self.zalo_template_id)
        return (
            "INSERT INTO message_template (code, version, title, sms_text, zalo_template_id, "
            "zalo_params, announcement, edited_by) VALUES ("
            f"{q(self.code)}, 1, {q(self.title)}, {q(self.sms_text)}, {zalo}, "
            f"{q(json.dumps(self.zalo_params, ensure_ascii=False))}::jsonb, "
            f"{q(self.announcement)}, 'seed')"
        )


LOAN_POLICY = Template(
    code="loan_policy_nq37",
    title="Chính sách vay vốn đi làm việc ở nước ngoài của tỉnh (NQ 37/2016/NQ-HĐND)",
    sms_text=(
        "UBND xa thong bao: nguoi lao dong co ho khau thuong tru trong tinh di lam viec o nuoc "
        "ngoai theo hop dong duoc vay von Ngan hang CSXH khong can the chap, toi da 100% chi "
        "phi hop phap. Lien he can bo xa de duoc huong dan."
    ),
    announcement=(
        "Thông báo của Ủy ban nhân dân xã về chính sách vay vốn đi làm việc ở nước ngoài theo "
        "hợp đồng.\n\n"
        "Thực hiện Nghị quyết số 37/2016/NQ-HĐND ngày 9 tháng 12 năm 2016 của Hội đồng nhân dân "
        "tỉnh và Quyết định số 368/QĐ-UBND ngày 28 tháng 2 năm 2017 của Ủy ban nhân dân tỉnh, "
        "người lao động có hộ khẩu thường trú trong tỉnh, cần tiền để chi trả chi phí đi làm "
        "việc ở nước ngoài theo hợp đồng, được Ngân hàng Chính sách xã hội cho vay không cần "
        "tài sản bảo đảm, ủy thác qua các hội, đoàn thể.\n\n"
        "Người lao động thuộc hộ nghèo, hộ cận nghèo, hộ bị thu hồi đất nông nghiệp, người dân "
        "tộc thiểu số, thân nhân người có công với cách mạng và bộ đội xuất ngũ, chưa được vay "
        "từ nguồn vốn trung ương, được vay đến 100% chi phí hợp pháp, cần thiết. Thời hạn vay "
        "không quá thời gian làm việc ở nước ngoài; lãi suất bằng lãi suất cho vay hộ nghèo "
        "do Thủ tướng Chính phủ quy định từng thời kỳ. Nguồn vốn là ngân sách tỉnh ủy thác "
        "hằng năm, nên có hạn.\n\n"
        "Bà con có nhu cầu xin liên hệ cán bộ lao động của xã để được hướng dẫn đăng ký."
    ),
    zalo_template_id="vay_von_tinh",
    zalo_params={
        "chinh_sach": "Nghị quyết 37/2016/NQ-HĐND",
        "muc_vay": "đến 100% chi phí hợp pháp",
        "lien_he": "cán bộ lao động xã",
    },
)

EPS_KOREA = Template(
    code="eps_korea",
    title="Chương trình EPS: làm việc tại Hàn Quốc",
    sms_text=(
        "UBND xa thong bao: chuong trinh EPS tuyen lao dong di lam viec tai Han Quoc. Nguoi "
        "thuoc nhom uu tien duoc vay tien ky quy den 100 trieu dong. Lien he can bo xa de "
        "dang ky hoc tieng Han va du thi."
    ),
    announcement=(
        "Thông báo của Ủy ban nhân dân xã về Chương trình cấp phép việc làm cho lao động nước "
        "ngoài của Hàn Quốc (Chương trình EPS).\n\n"
        "Chương trình EPS do Nhà nước tổ chức, người lao động không phải qua doanh nghiệp môi "
        "giới. Người muốn đi cần học tiếng Hàn và dự kỳ thi tiếng Hàn theo thông báo của cơ quan "
        "lao động, sau đó được chủ sử dụng lao động Hàn Quốc lựa chọn và ký hợp đồng.\n\n"
        "Người lao động thuộc các nhóm ưu tiên (hộ nghèo, hộ cận nghèo, dân tộc thiểu số, bộ "
        "đội xuất ngũ và các nhóm khác) có thể vay tiền ký quỹ đến 100 triệu đồng tại Ngân "
        "hàng Chính sách xã hội.\n\n"
        "Bà con có nhu cầu xin liên hệ cán bộ lao động của xã để được hướng dẫn đăng ký."
    ),
    zalo_template_id="eps_han_quoc",
    zalo_params={
        "chuong_trinh": "EPS Hàn Quốc",
        "vay_ky_quy": "đến 100 triệu đồng",
        "lien_he": "cán bộ lao động xã",
    },
)

SEED_TEMPLATES = (LOAN_POLICY, EPS_KOREA)
