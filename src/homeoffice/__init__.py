"""homeoffice: psychosocial work environment and productivity in home office.

The core (instruments, scoring, classification, measures, analysis) is pure: it takes
tables and returns tables. Shells (CLI, web, importers) live around it.
"""

__version__ = "0.1.0"
