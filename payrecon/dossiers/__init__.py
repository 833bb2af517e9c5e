"""Dossiers: the applications citizens file, each with the fee due for its procedure.

Front door: `payrecon.dossiers.service` (import_dossiers, upsert_dossier) and
`payrecon.dossiers.queries` (get_dossier, …). Rows come from the one-stop-shop system's
feed (CSV import or the JSON push endpoint).
"""
