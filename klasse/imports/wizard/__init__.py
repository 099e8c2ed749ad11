"""The import wizard, TOOLS › IMPORTEREN: upload → Koppel kolommen → Voorbeeld
gebruikerslijst → Importeer → voortgang en resultaat. One module per step."""
