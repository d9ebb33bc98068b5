"""Invite codes people read aloud and type on a phone keyboard.

No 0/O, 1/I/L, and no U (avoids accidental words). 30 symbols, 8 characters: 30**8 ≈ 6.6e11
codes, shown as `ABCD-EFGH`.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
CODE_SPACE = len(ALPHABET) ** LENGTH


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(typed: str) -> str:
    """What the user typed, upper-cased, without spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch not in " -\t")


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"
