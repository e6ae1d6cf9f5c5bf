"""Codes and their keyed hashes, shared by PB processes and resident ballots."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from commonground.voting import codes


def test_codes_use_no_look_alikes_and_read_back_however_they_are_typed():
    assert not set("01ILOU") & set(codes.ALPHABET) and len(codes.ALPHABET) == 30
    code = codes.new(20)
    assert len(code) == 20 and set(code) <= set(codes.ALPHABET)
    shown = codes.display(code)
    assert shown.count("-") == 4 and codes.normalise(shown.lower().replace("-", " ")) == code


def test_each_purpose_has_its_own_key_derived_from_the_secret_key():
    assert codes.digest("ABCD-EFGH", "ballots.code") != codes.digest("ABCD-EFGH", "budgeting.code")
    assert codes.digest("abcd efgh", "ballots.code") == codes.digest("ABCDEFGH", "ballots.code")
    # Ballot code hashes stored before the kernel used this same derivation, so they still match.
    key = hashlib.sha256(b"commonground.ballots.code:" + settings.SECRET_KEY.encode()).digest()
    assert codes.digest("ABCDEFGH", "ballots.code") == hmac.new(key, b"ABCDEFGH", hashlib.sha256).hexdigest()
    assert codes.stored_forms("ABCDEFGH", "ballots.code") == [codes.digest("ABCDEFGH", "ballots.code")]


def test_pb_codes_issued_before_the_kernel_still_match():
    before = hmac.new(settings.SECRET_KEY.encode(), b"ABCDEFGH", hashlib.sha256).hexdigest()
    assert codes.stored_forms("abcd-efgh", "budgeting.code") == [codes.digest("ABCDEFGH", "budgeting.code"), before]
