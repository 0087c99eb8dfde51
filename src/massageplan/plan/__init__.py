"""The plan layer: plans assembled from the fired rules, checked against the
contract's invariants; batches, explanations, courses and verification.

Imports the rules, engine and model layers only.
"""
