"""The service layer: how plans reach people and systems: the HTTP and CDS Hooks
service, FHIR, the web pages, booking files.

Imports every layer below it.
"""
