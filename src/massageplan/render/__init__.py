"""The render layer: plans and courses as text, Markdown and charts.

Imports the model layer only (the layers below plan are never needed to say a plan).
"""
