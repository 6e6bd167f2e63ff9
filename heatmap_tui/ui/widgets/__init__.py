"""Reusable Textual widgets; each module holds one widget and its helpers."""
