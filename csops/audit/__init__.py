"""The audit: what a home's audit trail says about its runs, for `csops audit` and the app."""
