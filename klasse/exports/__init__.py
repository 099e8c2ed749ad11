"""Write a school's accounts, and the empty template, in the import file's own columns.

Plain modules, no app: `columns` turns an account into a row, `writers` streams rows to
CSV or XLSX. The `export` and `template` commands are thin adapters over them, and so is
TOOLS › EXPORTEREN (`views`, with its `forms` and `urls`).
"""
