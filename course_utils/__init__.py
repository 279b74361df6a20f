"""Shared helpers for the CNN course: data, the book's reference outputs, checks, plotting, grading."""
