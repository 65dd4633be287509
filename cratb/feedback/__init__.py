"""Feedback reports: what the figures say to each establishment, prescriber and CPTS, and
their sending (docs/feedback.md)."""
