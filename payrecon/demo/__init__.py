"""Demo data our own code generates: agencies, procedures, dossiers (and, as domains land, more).

Everything goes in through the real services (the same CSV import paths an operator uses),
so the demo exercises what production runs.
"""
