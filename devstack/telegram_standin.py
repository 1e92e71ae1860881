"""A Telegram Bot API stand-in speaking the real wire format.

It serves the methods the bot calls (getFile, the file download, sendMessage,
editMessageText, editMessageReplyMarkup, deleteMessage, sendChatAction, sendDocument,
answerCallbackQuery, getMe, getChatMember, setWebhook,
getWebhookInfo) with
Telegram's error shape (`ok`, `error_code`, `description`, `parameters.retry_after`), and
records every chat so tests and the demo can read what the user was sent.
Control endpoints under /_standin/ let a test upload files, script failures and name a group's
admins (getChatMember answers "administrator" for them, "member" for anyone else). A negative
chat id is a group, as Telegram's are.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request

from receiptbot.telegram.limits import MAX_TEXT_LENGTH, length


@dataclass
class BotMessage:
    message_id: int
    chat_id: int
    text: str
    reply_to: int | None
    parse_mode: str | None
    reply_markup: Any = None
    edits: list[str] = field(default_factory=list)
    document: dict | None = None
    at: float = field(default_factory=time.time)
    edited_at: float | None = None  # time.time() of the last edit


USERNAME = "receipt_standin_bot"


class TelegramStandIn:
    def __init__(self, token: str):
        self.token = token
        self.lock = threading.Lock()
        self.files: dict[str, bytes] = {}
        self.messages: dict[int, BotMessage] = {}
        self.deleted: list[BotMessage] = []  # removed by deleteMessage, kept for the tests
        self.calls: list[dict[str, Any]] = []
        self.callback_answers: list[dict[str, Any]] = []  # answerCallbackQuery's params, in order
        # Scripted for the next `count` calls of `method` ("*": any): an error ("error_code",
        # "description", optional "retry_after"), a slow answer ("delay_seconds"), or both.
        self.failures: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.admins: dict[int, set[int]] = {}  # per group chat id, the user ids that administer it
        self._ids = itertools.count(1000)
        self._files = itertools.count(1)
        self.app = self._build_app()

    # -- state helpers ---------------------------------------------------------------------
    def add_file(self, data: bytes) -> str:
        with self.lock:
            file_id = f"file-{next(self._files)}"
            self.files[file_id] = data
        return file_id

    def chat(self, chat_id: int) -> list[dict[str, Any]]:
        with self.lock:
            return [m.__dict__.copy() for m in self.messages.values() if m.chat_id == chat_id]

    def _scripted_failure(self, method: str) -> dict[str, Any] | None:
        with self.lock:
            for failure in self.failures:
                if failure["method"] in (method, "*") and failure["count"] > 0:
                    failure["count"] -= 1
                    return failure
        return None

    # -- the API ---------------------------------------------------------------------------
    def _build_app(self) -> Flask:
        app = Flask("telegram-standin")

        def error(code: int, description: str, retry_after: int | None = None):
            body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
            return jsonify(body), code

        @app.post("/bot<token>/<method>")
        def bot_method(token: str, method: str):
            if token != self.token:
                return error(401, "Unauthorized")
            params = request.get_json(silent=True) or request.form.to_dict()
            with self.lock:
                self.calls.append({"method": method, "params": params, "at": time.time()})
            failure = self._scripted_failure(method)
            if failure and failure.get("delay_seconds"):  # a slow answer, then the failure if any
                time.sleep(failure["delay_seconds"])
            if failure and "error_code" in failure:
                return error(failure["error_code"], failure["description"], failure.get("retry_after"))
            handler = handlers.get(method)
            if handler is None:
                return error(404, "Not Found: method not found")
            return handler(params)

        def get_file(params):
            file_id = params.get("file_id")
            if file_id not in self.files:
                return error(400, "Bad Request: invalid file_id")
            size = len(self.files[file_id])
            return jsonify(
                {
                    "ok": True,
                    "result": {
                        "file_id": file_id,
                        "file_unique_id": file_id,
                        "file_size": size,
                        "file_path": f"photos/{file_id}.jpg",
                    },
                }
            )

        def send_message(params):
            text = str(params.get("text", ""))
            if not text.strip():
                return error(400, "Bad Request: message text is empty")
            if length(text) > MAX_TEXT_LENGTH:
                return error(400, "Bad Request: message is too long")
            reply = params.get("reply_parameters") or {}
            message = self._new_message(
                params, text, reply.get("message_id") or params.get("reply_to_message_id")
            )
            return jsonify({"ok": True, "result": self._wire(message)})

        def existing(params) -> BotMessage | None:
            """The bot's message the call names, if it is in the chat the call names (under the lock)."""
            message = self.messages.get(int(params.get("message_id", 0)))
            return message if message and message.chat_id == int(params.get("chat_id", 0)) else None

        def edit_message_text(params):
            with self.lock:
                message = existing(params)
                if message is None:
                    return error(400, "Bad Request: message to edit not found")
                text = str(params.get("text", ""))
                if length(text) > MAX_TEXT_LENGTH:
                    return error(400, "Bad Request: MESSAGE_TOO_LONG")
                if text == message.text:
                    return error(
                        400,
                        "Bad Request: message is not modified: specified new message content and reply "
                        "markup are exactly the same as a current content and reply markup of the message",
                    )
                message.edits.append(message.text)
                message.text = text
                message.parse_mode = params.get("parse_mode")
                message.reply_markup = params.get("reply_markup")
                message.edited_at = time.time()
                return jsonify({"ok": True, "result": self._wire(message)})

        def edit_message_reply_markup(params):
            with self.lock:
                message = existing(params)
                if message is None:
                    return error(400, "Bad Request: message to edit not found")
                if params.get("reply_markup") == message.reply_markup:
                    return error(400, "Bad Request: message is not modified")
                message.reply_markup = params.get("reply_markup")
                message.edited_at = time.time()
                return jsonify({"ok": True, "result": self._wire(message)})

        def answer_callback_query(params):
            with self.lock:
                self.callback_answers.append(params)
            return jsonify({"ok": True, "result": True})

        def delete_message(params):
            with self.lock:
                message = existing(params)
                if message is None:
                    return error(400, "Bad Request: message to delete not found")
                del self.messages[message.message_id]
                self.deleted.append(message)
            return jsonify({"ok": True, "result": True})

        def send_document(params):
            upload = request.files.get("document")
            if upload is None:
                return error(400, "Bad Request: there is no document in the request")
            content = upload.read()
            reply = json.loads(params.get("reply_parameters") or "{}")
            message = self._new_message(params, str(params.get("caption", "")), reply.get("message_id"))
            message.document = {
                "file_name": upload.filename,
                "content": content.decode("utf-8", "replace"),
                "content_b64": base64.b64encode(content).decode(),
            }
            return jsonify({"ok": True, "result": self._wire(message)})

        def set_webhook(params):
            self.webhook = params
            return jsonify({"ok": True, "result": True, "description": "Webhook was set"})

        def get_webhook_info(_params):
            info = {"url": self.webhook.get("url", ""), "pending_update_count": 0}
            return jsonify({"ok": True, "result": info})

        def get_me(_params):
            user = {"id": 1, "is_bot": True, "first_name": "Receipt bot", "username": USERNAME}
            return jsonify({"ok": True, "result": user})

        def get_chat_member(params):
            chat_id, user_id = int(params.get("chat_id", 0)), int(params.get("user_id", 0))
            if chat_id > 0:
                status = "member" if chat_id == user_id else "left"
            else:
                with self.lock:
                    status = "administrator" if user_id in self.admins.get(chat_id, ()) else "member"
            return jsonify({"ok": True, "result": {"user": {"id": user_id}, "status": status}})

        def ok(_params):
            return jsonify({"ok": True, "result": True})

        def set_my_profile(params):
            """setMyCommands / setMyDescription / setMyShortDescription, checked against the Bot API's
            limits (what was set is in ``calls``)."""
            commands = params.get("commands")
            if commands is not None and not (
                len(commands) <= 100
                and all(re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")) for c in commands)
                and all(1 <= len(c.get("description", "")) <= 256 for c in commands)
            ):
                return error(400, "Bad Request: invalid bot commands")
            if len(params.get("description", "")) > 512 or len(params.get("short_description", "")) > 120:
                return error(400, "Bad Request: description is too long")
            return jsonify({"ok": True, "result": True})

        handlers = {
            "getFile": get_file,
            "sendMessage": send_message,
            "editMessageText": edit_message_text,
            "deleteMessage": delete_message,
            "sendDocument": send_document,
            "sendChatAction": ok,
            "answerCallbackQuery": answer_callback_query,
            "editMessageReplyMarkup": edit_message_reply_markup,
            "getMe": get_me,
            "getChatMember": get_chat_member,
            "setWebhook": set_webhook,
            "getWebhookInfo": get_webhook_info,
            "setMyCommands": set_my_profile,
            "setMyDescription": set_my_profile,
            "setMyShortDescription": set_my_profile,
        }

        @app.get("/file/bot<token>/photos/<file_id>.jpg")
        def download(token: str, file_id: str):
            if token != self.token or file_id not in self.files:
                return error(404, "Not Found")
            return self.files[file_id], 200, {"Content-Type": "application/octet-stream"}

        # -- control endpoints, for the user simulator and the tests --
        @app.post("/_standin/files")
        def upload():
            return jsonify({"file_id": self.add_file(request.get_data())})

        @app.get("/_standin/chats/<int(signed=True):chat_id>")
        def chat(chat_id: int):
            return jsonify([{k: v for k, v in m.items()} for m in self.chat(chat_id)])

        @app.get("/_standin/calls")
        def calls():
            with self.lock:
                return jsonify(self.calls)

        @app.post("/_standin/failures")
        def add_failure():
            with self.lock:
                self.failures.append({"count": 1, "retry_after": None, **request.get_json()})
            return jsonify({"ok": True})

        @app.post("/_standin/admins")
        def set_admins():
            body = request.get_json()
            with self.lock:
                self.admins[int(body["chat_id"])] = {int(u) for u in body["user_ids"]}
            return jsonify({"ok": True})

        @app.get("/_standin/callback_answers")
        def callback_answers():
            with self.lock:
                return jsonify(self.callback_answers)

        @app.get("/_standin/webhook")
        def webhook():
            return jsonify(self.webhook)

        return app

    def _new_message(self, params: dict[str, Any], text: str, reply_to: Any) -> BotMessage:
        with self.lock:
            message = BotMessage(
                message_id=next(self._ids),
                chat_id=int(params.get("chat_id", 0)),
                text=text,
                reply_to=int(reply_to) if reply_to else None,
                parse_mode=params.get("parse_mode"),
                reply_markup=params.get("reply_markup"),
            )
            self.messages[message.message_id] = message
        return message

    @staticmethod
    def _wire(message: BotMessage) -> dict[str, Any]:
        return {
            "message_id": message.message_id,
            "date": int(message.at),
            "chat": {"id": message.chat_id, "type": "private" if message.chat_id > 0 else "group"},
            "from": {"id": 1, "is_bot": True, "first_name": "Receipt bot", "username": USERNAME},
            "text": message.text,
        }
