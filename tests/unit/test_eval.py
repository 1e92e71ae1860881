"""`make eval`'s scoring rules and output format, without the shared receipt images."""

import io
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from synthetic import FISCAL, encode, synthetic_scan

from tools import eval as receipt_eval
from tools import eval_preprocess, eval_text, phone_photos
from tools.eval import Reading, Truth

SUMMARY = re.compile(
    r"^eval set=(\S+) n=(\d+) total=(\d\.\d\d|-) date=(\d\.\d\d|-) merchant=(\d\.\d\d|-)"
    r" currency=(\d\.\d\d|-) qr_found=(\d+)$"
)


@pytest.mark.parametrize(
    ("read", "truth", "right"),
    [
        ("Дикси", 'АО "Дикси Юг"', True),  # the receipts' README's own example
        ("Пятерочка", 'ООО "Агроторг" (Пятёрочка)', True),  # the brand in parentheses, ё as е
        ("SPAR", 'ООО "ТД Интерторг" (SPAR)', True),
        ("Перекрёсток", 'ЗАО ТД "Перекресток"', True),
        ("LIDL", "Lidl GB", True),
        ("MR.D.I.Y. (M) SDN. BHD.", "MR. D.I.Y. (M) SDN BHD", True),  # punctuation does not count
        ("Kaufland Warenhandel GmbH", "kaufland", True),
        ("Магнит", 'АО "Дикси Юг"', False),
        ('ООО "Ромашка"', 'ООО "Буквоед"', False),  # a legal form in common makes no match
        ("M", "MR. D.I.Y. (M) SDN BHD", False),  # too short to be found inside a name
        ("", "Tesco", False),
        (None, "Tesco", False),
    ],
)
def test_merchant_matches_loosely(read: str | None, truth: str, right: bool) -> None:
    assert receipt_eval.merchant_matches(read, truth) is right


@pytest.mark.parametrize(
    ("read", "truth", "right"),
    [
        ("19.9", "19.90", True),
        ("129.90", "129.89", False),
        ("1234.50", "1234.5", True),
        (None, "4.75", False),
    ],
)
def test_totals_match_to_the_cent(read: str | None, truth: str, right: bool) -> None:
    assert receipt_eval.totals_match(Decimal(read) if read else None, Decimal(truth)) is right


def reading(truth: Truth, **read: object) -> Reading:
    return Reading("mini", truth, **read)  # type: ignore[arg-type]


def test_a_field_with_unknown_truth_is_neither_right_nor_wrong() -> None:
    cropped = Truth("tesco.jpg", "Tesco", None, Decimal("19.64"), "GBP")
    full = Truth("lidl.jpg", "Lidl GB", "2024-05-16", Decimal("28.64"), "GBP")
    readings = [
        reading(cropped, total=Decimal("19.64"), date="2024-05-16", merchant="TESCO", currency="gbp"),
        reading(full, total=Decimal("28.46"), date="2024-05-16", qr=True),
    ]

    assert readings[0].correct("date") is None
    assert [r.correct("date") for r in readings[1:]] == [True]
    assert receipt_eval.tally(readings, "date") == (1, 1)  # the denominator: known dates only
    assert receipt_eval.tally(readings, "total") == (1, 2)
    assert receipt_eval.summary_line("mini", readings) == (
        "eval set=mini n=2 total=0.50 date=1.00 merchant=0.50 currency=0.50 qr_found=1"
    )


def test_dev_names_carry_the_truth() -> None:
    assert receipt_eval.truth_from_name("lidl_07042020_06_01569.jpg") == Truth(
        "lidl_07042020_06_01569.jpg", "lidl", "2020-04-07", Decimal("15.69"), "EUR"
    )
    assert receipt_eval.truth_from_name("IMG_0001.jpg") is None


def test_truth_tsv_empty_cells_are_unknown(tmp_path: Path) -> None:
    (tmp_path / "truth.tsv").write_text(
        "file\tmerchant\tdate_iso\ttotal\tcurrency\ntesco.jpeg\tTesco\t\t19.50\tGBP\nx.jpg\t\t\t\t\n"
    )

    assert receipt_eval.find_sets(tmp_path) == [
        (
            tmp_path.name,
            tmp_path,
            [
                Truth("tesco.jpeg", "Tesco", None, Decimal("19.50"), "GBP"),
                Truth("x.jpg", None, None, None, None),
            ],
        )
    ]


def test_tsv_has_what_was_read_and_empty_cells_for_unknown() -> None:
    truth = Truth("a.jpg", "Tesco", None, Decimal("19.50"), "GBP")
    readings = [
        reading(
            truth, total=Decimal("19.5"), date="2024-01-15", merchant="Tesco\tStores", currency="GBP", qr=True
        ),
        reading(truth, note="rejected: blurry"),
    ]
    several, one = io.StringIO(), io.StringIO()

    receipt_eval.write_tsv(several, readings, with_set=True)
    receipt_eval.write_tsv(one, readings[1:], with_set=False)

    assert several.getvalue().splitlines() == [
        "set\tfile\ttotal\tdate\tmerchant\tcurrency\tqr",
        "mini\ta.jpg\t19.50\t2024-01-15\tTesco Stores\tGBP\t1",
        "mini\ta.jpg\t\t\t\t\t0",
    ]
    assert one.getvalue() == "file\ttotal\tdate\tmerchant\tcurrency\tqr\na.jpg\t\t\t\t\t0\n"


