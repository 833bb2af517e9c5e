"""The fee catalog: agencies, their collection bank accounts, and procedures with their fees.

Front door: `payrecon.catalog.service` (import_catalog, add_collection_account, update_agency)
and `payrecon.catalog.queries` for reads.
"""
