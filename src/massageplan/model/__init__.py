"""The model layer: profiles, plans, courses, their words, errors and input limits.

Imports nothing of massageplan but ``_version`` and ``_gc_pause``.
"""