@pytest.mark.skipif(
    receipt_eval.tesseract_missing("test"),
    reason="Tesseract's traineddata is not installed (make system-deps)",
)
def test_the_tool_reads_a_set_and_prints_one_line_for_it(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    folder = tmp_path / "mini"
    folder.mkdir()
    (folder / "scan.jpg").write_bytes(encode(synthetic_scan(FISCAL)))
    (folder / "truth.tsv").write_text(
        'file\tmerchant\tdate_iso\ttotal\tcurrency\nscan.jpg\tООО "Ромашка"\t2024-01-15\t1234.50\tRUB\n'
    )
    out = tmp_path / "read.tsv"

    assert receipt_eval.main(["--dir", str(folder), "--out", str(out), "--workers", "1"]) == 0

    last = capsys.readouterr().out.splitlines()[-1]
    assert SUMMARY.match(last), last
    # The fiscal QR code wins over the text for the total and the date, as in extract.
    assert last.startswith("eval set=mini n=1 total=1.00 date=1.00 merchant=0.00 currency=1.00 qr_found=1")
    header, row = out.read_text().splitlines()
    assert header.split("\t") == ["file", "total", "date", "merchant", "currency", "qr"]
    assert row.split("\t")[:3] == ["scan.jpg", "1234.50", "2024-01-15"] and row.endswith("\t1")


def test_cpu_line_is_the_median_reading_against_the_target() -> None:
    truth = Truth("a.jpg", "Tesco", None, Decimal("1.00"), "GBP")
    readings = [reading(truth, read_cpu=s) for s in (0.5, 1.0, 4.0)]
    readings.append(reading(truth, read_cpu=0.0, note="rejected: blurry"))  # read nothing: not counted

    assert receipt_eval.cpu_line(readings) == (
        "eval cpu reading_median=1.00s n=4 (one core) target<=2.5s: within"
    )
    assert receipt_eval.cpu_line([reading(truth, read_cpu=3.0)]).endswith(": OVER")


def test_eval_preprocess_summary_compares_the_photos_with_the_originals() -> None:
    truth = Truth("a.jpg", "Tesco", "2024-05-16", Decimal("1.00"), "GBP")
    task = eval_preprocess.Task("mini", Path("a.jpg"), truth, "normal", 0)
    right, wrong = reading(truth, total=Decimal("1.00")), reading(truth, total=Decimal("2.00"))
    rows = [
        {"task": task, "flat": right, "photo": wrong, "preprocessed": right},
        {"task": task, "flat": right, "photo": wrong, "preprocessed": wrong},
    ]

    assert eval_preprocess.summary_line("mini", rows) == (
        "eval-preprocess set=mini n=2 total flat=1.00 photo=0.00 preprocessed=0.50 ratio=0.50"
        " date flat=0.00 photo=0.00 preprocessed=0.00 ratio=-"
    )


# Two boxes on one printed row (the label and its amount, the amount's box a little lower), as
# SROIE's box files have them: x1,y1,x2,y2,x3,y3,x4,y4,TEXT, a text may hold commas.
BOXES = """\
60,100,400,100,400,130,60,130,ABC TRADING SDN BHD
300,305,360,305,360,333,300,333,12.50
20,300,120,300,120,330,20,330,TOTAL
20,200,300,200,300,228,20,228,DATE: 05/03/2018, 10:12
"""


def test_eval_text_rebuilds_the_printed_rows_from_the_boxes() -> None:
    assert eval_text.printed_rows(BOXES) == "ABC TRADING SDN BHD\nDATE: 05/03/2018, 10:12\nTOTAL 12.50"


def test_eval_text_scores_the_parser_on_a_set(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "1.csv").write_text(BOXES)
    (tmp_path / "truth.tsv").write_text(
        "file\tmerchant\tdate_iso\ttotal\tcurrency\n1.csv\tABC TRADING SDN BHD\t2018-03-05\t12.50\tMYR\n"
    )

    assert eval_text.main(["--dir", str(tmp_path)]) == 0

    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith(
        f"eval-text set={tmp_path.name} n=1 total=1.00 date=1.00 merchant=1.00 currency=1.00"
    )


def test_a_photo_frames_the_print_not_the_scanner_bed() -> None:
    slip = synthetic_scan()  # 1500 x 640, print on white paper
    page = np.full((3500, 2500, 3), 255, np.uint8)  # an A4 scan with the slip in the middle
    page[1000:2500, 900:1540] = slip

    framed = phone_photos.framed(page)

    h, w = framed.shape[:2]
    assert h < 1500 and w < 640 * 1.2  # the print and a margin, not the empty page
    assert np.count_nonzero(framed < 128) == np.count_nonzero(page < 128)  # no print cut off
    # A photo whose table is dark keeps the whole image: the table is "print" to the threshold.
    photo = np.full((1280, 960, 3), 40, np.uint8)
    photo[200:1100, 300:700] = 230
    assert phone_photos.framed(photo).shape == photo.shape
