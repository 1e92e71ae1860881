"""Every text the user sees, in Russian and English (English for any other language).

Texts are Telegram HTML: values are escaped by ``text()``, the markup is ours.
"""

from __future__ import annotations

from html import escape
from typing import Any, Literal

Language = Literal["ru", "en"]


def language_of(language_code: str | None) -> Language:
    return "ru" if (language_code or "").lower().startswith("ru") else "en"


TEXTS: dict[str, dict[Language, str]] = {
    "help": {
        "en": (
            "<b>I read receipts.</b> Send me a photo of a shop, utility or payment receipt "
            "(or the image as a file) and I will answer with the merchant, date, total, items and tax.\n\n"
            "<b>For a good photo</b>: the whole receipt in the frame, flat, in good light, no strong "
            "shadows, held still.\n\n"
            "<b>Commands</b>\n/month: this month's spending\n/export: your receipts as a spreadsheet file\n"
            "/delete: delete everything I stored for you\n/help: this message\n\n"
            "<b>Privacy</b>: your photo is kept for {retention_days} days, then deleted; the data read from "
            "it is kept until you /delete it. Nothing is shared."
        ),
        "ru": (
            "<b>Я читаю чеки.</b> Пришлите фото кассового чека или квитанции (или картинку файлом), "
            "и я отвечу: продавец, дата, сумма, позиции и налог.\n\n"
            "<b>Как снять хорошо</b>: чек целиком в кадре, ровно, при хорошем свете, без резких теней, "
            "без дрожания.\n\n"
            "<b>Команды</b>\n/month: расходы за месяц\n/export: ваши чеки в файле для таблиц\n"
            "/delete: удалить всё, что я сохранил\n"
            "/help: эта справка\n\n"
            "<b>Приватность</b>: фото хранится {retention_days} дн. и удаляется; распознанные данные "
            "хранятся, пока вы их не удалите командой /delete. Мы никому их не передаём."
        ),
    },
    "received": {
        "en": "🧾 Receipt received, reading it…",
        "ru": "🧾 Чек получен, читаю…",
    },
    "not_an_image": {
        "en": "This does not look like a photo. Please send the receipt as a photo or as an image file "
        "(JPEG or PNG).",
        "ru": "Это не похоже на фото. Пришлите чек фотографией или картинкой (JPEG или PNG).",
    },
    "too_large": {
        "en": "This file is too large (the limit is 20 MB). Please send it as a photo instead.",
        "ru": "Файл слишком большой (не больше 20 МБ). Пришлите его как фото.",
    },
    "too_small": {
        "en": "The picture is too small to read. Please take the photo closer, with the receipt filling "
        "the frame.",
        "ru": "Картинка слишком маленькая. Снимите ближе, чтобы чек занимал весь кадр.",
    },
    "blurry": {
        "en": "The photo is too blurred to read. Please hold the phone still, let it focus, and try again.",
        "ru": "Фото слишком размыто. Держите телефон неподвижно, дождитесь фокуса и снимите ещё раз.",
    },
    "too_dark": {
        "en": "The photo is too dark to read. Please take it again in better light.",
        "ru": "Фото слишком тёмное. Снимите ещё раз при хорошем освещении.",
    },
    "no_document": {
        "en": "I could not find a receipt on this photo. Please photograph the receipt alone, flat, "
        "filling most of the frame.",
        "ru": "Я не нашёл на фото чек. Снимите чек отдельно, ровно, чтобы он занимал большую часть кадра.",
    },
    "not_a_receipt": {
        "en": "I could not read a receipt here: no total or date was found. If it is a receipt, please "
        "send a sharper photo.",
        "ru": "Не удалось прочитать чек: не найдены ни сумма, ни дата. Если это чек, пришлите более "
        "чёткое фото.",
    },
    "temporary_failure": {
        "en": "Something went wrong on our side. I will try again in a moment, no need to resend.",
        "ru": "У нас временная ошибка. Я попробую ещё раз, присылать заново не нужно.",
    },
    "final_failure": {
        "en": "Sorry, I could not read this receipt after several attempts. It has been kept and we will "
        "look into it. You can send the photo again later.",
        "ru": "Извините, не удалось прочитать этот чек после нескольких попыток. Мы сохранили его и "
        "разберёмся. Можно прислать фото ещё раз позже.",
    },
    "rate_limited": {
        "en": "You are sending receipts faster than I can take them ({limit} per {minutes} minutes). "
        "Please wait a few minutes and send this one again.",
        "ru": "Вы присылаете чеки слишком часто (не больше {limit} за {minutes} мин). Подождите "
        "несколько минут и пришлите этот чек снова.",
    },
    "not_allowed": {
        "en": "Sorry, this bot is private.",
        "ru": "Извините, это закрытый бот.",
    },
    "unsupported": {
        "en": "Please send me a photo of a receipt. /help tells you more.",
        "ru": "Пришлите мне фото чека. Подробнее: /help.",
    },
    "export_empty": {
        "en": "You have no receipts yet.",
        "ru": "У вас пока нет чеков.",
    },
    "export_caption": {
        "en": "Your receipts: {count}.",
        "ru": "Ваши чеки: {count}.",
    },
    "delete_confirm": {
        "en": "Delete all your stored photos and receipts? This cannot be undone.",
        "ru": "Удалить все ваши сохранённые фото и чеки? Это нельзя отменить.",
    },
    "delete_yes": {"en": "Yes, delete", "ru": "Да, удалить"},
    "delete_no": {"en": "Cancel", "ru": "Отмена"},
    "deleted": {
        "en": "Done: {count} receipts and every stored photo deleted.",
        "ru": "Готово: удалено чеков: {count}, и все сохранённые фото.",
    },
    "delete_cancelled": {"en": "Nothing was deleted.", "ru": "Ничего не удалено."},
    # The receipt card (receiptbot/render.py).
    "card_unknown_merchant": {"en": "Receipt", "ru": "Чек"},
    "card_date": {"en": "Date", "ru": "Дата"},
    "card_total": {"en": "Total", "ru": "Итого"},
    "card_items": {"en": "Items", "ru": "Позиции"},
    "card_tax": {"en": "Tax", "ru": "Налог"},
    "card_payment": {"en": "Paid by", "ru": "Оплата"},
    "card_payee": {"en": "Payee", "ru": "Получатель"},
    "card_account": {"en": "Account", "ru": "Лицевой счёт"},
    "card_period": {"en": "Period", "ru": "Период"},
    "card_more": {"en": "… and {count} more", "ru": "… и ещё {count}"},
    "card_check": {"en": "Please check", "ru": "Проверьте"},
    "card_read_from_qr": {
        "en": "Read from the receipt's fiscal QR code alone: it does not name the shop.",
        "ru": "Прочитано только по QR-коду чека: название магазина в нём не указано.",
    },
    "card_read_offline": {
        "en": "Read by the simpler offline reader: the main one was unavailable. Please check the figures.",
        "ru": "Прочитано упрощённым офлайн-распознаванием: основное было недоступно. Проверьте цифры.",
    },
    "warn_items_sum": {
        "en": "the items add up to {items_sum}, the total says {total}",
        "ru": "сумма позиций {items_sum}, а итог {total}",
    },
    "warn_future_date": {"en": "the date {date} is in the future", "ru": "дата {date} в будущем"},
    "warn_currency": {"en": "unknown currency {currency}", "ru": "неизвестная валюта {currency}"},
    "warn_qr_total": {
        "en": "the QR code says the total is {qr_total}, the print was read as {total}",
        "ru": "по QR-коду итог {qr_total}, а распознано {total}",
    },
    "warn_qr_date": {
        "en": "the QR code says the date is {qr_date}, the print was read as {date}",
        "ru": "по QR-коду дата {qr_date}, а распознано {date}",
    },
    "warn_no_total": {"en": "no total was found", "ru": "итог не найден"},
    # The record: categories, corrections, duplicates, month totals (bot/record_actions.py).
    "card_category": {"en": "Category", "ru": "Категория"},
    "card_edited": {"en": "✏️ corrected by you", "ru": "✏️ исправлено вами"},
    "card_duplicate": {
        "en": "Already saved: you sent this receipt on {date}. It is not counted twice.",
        "ru": "Уже сохранён: этот чек вы присылали {date}. Второй раз он не учтён.",
    },
    "card_kept": {"en": "Kept as a separate receipt.", "ru": "Сохранён как отдельный чек."},
    "card_month": {
        "en": "This month so far: {totals} ({count} receipts)",
        "ru": "За этот месяц: {totals} (чеков: {count})",
    },
    "card_deleted": {"en": "🗑 Receipt deleted.", "ru": "🗑 Чек удалён."},
    "btn_fix": {"en": "✏️ Fix", "ru": "✏️ Исправить"},
    "btn_category": {"en": "🏷 Category", "ru": "🏷 Категория"},
    "btn_delete": {"en": "🗑 Delete", "ru": "🗑 Удалить"},
    "btn_delete_sure": {"en": "🗑 Yes, delete it", "ru": "🗑 Да, удалить"},
    "btn_keep": {"en": "Keep anyway", "ru": "Всё равно сохранить"},
    "btn_back": {"en": "← Back", "ru": "← Назад"},
    "btn_fix_total": {"en": "Total", "ru": "Сумма"},
    "btn_fix_date": {"en": "Date", "ru": "Дата"},
    "btn_fix_merchant": {"en": "Shop", "ru": "Магазин"},
    "ask_total": {
        "en": "Send the correct total, for example 1234.50.",
        "ru": "Пришлите правильную сумму, например 1234,50.",
    },
    "ask_date": {
        "en": "Send the correct date, for example 15.01.2024.",
        "ru": "Пришлите правильную дату, например 15.01.2024.",
    },
    "ask_merchant": {
        "en": "Send the shop's name as it should appear.",
        "ru": "Пришлите название магазина, как его показывать.",
    },
    "bad_total": {
        "en": "That is not an amount. Send a number such as 1234.50: nothing was changed.",
        "ru": "Это не сумма. Пришлите число, например 1234,50: ничего не изменено.",
    },
    "bad_date": {
        "en": "That is not a date I can use. Send it as 15.01.2024: nothing was changed.",
        "ru": "Не получается понять дату. Пришлите её так: 15.01.2024. Ничего не изменено.",
    },
    "bad_merchant": {
        "en": "Send a name of 1 to 100 characters: nothing was changed.",
        "ru": "Пришлите название длиной от 1 до 100 символов: ничего не изменено.",
    },
    "fixed": {"en": "Saved. The receipt above is updated.", "ru": "Сохранено. Чек выше исправлен."},
    "fix_expired": {
        "en": "This question has expired. Press ✏️ Fix under the receipt again.",
        "ru": "Этот вопрос устарел. Нажмите «✏️ Исправить» под чеком ещё раз.",
    },
    "category_saved": {
        "en": "Category: {category}. I will use it for this shop from now on.",
        "ru": "Категория: {category}. Для этого магазина буду ставить её и дальше.",
    },
    "receipt_gone": {"en": "This receipt is no longer saved.", "ru": "Этого чека больше нет."},
    "button_not_yours": {
        "en": "This button is for the person it was shown to.",
        "ru": "Эта кнопка не для вас: ею может пользоваться только тот, кому она показана.",
    },
    "button_expired": {
        "en": "This button has expired. Send the command again.",
        "ru": "Кнопка устарела. Отправьте команду ещё раз.",
    },
    "button_unknown": {"en": "This button no longer works.", "ru": "Эта кнопка больше не работает."},
    "month_empty": {"en": "No receipts in this month.", "ru": "В этом месяце чеков нет."},
    "month_count": {"en": "Receipts: {count}", "ru": "Чеков: {count}"},
    "month_total": {"en": "Spent", "ru": "Потрачено"},
    "month_by_category": {"en": "By category", "ru": "По категориям"},
    "export_failed": {
        "en": "Sorry, I could not prepare your file. Please send /export again in a few minutes.",
        "ru": "Не получилось подготовить файл. Отправьте /export ещё раз через несколько минут.",
    },
    "export_started": {
        "en": "Preparing your file, it will arrive in a moment.",
        "ru": "Готовлю файл, пришлю через минуту.",
    },
    "cat_groceries": {"en": "Groceries", "ru": "Продукты"},
    "cat_cafes": {"en": "Cafés and restaurants", "ru": "Кафе и рестораны"},
    "cat_transport": {"en": "Transport and fuel", "ru": "Транспорт и топливо"},
    "cat_utilities": {"en": "Utilities and phone", "ru": "ЖКХ и связь"},
    "cat_health": {"en": "Health and pharmacy", "ru": "Здоровье и аптека"},
    "cat_household": {"en": "Home and household", "ru": "Дом и хозяйство"},
    "cat_clothing": {"en": "Clothes and shoes", "ru": "Одежда и обувь"},
    "cat_electronics": {"en": "Electronics", "ru": "Электроника и техника"},
    "cat_beauty": {"en": "Beauty", "ru": "Красота"},
    "cat_kids": {"en": "Children", "ru": "Дети"},
    "cat_leisure": {"en": "Leisure and travel", "ru": "Отдых и развлечения"},
    "cat_other": {"en": "Other", "ru": "Другое"},
}


def text(key: str, language: Language, **values: Any) -> str:
    """A message in the user's language; values are HTML-escaped."""
    return TEXTS[key][language].format(**{k: escape(str(v)) for k, v in values.items()})
