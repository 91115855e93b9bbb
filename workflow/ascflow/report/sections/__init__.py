"""The report's sections, a module each, named as the report heads them.

Each module holds its section's sentences, pure functions of the facts the
workflow recorded that can be tested without rendering anything, and the
blocks that lay them out; :mod:`ascflow.report.document` puts the sections
in their order. ``formatting`` and ``runs`` are what several sections share.
"""
