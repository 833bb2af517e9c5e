"""Reconciliation: payments ↔ bank lines ↔ settlement batches ↔ dossiers ↔ invoices ↔ refunds.

The engine is pure (pandas frames in, frames out) and lives in these rooms:

- `frames.py`: the column contracts of the input and output frames, and their validator;
- `extract.py`: payment references found in remittance text, vectorised, exact;
- `steps.py`: what a matching step returns (`StepResult`), match rows, greedy pairing;
- `ids.py`: membership and uniqueness tests on many ids at once, with numpy;
- `matching.py`: matches by reference and amount, and by gateway settlement batch;
- `debits.py`: reversals paired with their credits, refunds with their bank debits;
- `named.py`: credits naming a cancelled dossier, an unknown dossier or an unknown reference;
- `proposals.py`: ranked proposals by amount and date where no reference helps;
- `classify.py`: the exception kinds, their fingerprints and evidence, dossier/invoice checks;
- `engine.py`: `reconcile(...)`, the front door that runs the steps in DESIGN.md order.

Around it: `inputs.py` loads the frames from the database, `service.py` runs and stores a run,
`queries.py` reads runs and exceptions back, `reports.py` writes the reports.
"""
