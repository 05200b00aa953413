"""Scenarios: the file format (model), loading with precise errors, grading and the timeline."""
