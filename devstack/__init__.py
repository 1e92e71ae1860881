"""The local stack: the real Pub/Sub emulator, fake-gcs-server and functions-framework processes,
plus stand-ins for the two services that cannot be reached from a developer's machine
(the Telegram Bot API and Gemini). Nothing here is deployed."""
