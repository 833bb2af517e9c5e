"""Bank statements and gateway settlement reports.

This domain owns reading what banks and the card gateway tell us about money that moved, and
storing it as immutable evidence (tables in ``models``).

Front door (``service``; each call one transaction):
- ``import_statement_file(session, data, *, filename, actor, fmt="auto", account_number=None,
  max_bytes=..., progress=None) -> StatementImportResult``: all statements of a file or none;
  ``result.new_credit_line_ids`` are the booked credits other domains may settle payments with.
- ``import_settlement_file(session, data, *, filename, actor, max_bytes=...)``.
- ``import_statements_inbox(session, inbox_dir, *, actor) -> inbox.InboxReport``: every file
  dropped into the inbox folder, one transaction each, moved to processed/ or rejected/
  (the "import-statements-inbox" job; the file handling is in ``inbox``).
Reads (``queries``): ``load_bank_lines_frame`` / ``load_settlements_frame`` for reconciliation,
``get_statement``, ``statement_lines``. The import's pure decisions are in ``plan``; its bulk
inserts in ``store`` and ``settlement_store``.

Pure parsers (bytes in, located rows out; no database, no Flask):
- ``detect.parse_statement_file(data, filename, fmt="auto")``: the front door for statements;
  dispatches to ``camt.parse_camt`` (camt.052/053/054), ``mt940.parse_mt940``,
  ``bank_csv.parse_bank_csv`` / ``bank_csv.parse_bank_xlsx`` (generic layout and the exports of
  Vietcombank, VietinBank, BIDV and Techcombank).
- ``settlement_csv.parse_settlement_csv``: a VNPAY-style settlement report, as batches.
- ``balances.check_statement_balances`` / ``balances.check_continuity``: findings, never raises.
- ``parsed``: the frozen dataclasses every parser returns, and the minor-unit amount rules.
- ``xml_safety.parse_xml``: the one hardened way to turn untrusted bytes into an lxml tree.

Which rows carry money is documented on ``parsed.ParsedLine``: entry rows do, detail rows of a
batched entry do not, so summing ``carries_money`` rows never counts a batch twice.
"""
