"""Write a school's accounts, and the empty template, in the import file's own columns.

`rows` reads the accounts in chunks, `columns` turns one into a row, `writers` streams
rows to CSV or XLSX. The `export` and `template` commands are thin adapters over them, and
so is TOOLS › EXPORTEREN (`views`, with its `forms` and `urls`). An app since a large
school's XLSX is made in the background: `models.ExportFile` keeps it in the database until
it is downloaded, `background` and `tasks` make it.
"""
