"""The rules layer: rule files read with their positions, their effects, the
Rulebase, and the profile space and conflict analysis over it. The built-in
rule files ship here, under ``builtin/``.

Imports the engine and model layers only.
"""
