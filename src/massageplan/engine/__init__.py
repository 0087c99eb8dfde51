"""The engine layer: a profile's facts, the condition language, and the engines that
evaluate it (durable-rules, or the library's own evaluator), behind one seam.

Imports the model layer only.
"""
