"""Names of the banks behind the NAPAS BINs a collection account may use. Pure: a table.

Shown next to the QR code so a citizen who types the transfer by hand picks the right bank.
"""

from __future__ import annotations

BANK_NAMES: dict[str, str] = {
    "970415": "VietinBank",
    "970418": "BIDV",
    "970436": "Vietcombank",
    "970405": "Agribank",
    "970422": "MB",
    "970416": "ACB",
    "970407": "Techcombank",
    "970403": "Sacombank",
    "970423": "TPBank",
    "970448": "OCB",
}


def bank_name(bank_bin: str) -> str:
    """The bank's usual name, or 'BIN 970999' for one not in the table."""
    return BANK_NAMES.get(bank_bin, f"BIN {bank_bin}")
