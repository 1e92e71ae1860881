"""Every text the user sees, in Russian and English (English for any other language).

Texts are Telegram HTML: values are escaped by ``text()``, the markup is ours.
"""

from __future__ import annotations

from html import escape
from typing import Any, Literal

Language = Literal["ru", "en"]


# Belarus and Kazakhstan have Russian as an official language and their shops print receipts in it:
# a be or kk user reads Russian. Ukrainian users are not answered in Russian unasked: English.
RUSSIAN_READERS = ("ru", "be", "kk")


def language_of(language_code: str | None) -> Language:
    return "ru" if (language_code or "").lower()[:2] in RUSSIAN_READERS else "en"


TEXTS: dict[str, dict[Language, str]] = {
    "help": {
        "en": (
            "<b>I read receipts and utility bills and keep track of your spending.</b> Send me a photo "
            "of a shop receipt, a utility bill or a payment confirmation (a photo, an image file or a PDF) "
            "and I will answer with the shop, date, total, items and tax.\n\n"
            "<b>For a photo I can read</b>: the whole receipt in the frame, flat, in good light, no strong "
            "shadows, held still.\n\n"
            "<b>Commands</b>\n/month — this month's spending\n/export — your receipts as a spreadsheet\n"
            "/delete — delete everything I stored for you\n/help — this message\n\n"
            "{privacy}"
        ),
        "ru": (
            "<b>Я распознаю чеки и квитанции и веду учёт расходов.</b> Пришлите кассовый чек, квитанцию "
            "ЖКХ или подтверждение платежа (фото, картинку файлом или PDF), и я отвечу: магазин, дата, "
            "сумма, покупки и налог.\n\n"
            "<b>Как сфотографировать, чтобы я прочитал</b>: чек целиком в кадре, ровно, при хорошем свете, "
            "без резких теней, без дрожания.\n\n"
            "<b>Команды</b>\n/month — траты за месяц\n/export — выгрузить чеки в таблицу\n"
            "/delete — удалить всё, что я сохранил\n"
            "/help — эта справка\n\n"
            "{privacy}"
        ),
    },
    "welcome": {
        "en": "👋 <b>Hi! Send me a photo of a receipt</b>, a utility bill or a PDF: I will read it, keep it "
        "and add up your month. Several at once, or one long receipt in parts, as an album.\n\n"
        "/help — how to take the photo, the commands, what I keep",
        "ru": "👋 <b>Здравствуйте! Пришлите фото чека</b>, квитанции ЖКХ или PDF — я распознаю его, "
        "сохраню и посчитаю траты за месяц. Можно несколько сразу или длинный чек частями, альбомом.\n\n"
        "/help — как снимать, команды и что я храню",
    },
    "received": {
        "en": "🧾 Receipt received, reading it…",
        "ru": "🧾 Чек получен, читаю…",
    },
    # An album's one status message and its summary (bot/albums.py). "фото" does not decline.
    "album_received_one": {
        "en": "🧾 Got {count} photo, reading it…",
        "ru": "🧾 Получил {count} фото, читаю…",
    },
    "album_received_few": {
        "en": "🧾 Got {count} photos, reading them…",
        "ru": "🧾 Получил {count} фото, читаю…",
    },
    "album_received_many": {
        "en": "🧾 Got {count} photos, reading them…",
        "ru": "🧾 Получил {count} фото, читаю…",
    },
    "album_received_other": {
        "en": "🧾 Got {count} photos, reading them…",
        "ru": "🧾 Получил {count} фото, читаю…",
    },
    "album_title": {"en": "{receipts} from your album", "ru": "{receipts} из альбома"},
    "album_unreadable": {
        "en": "photo {count} could not be read",
        "ru": "фото {count} не удалось прочитать",
    },
    "album_sum": {"en": "Altogether: {totals}", "ru": "Всего: {totals}"},
    "album_join_offer": {
        "en": "These look like parts of one long receipt.",
        "ru": "Похоже, это части одного длинного чека.",
    },
    "btn_join": {"en": "🔗 Join into one receipt", "ru": "🔗 Объединить в один чек"},
    "album_joined": {"en": "Joined into one receipt.", "ru": "Объединено в один чек."},
    "not_an_image": {
        "en": "I can't read this file. Please send the receipt as a photo, an image (JPEG, PNG, HEIC) "
        "or a PDF.",
        "ru": "Этот файл я не прочитаю. Пришлите чек фотографией, картинкой (JPEG, PNG, HEIC) или PDF.",
    },
    "too_large": {
        "en": "This file is over 20 MB, too large for me to download. Please send it as a photo instead.",
        "ru": "Файл больше 20 МБ — такой я не скачаю. Пришлите чек фотографией.",
    },
    "too_small": {
        "en": "The picture is too small to read. Please take the photo closer, with the receipt filling "
        "the frame.",
        "ru": "Картинка слишком маленькая. Снимите ближе, чтобы чек занимал весь кадр.",
    },
    "blurry": {
        "en": "The photo is too blurry to read. Please hold the phone still, let it focus, and try again.",
        "ru": "Фото слишком размыто. Держите телефон неподвижно, дождитесь фокуса и снимите ещё раз.",
    },
    "too_dark": {
        "en": "The photo is too dark to read. Please take it again in better light.",
        "ru": "Слишком темно — включите свет или вспышку и снимите ещё раз.",
    },
    "no_document": {
        "en": "I could not find a receipt on this photo. Please photograph the receipt alone, flat, "
        "filling most of the frame.",
        "ru": "Не вижу на фото чека. Положите его на ровный тёмный фон, чтобы он занимал почти весь кадр, "
        "и снимите сверху.",
    },
    "not_a_receipt": {
        "en": "I could not read a receipt here: no total or date was found. If it is a receipt, please "
        "send a sharper photo.",
        "ru": "Не удалось прочитать чек: не найдены ни сумма, ни дата. Если это чек, пришлите более "
        "чёткое фото.",
    },
    "temporary_failure": {
        "en": "⏳ Something went wrong on my side. I will retry by myself, no need to resend.",
        "ru": "⏳ Что-то пошло не так. Я повторю сам — присылать заново не нужно.",
    },
    "final_failure": {
        "en": "Sorry, I could not read this receipt after several attempts. It has been kept and we will "
        "look into it. You can send the photo again later.",
        "ru": "Извините, не удалось прочитать этот чек после нескольких попыток. Мы сохранили его и "
        "разберёмся. Можно прислать фото ещё раз позже.",
    },
    "rate_limited": {
        "en": "You are sending receipts faster than I can take them ({limit} per {minutes}). "
        "You can send again at {until} UTC; receipts sent before then are not read.",
        "ru": "Можно присылать до {limit} чеков за {minutes}. Снова можно будет в {until} UTC; "
        "чеки, присланные до этого, не читаются.",
    },
    # "за 10 минут": the accusative after «за» (1 минуту, 2 минуты, 5 минут).
    "minutes_one": {"en": "{count} minute", "ru": "{count} минуту"},
    "minutes_few": {"en": "{count} minutes", "ru": "{count} минуты"},
    "minutes_many": {"en": "{count} minutes", "ru": "{count} минут"},
    "minutes_other": {"en": "{count} minutes", "ru": "{count} минуты"},
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
    "delete_confirm": {
        "en": "Delete all your stored photos and receipts? This cannot be undone.",
        "ru": "Удалить все ваши сохранённые фото и чеки? Это нельзя отменить.",
    },
    "delete_yes": {"en": "Yes, delete", "ru": "Да, удалить"},
    "delete_no": {"en": "Cancel", "ru": "Отмена"},
    "deleted": {
        "en": "🗑 Done: I deleted {receipts} and every stored photo.",
        "ru": "🗑 Готово: удалил {receipts} и все сохранённые фото.",
    },
    "delete_cancelled": {"en": "Nothing was deleted.", "ru": "Ничего не удалено."},
    # The bot's profile, set by `make set-webhook` (tools/set_webhook.py): the command menu, the
    # empty chat's text (setMyDescription, <= 512 characters) and the profile's (<= 120).
    "cmd_start": {"en": "Start", "ru": "Начать"},
    "cmd_month": {"en": "This month's spending", "ru": "Траты за месяц"},
    "cmd_export": {"en": "Download as a spreadsheet", "ru": "Выгрузить в Excel"},
    "cmd_help": {"en": "How to take the photo, what I keep", "ru": "Как снимать и что я храню"},
    "cmd_delete": {"en": "Delete all my data", "ru": "Удалить все мои данные"},
    "bot_description": {
        "en": "Send a photo of a receipt or a utility bill: I read the shop, date, total and items and "
        "add up your month. Totals and dates of receipts with a fiscal QR code are checked against the "
        "code. Export to Excel.",
        "ru": "Сфотографируйте чек или квитанцию ЖКХ — я распознаю магазин, дату, сумму и покупки и "
        "посчитаю траты за месяц. Сумму и дату чеков с QR-кодом сверяю по коду. Выгрузка в Excel.",
    },
    "bot_short_description": {
        "en": "Spending tracked from photos of receipts and utility bills",
        "ru": "Учёт расходов по фото чеков и квитанций ЖКХ",
    },
    # Groups and cost caps (bot/commands.py, bot/ratelimit.py).
    "help_group": {
        "en": (
            "<b>I read receipts, for each of you.</b> Send a photo of a receipt as a reply to one of my "
            "messages or with my @name in the caption: in a group Telegram shows me only those (privacy "
            "mode), unless an admin makes me an admin of the group.\n\n"
            "Each receipt belongs to whoever sent it: /month and /export show your own, /delete deletes "
            "your own; admins can also delete the whole group's.\n\n{privacy}"
        ),
        "ru": (
            "<b>Я читаю чеки, каждого из вас.</b> Присылайте фото чека ответом на моё сообщение или с "
            "моим @именем в подписи: в группе Telegram показывает мне только такие (режим приватности), "
            "если админ не сделает меня админом группы.\n\n"
            "Каждый чек принадлежит тому, кто его прислал: /month и /export показывают ваши, /delete "
            "удаляет ваши; админы могут удалить и чеки всей группы.\n\n{privacy}"
        ),
    },
    # /help's privacy paragraph (bot/commands.py adds the sentence on Gemini when it reads).
    "privacy": {
        "en": "<b>Privacy</b>: photos are kept for {retention}, a photo that could not be read "
        "for {failed} (so that we can find out why), then deleted. What was read from them is "
        "kept until /delete, which removes your receipts, their photos and your open questions. The "
        "bot's logs keep ids, never your receipts, for 30 days. A count of how many receipts you sent "
        "today is kept for a day, even after /delete (it holds the daily limit).",
        "ru": "<b>Приватность</b>: фото хранятся {retention}, фото, которое не удалось прочитать, — "
        "{failed} (чтобы разобраться, почему), затем удаляются. Прочитанное хранится до /delete: "
        "она удаляет ваши чеки, их фото и открытые вопросы. Журналы бота хранят номера, но не ваши чеки, "
        "30 дней. Счётчик присланных за день чеков хранится сутки, и после /delete (он держит дневной "
        "лимит).",
    },
    "privacy_gemini": {
        "en": " Photos are read by Google's Gemini API, which Google processes under its terms for the API.",
        "ru": " Фото читает Gemini API компании Google, которая обрабатывает их по своим условиям для API.",
    },
    "month_yours": {"en": "👤 Your receipts in this group", "ru": "👤 Ваши чеки в этой группе"},
    "export_started_group": {
        "en": "Preparing a file of your receipts in this group, it will arrive in a moment.",
        "ru": "Готовлю файл с вашими чеками в этой группе, пришлю через минуту.",
    },
    "delete_confirm_group": {
        "en": "Delete your receipts and photos in this group? This cannot be undone.",
        "ru": "Удалить ваши чеки и фото в этой группе? Это нельзя отменить.",
    },
    "delete_mine": {"en": "Yes, delete mine", "ru": "Да, удалить мои"},
    "delete_group": {"en": "Delete everyone's (admin)", "ru": "Удалить чеки всех (админ)"},
    "deleted_mine": {
        "en": "🗑 Done: I deleted your receipts in this group ({receipts}) and their photos.",
        "ru": "🗑 Готово: удалил ваши чеки в этой группе ({receipts}) и их фото.",
    },
    "button_not_admin": {
        "en": "Only the group's admins can delete everyone's receipts.",
        "ru": "Удалить чеки всех могут только админы группы.",
    },
    "cap_user": {
        "en": "You have sent {limit} receipts today, the most I read for one person in a day. You can "
        "send again at {until} UTC; receipts sent before then are not read.",
        "ru": "Сегодня вы прислали {limit} чеков — больше за день я не читаю. Снова можно будет в "
        "{until} UTC; чеки, присланные до этого, не читаются.",
    },
    "cap_chat": {
        "en": "This chat has sent {limit} receipts today, the most I read for one chat in a day. You "
        "can send again at {until} UTC; receipts sent before then are not read.",
        "ru": "Сегодня в этот чат прислали {limit} чеков — больше за день я не читаю. Снова можно "
        "будет в {until} UTC; чеки, присланные до этого, не читаются.",
    },
    "cap_global": {
        "en": "I have read as many receipts today as I can. You can send again at {until} UTC; "
        "receipts sent before then are not read.",
        "ru": "Сегодня я прочитал столько чеков, сколько могу. Снова можно будет в {until} UTC; "
        "чеки, присланные до этого, не читаются.",
    },
    "pdf_encrypted": {
        "en": "📄 This PDF is password-protected, so I can't open it. Please send it without the "
        "password, or a screenshot of the receipt.",
        "ru": "📄 Этот PDF защищён паролем — я не могу его открыть. Пришлите файл без пароля или "
        "скриншот чека.",
    },
    "pdf_broken": {
        "en": "📄 I can't open this PDF: the file is damaged. Please send it again, or a screenshot "
        "of the receipt.",
        "ru": "📄 Не получается открыть этот PDF: файл повреждён. Пришлите его ещё раз или скриншот чека.",
    },
    "pdf_too_long": {
        "en": "📄 This PDF is too long for a receipt. Please send a screenshot of the receipt's page.",
        "ru": "📄 Этот PDF слишком длинный для чека. Пришлите нужную страницу скриншотом.",
    },
    "pdf_too_complex": {
        "en": "📄 This PDF is too heavy for me to open. Please send a screenshot of the receipt.",
        "ru": "📄 Этот PDF слишком тяжёлый — я не могу его открыть. Пришлите скриншот чека.",
    },
    # The receipt card (receiptbot/render.py).
    "card_unknown_merchant": {"en": "Receipt", "ru": "Чек"},
    "card_date": {"en": "Date", "ru": "Дата"},
    "card_total": {"en": "Total", "ru": "Итого"},
    "card_items": {"en": "Items", "ru": "Позиции"},
    "card_vat": {"en": "incl. VAT {rate}", "ru": "в т. ч. НДС {rate}"},
    "card_tax_other": {"en": "incl. tax {rate}", "ru": "в т. ч. налог {rate}"},
    "card_payment": {"en": "Paid by", "ru": "Оплата"},
    "card_paid_card": {"en": "Paid by card", "ru": "Оплата картой"},
    "card_paid_cash": {"en": "Paid in cash", "ru": "Оплата наличными"},
    "card_refund": {"en": "↩️ Refund", "ru": "↩️ Возврат"},
    "card_qr_confirmed": {"en": "✅ checked against the QR code", "ru": "✅ сверено с QR-кодом"},
    "card_bill": {"en": "🏠 Utility bill", "ru": "🏠 Квитанция ЖКХ"},
    "card_payment_made": {"en": "💳 Payment", "ru": "💳 Платёж"},
    "card_bill_for": {"en": "for {period}", "ru": "за {period}"},
    "card_to_pay": {"en": "To pay", "ru": "К оплате"},
    "card_paid": {"en": "Paid", "ru": "Оплачено"},
    "card_purpose": {"en": "Purpose", "ru": "Назначение"},
    "card_account": {"en": "Account", "ru": "Лицевой счёт"},
    "card_more_one": {"en": "… and {count} more item", "ru": "… и ещё {count} позиция"},
    "card_more_few": {"en": "… and {count} more items", "ru": "… и ещё {count} позиции"},
    "card_more_many": {"en": "… and {count} more items", "ru": "… и ещё {count} позиций"},
    "card_more_other": {"en": "… and {count} more items", "ru": "… и ещё {count} позиции"},
    "days_one": {"en": "{count} day", "ru": "{count} день"},
    "days_few": {"en": "{count} days", "ru": "{count} дня"},
    "days_many": {"en": "{count} days", "ru": "{count} дней"},
    "days_other": {"en": "{count} days", "ru": "{count} дня"},
    "receipts_one": {"en": "{count} receipt", "ru": "{count} чек"},
    "receipts_few": {"en": "{count} receipts", "ru": "{count} чека"},
    "receipts_many": {"en": "{count} receipts", "ru": "{count} чеков"},
    "receipts_other": {"en": "{count} receipts", "ru": "{count} чека"},
    "card_check": {"en": "Please check", "ru": "Проверьте"},
    "card_read_from_qr": {
        "en": "Read from the receipt's fiscal QR code alone: it does not name the shop.",
        "ru": "Прочитано только по QR-коду чека: название магазина в нём не указано.",
    },
    "card_read_from_payment_qr": {
        "en": "Read from the bill's payment QR code alone.",
        "ru": "Прочитано только по QR-коду для оплаты.",
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
        "en": "The total is taken from the QR code: {qr_total} (the print reads {total})",
        "ru": "Сумма взята из QR-кода: {qr_total} (на фото прочитано {total})",
    },
    "warn_qr_date": {
        "en": "The date is taken from the QR code: {qr_date} (the print reads {date})",
        "ru": "Дата взята из QR-кода: {qr_date} (на фото прочитано {date})",
    },
    "warn_payqr_total": {
        "en": "The amount is taken from the bill's payment QR code: {qr_total} (the print reads {total})",
        "ru": "Сумма взята из QR-кода для оплаты: {qr_total} (на фото прочитано {total})",
    },
    "warn_payqr_account": {
        "en": "The account is taken from the payment QR code: {qr_account} (the print reads {account})",
        "ru": "Лицевой счёт взят из QR-кода для оплаты: {qr_account} (на фото прочитано {account})",
    },
    "warn_no_total": {"en": "no total was found", "ru": "итог не найден"},
    # The record: categories, corrections, duplicates, month totals (bot/record_actions.py).
    "card_category": {"en": "Category", "ru": "Категория"},
    "card_edited": {"en": "✏️ corrected by you", "ru": "✏️ исправлено вами"},
    "card_duplicate": {
        "en": "Already saved: you sent this receipt on {date}. It is not counted twice.",
        "ru": "Уже сохранён: этот чек вы присылали {date}. Второй раз он не учтён.",
    },
    "card_bill_paid": {
        "en": "The payment of the bill you sent on {date}: the bill and its payment are counted once.",
        "ru": "Это оплата квитанции, которую вы присылали {date}: квитанция и её оплата учтены один раз.",
    },
    "card_bill_already_paid": {
        "en": "This bill is paid: you sent its payment on {date}. It is not counted twice.",
        "ru": "Эта квитанция уже оплачена: платёж вы присылали {date}. Второй раз она не учтена.",
    },
    "card_kept": {"en": "Kept as a separate receipt.", "ru": "Сохранён как отдельный чек."},
    "card_month": {
        "en": "Spent in {month}: {totals} ({receipts})",
        "ru": "Потрачено за {month}: {totals} ({receipts})",
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
