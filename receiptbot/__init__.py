"""Shared core of the receipt bot, bundled into every Cloud Function.

Each module has one job; functions/*/main.py are thin entry points over it.
"""
