"""Every word on the citizen pages, Vietnamese first, English on request (?lang=en, then a cookie).

A plain table rather than a catalog toolchain: a few dozen strings, reviewed side by side, and
a test checks that both languages have every key.
"""

from __future__ import annotations

from flask import request

LANGUAGES = ("vi", "en")
COOKIE = "lang"

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "site": "Thanh toán phí, lệ phí hồ sơ",
        "switch": "English",
        "dossier": "Hồ sơ",
        "procedure": "Thủ tục",
        "agency": "Cơ quan thu",
        "fee_due": "Phí, lệ phí phải nộp",
        "paid": "Đã nộp",
        "outstanding": "Còn phải nộp",
        "choose": "Chọn cách thanh toán",
        "pay_vietqr": "Chuyển khoản bằng mã VietQR",
        "pay_vietqr_hint": "Quét mã bằng ứng dụng ngân hàng; số tiền và nội dung điền sẵn.",
        "pay_vnpay": "Thẻ ngân hàng, ví điện tử (VNPAY)",
        "pay_vnpay_hint": "Chuyển sang cổng thanh toán VNPAY rồi quay lại đây.",
        "fully_paid": "Hồ sơ đã được thanh toán đủ.",
        "cancelled": "Hồ sơ đã bị hủy; không thể thanh toán.",
        "nothing_due": "Hồ sơ không có khoản phí nào phải nộp.",
        "qr_title": "Quét mã để chuyển khoản",
        "bank": "Ngân hàng",
        "account": "Số tài khoản",
        "account_name": "Chủ tài khoản",
        "amount": "Số tiền",
        "amount_words": "Bằng chữ",
        "transfer_content": "Nội dung chuyển khoản",
        "transfer_hint": "Nếu nhập tay, hãy ghi đúng nội dung này (không cần dấu cách): "
        "đây là mã để chúng tôi nhận ra khoản nộp của bạn.",
        "expires": "Mã có hiệu lực đến",
        "check_status": "Kiểm tra trạng thái thanh toán",
        "status_title": "Trạng thái thanh toán",
        "reference": "Mã thanh toán",
        "method": "Hình thức",
        "status": "Trạng thái",
        "paid_at": "Thời điểm nộp",
        "transaction": "Mã giao dịch",
        "receipt": "Biên nhận thanh toán",
        "see_receipt": "Xem biên nhận",
        "receipt_documents": "Chứng từ",
        "no_documents": "Hóa đơn, biên lai điện tử sẽ xuất hiện tại đây khi được phát hành.",
        "back_to_dossier": "Quay lại hồ sơ",
        "return_title": "Kết quả từ cổng thanh toán",
        "return_unverified": "Không xác minh được thông tin trả về từ cổng thanh toán.",
        "return_note": "Trạng thái dưới đây là trạng thái chúng tôi đã ghi nhận.",
        "error_title": "Không thực hiện được",
        "duplicate_note": "Khoản này được nộp khi hồ sơ đã đủ tiền; cơ quan thu sẽ hoàn trả.",
        "method_vietqr": "Chuyển khoản VietQR",
        "method_vnpay": "VNPAY",
        "status_pending": "Đang chờ thanh toán",
        "status_succeeded": "Đã thanh toán",
        "status_failed": "Không thành công",
        "status_expired": "Đã hết hạn",
        "status_cancelled": "Đã hủy",
        "status_refund_pending": "Đang hoàn tiền",
        "status_refunded": "Đã hoàn tiền",
    },
    "en": {
        "site": "Pay the fees of your dossier",
        "switch": "Tiếng Việt",
        "dossier": "Dossier",
        "procedure": "Procedure",
        "agency": "Collecting agency",
        "fee_due": "Fee due",
        "paid": "Paid",
        "outstanding": "Still to pay",
        "choose": "Choose how to pay",
        "pay_vietqr": "Bank transfer with a VietQR code",
        "pay_vietqr_hint": "Scan with your banking app; amount and content are filled in.",
        "pay_vnpay": "Bank card or e-wallet (VNPAY)",
        "pay_vnpay_hint": "You go to the VNPAY payment page and come back here.",
        "fully_paid": "This dossier is fully paid.",
        "cancelled": "This dossier was cancelled; it cannot be paid.",
        "nothing_due": "Nothing is due on this dossier.",
        "qr_title": "Scan the code to transfer",
        "bank": "Bank",
        "account": "Account number",
        "account_name": "Account holder",
        "amount": "Amount",
        "amount_words": "In words",
        "transfer_content": "Transfer content",
        "transfer_hint": "If you type the transfer yourself, enter exactly this content (spaces "
        "do not matter): it is how we recognise your payment.",
        "expires": "The code is valid until",
        "check_status": "Check the payment status",
        "status_title": "Payment status",
        "reference": "Payment reference",
        "method": "Method",
        "status": "Status",
        "paid_at": "Paid at",
        "transaction": "Transaction id",
        "receipt": "Payment receipt",
        "see_receipt": "See the receipt",
        "receipt_documents": "Documents",
        "no_documents": "The e-invoice or e-receipt will appear here once it is issued.",
        "back_to_dossier": "Back to the dossier",
        "return_title": "Result from the payment gateway",
        "return_unverified": "The information sent back by the gateway could not be verified.",
        "return_note": "The status below is what we have recorded.",
        "error_title": "That did not work",
        "duplicate_note": "This money arrived after the dossier was paid; the agency will "
        "refund it.",
        "method_vietqr": "VietQR bank transfer",
        "method_vnpay": "VNPAY",
        "status_pending": "Waiting for payment",
        "status_succeeded": "Paid",
        "status_failed": "Failed",
        "status_expired": "Expired",
        "status_cancelled": "Cancelled",
        "status_refund_pending": "Being refunded",
        "status_refunded": "Refunded",
    },
}


def language() -> str:
    """?lang= wins, then the cookie, then Vietnamese."""
    wanted = request.args.get("lang") or request.cookies.get(COOKIE)
    return wanted if wanted in LANGUAGES else "vi"


def translator(lang: str):
    table = TEXTS[lang]

    def t(key: str) -> str:
        return table[key]

    return t
