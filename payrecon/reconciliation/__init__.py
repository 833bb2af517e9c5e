"""Reconciliation: payments ↔ bank lines ↔ settlement batches ↔ dossiers ↔ invoices ↔ refunds.

The engine is pure (pandas frames in, frames out) and lives in four rooms:

- `frames.py`: the column contracts of the input and output frames, and their validator;
- `extract.py`: payment references found in remittance text, vectorised, exact;
- `matching.py`: matches by reference and amount, by settlement batch, and ranked proposals;
- `classify.py`: the exception kinds, their fingerprints and evidence;
- `engine.py`: `reconcile(...)`, the front door that runs the steps in DESIGN.md order.

Loading the frames from the database, storing runs and reporting come with the service.
"""
