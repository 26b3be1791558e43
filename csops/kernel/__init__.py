"""The kernel every other part of csops stands on: where a home's files are, the published
state and the run record, the pseudonym key, identifiers and redaction. It imports nothing of csops."""
