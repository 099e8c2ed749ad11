import csv
import io

import openpyxl
from django.core.management import call_command

from klasse.accounts.programmes import load_catalogue
from klasse.exports.columns import HEADERS
from klasse.exports.writers import template_csv, template_xlsx

HEADER_LINE = (
    "achternaam;tussenvoegsel;voornaam;gebruikersnaam;wachtwoord;"
    "e-mailadres;klas;opleiding;rol;stamnummer;ECK iD;lesgroepen"
)


def xlsx_template() -> openpyxl.Workbook:
    out = io.BytesIO()
    template_xlsx(out)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def test_the_csv_templates_first_line_is_exactly_the_header_line():
    out = io.BytesIO()
    template_csv(out)
    first_line = out.getvalue().decode("utf-8-sig").split("\r\n")[0]
    assert first_line == HEADER_LINE


def test_the_csv_template_has_one_example_student():
    out = io.BytesIO()
    template_csv(out)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2
    example = dict(zip(HEADERS, rows[1], strict=True))
    assert example["rol"] == "leerling" and example["opleiding"] == "havo 3"
    assert example["wachtwoord"] == ""


def test_the_xlsx_template_has_the_headers_and_the_example_as_text():
    sheet = xlsx_template().worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet["J2"].value == "123456" and sheet["J2"].data_type == "s"


def test_the_xlsx_template_lists_all_56_catalogue_codes_on_sheet_opleidingen():
    sheet = xlsx_template()["Opleidingen"]
    codes = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert codes == [entry["code"] for entry in load_catalogue()]
    assert len(codes) == 56 and "havo 3" in codes and "mbo niveau 4" in codes
    # the combined first years Dutch schools use
    for code in ("havo/vwo 1", "vmbo-t/havo 2", "mavo/havo 2", "vwo/gymnasium 1", "brugklas 1"):
        assert code in codes


def test_the_xlsx_template_offers_drop_downs_for_opleiding_and_rol():
    sheet = xlsx_template().worksheets[0]
    lists = {
        str(validation.sqref): validation.formula1
        for validation in sheet.data_validations.dataValidation
        if validation.type == "list"
    }
    assert HEADERS.index("opleiding") == 7 and HEADERS.index("rol") == 8
    assert lists == {"H2:H5000": "'Opleidingen'!$A$1:$A$56", "I2:I5000": '"leerling,docent"'}


def test_the_template_command_writes_csv_to_standard_output(capsysbinary):
    call_command("template")
    assert capsysbinary.readouterr().out.startswith(b"\xef\xbb\xbf" + HEADER_LINE.encode())


def test_the_template_command_writes_xlsx_when_asked(tmp_path):
    call_command("template", fmt="xlsx", output=str(tmp_path / "sjabloon"))
    with open(tmp_path / "sjabloon", "rb") as file:
        workbook = openpyxl.load_workbook(file)
    assert workbook.sheetnames == ["Accounts", "Opleidingen"]
