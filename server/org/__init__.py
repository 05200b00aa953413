"""The organisation's settings: the candidate notice and retention (`docs/PRIVACY.md`)."""
