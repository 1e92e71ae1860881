"""A receipt's category when the reader gave none (the offline reader never does): by the kind of
shop its name says, else by what its items are.

Words are matched on case-folded text without accents (so ё is е, ä is a), in Cyrillic and Latin.
A word matches whole; ``*`` stands for any letters, so ``аптек*`` is a stem ("Аптека", "аптечный")
and ``*saft`` the end of a German compound ("Apfelsaft"). Generic words come first in each list;
the few chains after them are the biggest of each country (DE, RU, UK, MY), whose names say nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from receiptbot.reading.model import Category, DocumentType, PaymentDetails, Receipt

# What a shop's (or a payee's) name says it sells.
SHOP_WORDS: dict[Category, tuple[str, ...]] = {
    Category.groceries: (
        "supermarket*", "supermarkt*", "hypermarket*", "minimarket*", "market", "markets", "mart",
        "markt", "grocer*", "lebensmittel*", "cash & carry", "cash and carry", "bakery", "baker*",
        "backerei*", "baeckerei*", "metzgerei*", "fleischerei*", "butcher*", "confectioner*",
        "pasaraya*", "pasar raya", "kedai runcit",
        "супермаркет*", "гипермаркет*", "универсам*", "гастроном*", "продукт*", "пекарн*", "булочн*",
        # chains
        "aldi", "lidl", "rewe", "edeka", "kaufland", "netto", "penny", "real", "marktkauf", "norma",
        "globus", "tchibo", "tesco", "sainsbury*", "asda", "morrisons", "m&s", "marks & spencer",
        "co-op", "aeon", "mydin", "speedmart", "99 speed mart", "giant", "walmart", "target", "costco",
        "kroger", "пятерочка", "агроторг", "магнит", "тандер", "перекресток", "дикси", "лента",
        "ашан", "auchan", "вкусвилл", "азбука вкуса", "метро", "metro", "spar", "спар",
    ),
    Category.cafes: (
        "cafe*", "kafe*", "coffee*", "kaffee*", "restaurant*", "restoran*", "bistro*", "pizz*",
        "burger*", "grill*", "bar", "pub", "kebab*", "doner*", "sushi*", "imbiss*", "gaststatte*",
        "kantine*", "mensa", "canteen*", "food court", "kopitiam*", "kedai kopi", "kedai makan",
        "кафе", "кофейн*", "ресторан*", "бистро", "пицц*", "бургер*", "бар", "паб", "суши",
        "столов*", "трактир*", "шаурм*", "чайхан*",
        # chains
        "starbucks", "mcdonald*", "kfc", "burger king", "costa", "greggs", "pret", "макдоналдс",
        "вкусно и точка", "теремок", "шоколадниц*",
    ),
    Category.transport: (
        "азс", "автозаправ*", "tankstelle*", "petrol*", "fuel*", "gas station", "taxi*", "такси",
        "parking", "car park", "parkhaus*", "парковк*", "bahn", "railway*", "ржд", "метрополитен*",
        "автовокзал*", "аэроэкспресс*",
        # chains
        "shell", "aral", "esso", "petronas", "uber", "лукойл*", "роснефть", "газпромнефть",
        "татнефть",
    ),
    Category.utilities: (
        "жкх", "жку", "жкс", "водоканал*", "энергосбыт*", "теплосет*", "теплоэнерго*", "горгаз*",
        "межрегионгаз*", "управляющ* компан*", "тсж", "stadtwerke*", "telecom*",
        "telekom*", "telecommunication*", "электросвяз*", "ростелеком", "мтс", "билайн", "мегафон",
        "vodafone", "digi", "maxis", "celcom", "unifi", "tenaga nasional",
    ),
    Category.health: (
        "аптек*", "apothek*", "pharmacy", "pharmacie", "farmasi", "klinik*", "clinic*", "клиник*",
        "поликлиник*", "больниц*", "hospital*", "медицин*", "стоматолог*", "dental*", "zahnarzt*",
        "optik*", "optic*", "оптик*",
        # chains
        "boots", "guardian", "walgreens", "cvs", "ригла", "горздрав", "асна",
    ),
    Category.household: (
        "baumarkt*", "hardware*", "heimwerker*", "mobel*", "moebel*", "furniture*", "household*",
        "haushalt*", "electrical*", "мебел*", "хозтовар*", "хозяйствен*", "стройматериал*",
        # chains
        "ikea", "hornbach", "obi", "bauhaus", "toom", "hagebau", "roller", "poco", "mr diy",
        "mr. d.i.y.", "леруа мерлен", "leroy merlin", "castorama",
    ),
    Category.clothing: (
        "bekleidung*", "fashion*", "clothing", "apparel", "boutique*", "schuh*", "shoe*", "textil*",
        "pakaian", "kasut", "одежд*", "обув*",
        # chains
        "h&m", "c&a", "zara", "primark", "uniqlo", "deichmann", "gloria jeans", "спортмастер",
    ),
    Category.electronics: (
        "electronic*", "elektronik*", "электроник*", "computer*", "компьютер*", "бытов* техник*",
        # chains
        "mediamarkt", "media markt", "saturn", "currys", "senheng", "м.видео", "мвидео",
        "эльдорадо", "dns", "ситилинк",
    ),
    Category.beauty: (
        "kosmetik*", "cosmetic*", "косметик*", "parfum*", "perfum*", "парфюм*", "drogerie*",
        "friseur*", "barber*", "beauty", "salon*", "парикмахер*", "барбершоп*", "салон красоты",
        # chains
        "dm", "rossmann", "muller", "mueller", "douglas", "sephora", "watsons", "л'этуаль", "летуаль",
        "золотое яблоко", "рив гош", "магнит косметик",
    ),
    Category.kids: (
        "kids", "baby*", "toys", "toy", "spielwaren*", "детск*", "игрушк*",
        # chains
        "smyths", "mothercare", "детский мир",
    ),
    Category.leisure: (
        "kino*", "cinema*", "кино*", "theater*", "theatre*", "театр*", "museum*", "музе*",
        "book*", "buchhandlung*", "книг*", "книжн*", "hotel*", "hostel*", "отел*", "гостиниц*",
        "travel*", "reise*", "fitness*", "фитнес*",
        # chains
        "thalia", "popular book*", "читай-город",
    ),
}  # fmt: skip

# What an item (or a payment's purpose) is. Only words that name goods of one kind: a shop's
# name decides first, these count when the name says nothing.
GOODS_WORDS: dict[Category, tuple[str, ...]] = {
    Category.groceries: (
        "milch*", "*milch", "milk*", "joghurt*", "yog*urt*", "kase*", "kaese*", "*kase", "cheese*",
        "brot*", "*brot", "*brotchen", "*broetchen", "bread*", "baguette*", "butter*", "eier", "egg*",
        "fleisch*", "hahnchen*", "haehnchen*", "chicken*", "wurst*", "*wurst", "fisch*", "fish*",
        "obst", "gemuse*", "gemuese*", "fruit*", "vegetable*", "banan*", "apfel*", "*apfel", "apple*",
        "kartoffel*", "potato*", "tomat*", "zwiebel*", "onion*", "mandarin*", "clementin*", "kiwi*",
        "strawberr*", "mango*", "grape*", "saft*", "*saft", "juice*", "wasser", "water", "bier",
        "beer", "wein*", "wine*", "sekt*", "vodka*", "rum", "*tee", "tea", "zucker*", "*zucker",
        "sugar*", "mehl", "flour", "reis", "rice", "nudel*", "pasta*", "schokolad*", "*schokolade",
        "chocolate*", "choc", "chips", "crisps", "snack*", "ketchup*", "salat*", "salad*", "pfand*",
        "leergut*", "steak*", "mince", "pork", "beef",
        "roti", "susu", "telur", "beras", "gula", "ayam", "daging", "ikan", "sayur*", "bawang",
        "молок*", "йогурт*", "кефир*", "сметан*", "творог*", "сыр", "сыры", "сырок", "сырки", "хлеб*",
        "батон*", "булк*", "масло", "яйц*", "мяс*", "кур*", "колбас*", "сосиск*", "ветчин*", "рыб*",
        "овощ*", "фрукт*", "банан*", "яблок*", "картоф*", "томат*", "помидор*", "огур*", "лук", "сок",
        "вода", "воды", "пиво", "вино", "водк*", "чай", "сахар*", "мука", "крупа", "рис", "гречк*",
        "макарон*", "пельмен*", "печень*", "торт*", "конфет*", "шоколад*", "чипс*", "пакет*",
    ),
    Category.cafes: (
        "cappuccino", "latte", "espresso", "expresso", "americano", "flat white", "mocha*",
        "business lunch", "lunch", "gratuity", "trinkgeld", "bedienung", "service charge", "fried",
        "braised", "iced", "goreng", "nasi lemak", "teh tarik", "kopi",
        "капучино", "латте", "эспрессо", "американо", "бизнес-ланч", "ланч", "чаевые", "обслуживани*",
    ),
    Category.transport: (
        "аи-9*", "аи 9*", "аи9*", "дт", "бензин*", "топлив*", "дизел*", "diesel*", "benzin*",
        "kraftstoff*", "super e10", "super e5", "super plus", "petrol*", "unleaded", "ron 9*", "ron9*",
        "primax*", "fuel*", "parken", "parking*", "parkschein*", "парковк*", "проезд*", "fahrkarte*",
        "fahrschein*", "toll", "maut", "такси", "taxi*",
    ),
    Category.utilities: (
        "электроэнерг*", "электричеств*", "электроснабж*", "водоснабж*", "водоотвед*", "отоплени*",
        "горяч* вод*", "холодн* вод*", "газоснабж*", "капремонт*", "капитальн* ремонт*",
        "содержани* жил*", "квартплат*", "коммунальн*", "жку", "жкх", "интернет*", "internet*",
        "связь", "strom*", "heizung*", "nebenkosten*", "electricity", "broadband",
    ),
    Category.health: (
        "таблет*", "капсул*", "парацетамол*", "ибупрофен*", "аспирин*", "витамин*", "пластыр*",
        "сироп*", "капли", "мазь", "tablette*", "paracetamol*", "ibuprofen*", "aspirin*", "vitamin*",
        "pflaster*", "plaster*", "bandage*", "tropfen", "salbe", "nurofen", "нурофен",
    ),
    Category.household: (
        "reiniger*", "*reiniger", "spulmittel*", "waschmittel*", "*waschmittel", "geschirr*",
        "mullbeutel*", "muellbeutel*", "toilettenpapier*", "kuchenrolle*", "schraube*", "dubel*",
        "werkzeug*", "parkett*", "laminat*", "tapete*", "farbe", "kleber*", "dishwasher*",
        "detergent*", "toilet roll*", "bin bag*", "screw*", "serbuk cuci", "plastic*",
        "моющ*", "чистящ*", "стиральн*", "порошок", "губк*", "полотенц*", "туалетн* бумаг*",
        "мусор*", "посуд*", "краск*", "клей", "обои", "лампочк*", "инструмент*",
    ),
    Category.clothing: (
        "t-shirt*", "shirt*", "hemd*", "jeans", "kleid*", "jacke*", "jacket*", "socken", "socks",
        "sneaker*", "футболк*", "рубашк*", "джинс*", "платье", "куртк*", "носк*", "кроссовк*", "брюки",
    ),
    Category.electronics: (
        "usb*", "hdmi", "cable*", "kabel*", "кабел*", "smartphone*", "смартфон*", "ноутбук*", "laptop*",
        "наушник*", "kopfhorer*", "headphone*", "earphone*", "charger*", "ladegerat*", "зарядн*",
        "powerbank*", "телевизор*", "fernseher*", "iphone*",
    ),
    Category.beauty: (
        "шампун*", "shampoo*", "мыло", "soap*", "seife*", "duschgel*", "shower gel", "дезодорант*",
        "deodorant*", "зубн* паст*", "zahnpasta*", "toothpaste*", "помад*", "lipstick*", "mascara*",
        "тушь", "парфюм*", "parfum*", "lotion*", "*lotion", "cosmetic*", "kosmetik*", "косметик*",
        "стрижк*", "haarschnitt*",
    ),
    Category.kids: (
        "подгузник*", "diaper*", "nappies", "windel*", "pampers", "huggies", "детск* питани*",
        "babynahrung*", "игрушк*", "spielzeug*", "lego",
    ),
    Category.leisure: (
        "книга", "книги", "журнал*", "buch", "bucher", "zeitschrift*", "eintritt*", "kinokarte*",
        "кинобилет*", "popcorn",
    ),
}  # fmt: skip


def guess_category(receipt: Receipt) -> Category:
    """The receipt's own category (Gemini's) if it has one; else a utility bill's; else the kind of
    shop its name says; else what most of its items are; else ``Category.other``."""
    if receipt.category is not None:
        return receipt.category
    if receipt.document_type is DocumentType.utility_receipt:
        return Category.utilities
    payment = receipt.payment or PaymentDetails()
    shop = " ".join(filter(None, [receipt.merchant.name, payment.payee]))
    goods = [item.name for item in receipt.items] + ([payment.purpose] if payment.purpose else [])
    return _named_in(_SHOP_WORDS, shop) or _most_named(goods) or Category.other


@dataclass(frozen=True)
class _Word:
    category: Category
    pattern: re.Pattern[str]
    letters: int  # how specific it is: "куртк*" (a jacket) beats "кур*" (chicken) in "куртка"


def _fold(text: str) -> str:
    """Case-folded, without accents or diacritics (ё -> е, й -> и, ä -> a, ß -> ss): how OCR and
    people spell a word varies in exactly these."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _compile(table: dict[Category, tuple[str, ...]]) -> list[_Word]:
    words = []
    for category, spellings in table.items():
        for spelling in map(_fold, spellings):
            body = r"\s+".join(re.escape(part).replace(r"\*", r"\w*") for part in spelling.split())
            pattern = re.compile(rf"(?<!\w){body}(?!\w)")
            words.append(_Word(category, pattern, len(spelling.replace("*", ""))))
    return words


_SHOP_WORDS = _compile(SHOP_WORDS)
_GOODS_WORDS = _compile(GOODS_WORDS)


def _named_in(words: list[_Word], text: str) -> Category | None:
    """The category of the word printed first; at the same place, of the longer word ("Café am
    Markt" is a café, "OBI Markt" a DIY store, "Магнит Косметик" cosmetics)."""
    folded = _fold(text)
    found = [(match.start(), -word.letters, word) for word in words if (match := word.pattern.search(folded))]
    return min(found, key=lambda f: f[:2])[2].category if found else None


def _most_named(names: list[str]) -> Category | None:
    """The category that the most item names belong to; on a tie, the first such item's."""
    votes = Counter(category for name in names if (category := _named_in(_GOODS_WORDS, name)))
    return max(votes, key=votes.__getitem__) if votes else None
