"""The offline reader's categories: by the shop's name, else by the items, else "other"."""

from __future__ import annotations

import pytest

from receiptbot.reading.categories import guess_category
from receiptbot.reading.model import Category, DocumentType, Item, Merchant, PaymentDetails, Receipt
from receiptbot.reading.ocr.keywords import CHAINS


def receipt(merchant: str | None, *items: str, **fields) -> Receipt:
    return Receipt(merchant=Merchant(name=merchant), items=[Item(name=name) for name in items], **fields)


# Names and item lines as printed (and as OCR reads them: upper case, abbreviated, without ё).
BY_SHOP = [
    (receipt("Супермаркет «Продукты 24»"), Category.groceries),
    (receipt('ООО "Агроторг"', "ХЛЕБ БОРОДИНСКИЙ 400Г"), Category.groceries),
    (receipt("ПЯТЕРОЧКА"), Category.groceries),
    (receipt("Lebensmittel Yilmaz"), Category.groceries),
    (receipt("HAKASSAR FRESH MARKET SDN BHD"), Category.groceries),
    (receipt("Kaffeehaus Sacher", "Melange"), Category.cafes),
    (receipt("Кафе «Ромашка»", "Суп дня"), Category.cafes),
    (receipt("RESTORAN NASI KANDAR PELITA"), Category.cafes),
    (receipt("Café am Markt"), Category.cafes),  # the kind of shop printed first decides
    (receipt("АЗС № 142", "Масло моторное 5W-40"), Category.transport),
    (receipt("Shell Station Hamburg"), Category.transport),
    (receipt("Taxi Berlin GmbH"), Category.transport),
    (receipt('ПАО "Ростелеком"'), Category.utilities),
    (receipt("Аптека Ригла", "Нурофен таб. 200мг №10"), Category.health),
    (receipt("Apotheke am Rathaus"), Category.health),
    (receipt("GUARDIAN HEALTH AND BEAUTY"), Category.health),
    (receipt("OBI Markt Berlin"), Category.household),  # the chain, not the "Markt"
    (receipt("HOME MASTER HARDWARE & ELECTRICAL"), Category.household),
    (receipt("Магазин одежды «Лиса»"), Category.clothing),
    (receipt("Deichmann Schuhe"), Category.clothing),
    (receipt("MediaMarkt", "USB-C Kabel 2m"), Category.electronics),
    (receipt("М.Видео"), Category.electronics),
    (receipt("Магнит Косметик", "ХЛЕБ"), Category.beauty),  # the longer name: not the grocery chain
    (receipt("Friseur Haarscharf"), Category.beauty),
    (receipt("Детский мир"), Category.kids),
    (receipt("Кинотеатр «Октябрь»"), Category.leisure),
    (receipt("POPULAR BOOK CO. (M) SDN BHD"), Category.leisure),
]
BY_ITEMS = [
    (receipt("ИП Сидоров А.В.", "МОЛОКО 3,2% 1Л", "Бананы вес", "Батон нарезной"), Category.groceries),
    (receipt(None, "Apfelsaft", "Doppelbrötchen", "Emmentaler Stück"), Category.groceries),  # compounds
    (receipt("Kiosk 7", "Cappuccino", "Latte Macchiato"), Category.cafes),
    (receipt("ROSE GARDEN", "FRIED RICE", "ICED LEMON TEA"), Category.cafes),
    (receipt("Station 23", "Super E10 45,31 l"), Category.transport),
    (receipt("ТОРГОВАЯ ТОЧКА 5", "АИ-95-К5", "Кофе 0,3"), Category.transport),
    (receipt("EKZ Nord", "Parkschein 2 Std"), Category.transport),
    (receipt("Haus & Garten", "Spülmittel Zitrone", "Müllbeutel 35l"), Category.household),
    (receipt("ТЦ Радуга", "Куртка зимняя"), Category.clothing),  # not "кур*" (chicken)
    (receipt("ООО Вектор", "ШАМПУНЬ 400МЛ", "Дезодорант"), Category.beauty),
    (receipt("Partner", "Pampers Baby-Dry Gr. 4"), Category.kids),
    # The most items decide: one household item among groceries.
    (receipt("Shop 12", "Milch 1,5%", "Spülmittel", "Bananen", "Vollkornbrot"), Category.groceries),
]
OTHER = [
    receipt("ИП Петров И.И."),
    receipt("UNIHAKKA INTERNATIONAL SDN BHD"),
    receipt("Broadview Marketing Sdn Bhd"),  # "market" is a whole word, not the start of "marketing"
    receipt("Barcode Systems Ltd", "Label printer service"),  # "bar" is a whole word too
    receipt(None, "Usluga 1", "Position 2"),
    Receipt(),
]


@pytest.mark.parametrize(("read", "expected"), BY_SHOP + BY_ITEMS, ids=lambda v: getattr(v, "value", None))
def test_category_by_shop_name_then_items(read: Receipt, expected: Category) -> None:
    assert guess_category(read) is expected


@pytest.mark.parametrize("read", OTHER)
def test_unknown_merchant_without_telling_items_is_other(read: Receipt) -> None:
    assert guess_category(read) is Category.other


def test_the_readers_own_category_is_kept() -> None:
    gemini = receipt("LIDL", "Milch", category=Category.leisure)
    assert guess_category(gemini) is Category.leisure


def test_a_utility_receipt_is_utilities_whatever_its_words() -> None:
    bill = receipt("ЕИРЦ", "Молоко", document_type=DocumentType.utility_receipt)
    assert guess_category(bill) is Category.utilities


def test_a_payments_payee_and_purpose_count() -> None:
    by_payee = Receipt(
        document_type=DocumentType.payment_receipt, payment=PaymentDetails(payee="МУП Водоканал")
    )
    by_purpose = Receipt(
        document_type=DocumentType.payment_receipt,
        payment=PaymentDetails(payee="ООО Расчётный центр", purpose="Оплата за электроэнергию, май"),
    )
    assert guess_category(by_payee) is Category.utilities
    assert guess_category(by_purpose) is Category.utilities


@pytest.mark.parametrize(
    ("merchant", "expected"),
    [
        ("Пятёрочка", Category.groceries),
        ("BÄCKEREI KAMPS", Category.groceries),
        ("CAFÉ CENTRAL", Category.cafes),
    ],
)
def test_case_and_accents_do_not_matter(merchant: str, expected: Category) -> None:
    assert guess_category(receipt(merchant)) is expected
    assert (
        guess_category(receipt(merchant.upper().replace("Ё", "Е").replace("Ä", "A").replace("É", "E")))
        is expected
    )


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_every_chain_the_offline_reader_names_has_a_category(chain: str) -> None:
    assert guess_category(receipt(chain)) is not Category.other
