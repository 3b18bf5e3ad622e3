import pytest
from xkld_shared.crypto import BlindIndex, DecryptionError, FieldCipher, generate_key, parse_keyring


def _cipher(active: str = "k1") -> FieldCipher:
    return FieldCipher(parse_keyring(f"k1:{generate_key()},k2:{generate_key()}"), active)


def test_sealed_value_opens_with_the_same_purpose_and_hides_the_plaintext() -> None:
    cipher = _cipher()
    token = cipher.encrypt("+84912345678", purpose="phone")
    assert "912345678" not in token
    assert cipher.decrypt(token, purpose="phone") == "+84912345678"


def test_a_sealed_phone_cannot_be_opened_as_another_purpose() -> None:
    cipher = _cipher()
    token = cipher.encrypt("+84912345678", purpose="phone")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, purpose="cccd")


def test_tampered_ciphertext_is_refused() -> None:
    cipher = _cipher()
    token = cipher.encrypt("086201012345", purpose="cccd")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(DecryptionError):
        cipher.decrypt(tampered, purpose="cccd")


def test_old_key_still_opens_after_rotation() -> None:
    keys = parse_keyring(f"k1:{generate_key()},k2:{generate_key()}")
    old = FieldCipher(keys, "k1").encrypt("x", purpose="p")
    assert FieldCipher(keys, "k2").decrypt(old, purpose="p") == "x"


def test_blind_index_is_stable_and_keyed() -> None:
    key_a, key_b = (parse_keyring(f"i:{generate_key()}")["i"] for _ in range(2))
    assert BlindIndex(key_a).of("086201012345", purpose="cccd") == BlindIndex(key_a).of(
        "086201012345", purpose="cccd"
    )
    assert BlindIndex(key_a).of("086201012345", purpose="cccd") != BlindIndex(key_b).of(
        "086201012345", purpose="cccd"
    )


def test_keyring_refuses_short_keys() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        parse_keyring("k1:c2hvcnQ")
