"""Tools that work from a checkout of this repository, not from the installed package.

- ``python -m tools.lib``: write the package modules generated from the chapters' ``# @save`` cells.
- ``python -m tools.notebooks``: generate the notebooks from the chapter scripts and execute them.
- ``python -m tools.opbench``: chapter 3's naive loops against NumPy, written to a report.
"""
