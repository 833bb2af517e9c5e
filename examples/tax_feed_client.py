"""Pull payrecon's invoice change feed and keep every invoice's current signed XML in a folder.

    export PAYRECON_TAX_TOKEN=prt_…            # payrecon tokens create --name … --scope tax:read
    python tax_feed_client.py --base-url https://payrecon.example --out invoices/

Run it as often as you like: it remembers where it stopped (OUT/.cursor) and fetches only what
changed since. For each change it downloads the invoice's XML unless the file it already has
carries the same SHA-256, checks the bytes against that SHA-256, and writes the file
atomically. The cursor is saved after each page's files are on disk, so an interrupted run
picks up where it stopped and never misses a change. Needs `requests`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import requests

PAGE_SIZE = 500


class FeedClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout

    def get(self, path: str, **kwargs) -> requests.Response:
        """GET, waiting out 429 answers as long as Retry-After says; other errors raise."""
        while True:
            response = self.http.get(self.base_url + path, timeout=self.timeout, **kwargs)
            if response.status_code != 429:
                if response.status_code >= 400:
                    problem = response.text[:500]
                    raise SystemExit(f"GET {path}: HTTP {response.status_code}: {problem}")
                return response
            time.sleep(int(response.headers.get("Retry-After", "1")))


def sha256_of(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def save_invoice(client: FeedClient, item: dict, out: Path) -> bool:
    """Make out/<id>.xml the invoice's current XML; False when it already was."""
    target = out / f"{item['invoice_id']}.xml"
    if sha256_of(target) == item["xml_sha256"]:
        return False
    response = client.get(item["xml_url"])
    digest = hashlib.sha256(response.content).hexdigest()
    if f'"{digest}"' != response.headers.get("ETag"):
        raise SystemExit(f"{item['xml_url']}: the bytes do not match their ETag")
    write_atomically(target, response.content)
    return True


def pull(client: FeedClient, out: Path) -> tuple[int, int]:
    """Follow the feed to its end; returns (changes read, files written)."""
    out.mkdir(parents=True, exist_ok=True)
    cursor_file = out / ".cursor"
    cursor = cursor_file.read_text().strip() if cursor_file.exists() else None
    changes = written = 0
    while True:
        params: dict[str, str | int] = {"limit": PAGE_SIZE}
        if cursor:
            params["after"] = cursor
        page = client.get("/api/v1/tax/invoices", params=params).json()
        for item in page["items"]:
            changes += 1
            written += save_invoice(client, item, out)
        cursor = page["next_cursor"]
        write_atomically(cursor_file, cursor.encode("ascii"))
        if not page["has_more"]:
            return changes, written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="e.g. https://payrecon.example")
    parser.add_argument("--out", type=Path, required=True, help="folder for the XML files")
    args = parser.parse_args(argv)
    token = os.environ.get("PAYRECON_TAX_TOKEN")
    if not token:
        print("set PAYRECON_TAX_TOKEN to a token with scope tax:read", file=sys.stderr)
        return 2
    changes, written = pull(FeedClient(args.base_url, token), args.out)
    print(f"{changes} changes read, {written} XML files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
