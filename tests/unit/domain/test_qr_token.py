"""Rotating venue QR tokens: minting, the acceptance window, and every way to be refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.domain.errors import (
    InvalidValue,
    TokenExpired,
    TokenForged,
    TokenForOtherSubject,
    TokenMalformed,
    TokenRejected,
)
from grassroots.domain.qr_token import (
    TOKEN_ALPHABET,
    TOKEN_LENGTH,
    QrSubject,
    SubjectKind,
    VerifiedToken,
    current_token,
    mint_token,
    next_rotation_at,
    scan_url,
    scanned_subject,
    step_at,
    subject_key,
    verify_token,
)

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))
ROTATION = 15
ACTIVITY_ID = UUID("3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b")
ACTIVITY = QrSubject(SubjectKind.ACTIVITY, ACTIVITY_ID)
OTHER_ACTIVITY = QrSubject(SubjectKind.ACTIVITY, UUID("9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4"))
SAME_ID_POINT = QrSubject(SubjectKind.POINT, ACTIVITY_ID)
# 2026-03-07 09:00 in Shanghai; a whole number of minutes, so a step starts exactly here.
STEP_START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
INSIDE_STEP = STEP_START + timedelta(seconds=7)
TICK = timedelta(microseconds=1)
PERIOD = timedelta(seconds=ROTATION)
QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def mint(
    subject: QrSubject = ACTIVITY,
    at: datetime = INSIDE_STEP,
    *,
    secret: bytes = SECRET,
    rotation_seconds: int = ROTATION,
) -> str:
    return mint_token(secret=secret, subject=subject, at=at, rotation_seconds=rotation_seconds)


def verify(
    token: str,
    at: datetime = INSIDE_STEP,
    *,
    expected: QrSubject = ACTIVITY,
    secret: bytes = SECRET,
    rotation_seconds: int = ROTATION,
) -> VerifiedToken:
    return verify_token(
        token, secret=secret, expected=expected, at=at, rotation_seconds=rotation_seconds
    )


def raw_token(
    *,
    version: int = 1,
    kind_code: int = 1,
    subject_id: UUID = ACTIVITY_ID,
    step: int | None = None,
    key: bytes | None = None,
) -> str:
    """A token built by hand from the documented layout, signed correctly unless a
    field is made wrong, so each test can change exactly one thing."""
    step = step_at(INSIDE_STEP, ROTATION) if step is None else step
    signed = bytes((version, kind_code)) + subject_id.bytes + step.to_bytes(5, "big")
    key = subject_key(SECRET, ACTIVITY) if key is None else key
    tag = hmac.new(key, signed, hashlib.sha256).digest()[:12]
    return base64.b32encode(signed + tag).decode("ascii")


def spliced(token: str, *, offset: int, replacement: bytes) -> str:
    """``token`` with some of its bytes overwritten and its tag left as it was."""
    raw = bytearray(base64.b32decode(token))
    raw[offset : offset + len(replacement)] = replacement
    return base64.b32encode(bytes(raw)).decode("ascii")


# time steps


def test_the_step_counts_whole_rotation_periods_since_the_unix_epoch() -> None:
    assert step_at(datetime(1970, 1, 1, tzinfo=UTC), 15) == 0
    assert step_at(datetime(1970, 1, 1, 0, 0, 14, 999_999, tzinfo=UTC), 15) == 0
    assert step_at(datetime(1970, 1, 1, 0, 0, 15, tzinfo=UTC), 15) == 1
    assert step_at(STEP_START, 15) == int(STEP_START.timestamp()) // 15


def test_the_step_of_an_instant_is_the_same_whatever_zone_it_is_written_in() -> None:
    in_shanghai = INSIDE_STEP.astimezone(ZoneInfo("Asia/Shanghai"))

    assert step_at(in_shanghai, ROTATION) == step_at(INSIDE_STEP, ROTATION)


def test_the_step_of_a_naive_instant_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        step_at(datetime(2026, 3, 7, 9, 0), ROTATION)
    assert caught.value.code == "naive-datetime"


@pytest.mark.parametrize("rotation", [0, -15, True])
def test_a_rotation_period_below_one_second_is_refused(rotation: int) -> None:
    with pytest.raises(InvalidValue) as caught:
        step_at(INSIDE_STEP, rotation)
    assert caught.value.code == "qr-rotation-invalid"


def test_the_next_rotation_is_at_the_start_of_the_following_step() -> None:
    assert next_rotation_at(INSIDE_STEP, ROTATION) == STEP_START + PERIOD
    assert next_rotation_at(STEP_START, ROTATION) == STEP_START + PERIOD


# minting and the round trip


def test_a_minted_token_verifies_for_its_subject_at_the_same_instant() -> None:
    verified = verify(mint())

    assert verified == VerifiedToken(
        subject=ACTIVITY,
        step=step_at(INSIDE_STEP, ROTATION),
        valid_from=STEP_START,
        expires_at=STEP_START + 2 * PERIOD,
    )


def test_a_token_for_a_point_verifies_for_that_point() -> None:
    point = QrSubject(SubjectKind.POINT, UUID("0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f"))

    assert verify(mint(point), expected=point).subject == point


def test_the_current_token_comes_with_the_instant_it_stops_being_accepted() -> None:
    token, expires_at = current_token(
        secret=SECRET, subject=ACTIVITY, at=INSIDE_STEP, rotation_seconds=ROTATION
    )

    assert token == mint()
    assert expires_at == STEP_START + 2 * PERIOD
    assert expires_at == verify(token).expires_at


def test_minting_is_deterministic_for_the_same_subject_step_and_secret() -> None:
    assert mint(at=STEP_START) == mint(at=STEP_START + PERIOD - TICK)
    assert mint(at=STEP_START) != mint(at=STEP_START + PERIOD)


def test_different_secrets_give_different_tokens() -> None:
    assert mint(secret=SECRET) != mint(secret=OTHER_SECRET)


def test_different_subjects_give_different_tokens() -> None:
    assert len({mint(ACTIVITY), mint(OTHER_ACTIVITY), mint(SAME_ID_POINT)}) == 3


def test_a_token_is_short_and_uses_only_characters_of_qr_alphanumeric_mode() -> None:
    token = mint()

    assert len(token) == TOKEN_LENGTH == 56
    assert set(token) <= set(TOKEN_ALPHABET)
    assert set(TOKEN_ALPHABET) <= QR_ALPHANUMERIC


def test_a_token_is_not_minted_with_a_naive_instant() -> None:
    with pytest.raises(InvalidValue) as caught:
        mint(at=datetime(2026, 3, 7, 9, 0))
    assert caught.value.code == "naive-datetime"


def test_a_token_is_not_minted_for_an_instant_before_1970() -> None:
    with pytest.raises(InvalidValue) as caught:
        mint(at=datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert caught.value.code == "instant-out-of-range"


def test_a_secret_shorter_than_sixteen_bytes_is_refused_for_minting_and_verifying() -> None:
    token = mint()

    with pytest.raises(InvalidValue) as minting:
        mint(secret=b"x" * 15)
    with pytest.raises(InvalidValue) as verifying:
        verify(token, secret=b"x" * 15)
    assert minting.value.code == verifying.value.code == "qr-secret-too-short"


def test_each_subject_has_its_own_key() -> None:
    keys = {subject_key(SECRET, s) for s in (ACTIVITY, OTHER_ACTIVITY, SAME_ID_POINT)}

    assert len(keys) == 3
    assert subject_key(SECRET, ACTIVITY) != subject_key(OTHER_SECRET, ACTIVITY)


def test_a_subject_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        QrSubject("center", ACTIVITY_ID)  # type: ignore[arg-type]
    assert caught.value.code == "qr-subject-kind-unknown"


def test_a_subject_named_by_something_other_than_a_uuid_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        QrSubject(SubjectKind.ACTIVITY, str(ACTIVITY_ID))  # type: ignore[arg-type]
    assert caught.value.code == "qr-subject-id-invalid"


# the acceptance window


def test_a_token_is_accepted_throughout_its_own_step_and_the_next() -> None:
    token = mint(at=STEP_START)

    for at in (
        STEP_START,
        STEP_START + PERIOD - TICK,
        STEP_START + PERIOD,
        STEP_START + 2 * PERIOD - TICK,
    ):
        assert verify(token, at).step == step_at(STEP_START, ROTATION)


def test_a_token_from_the_previous_step_is_accepted() -> None:
    previous = mint(at=INSIDE_STEP - PERIOD)

    assert verify(previous, INSIDE_STEP).step == step_at(INSIDE_STEP, ROTATION) - 1


def test_a_token_from_two_steps_ago_is_rejected_as_stale() -> None:
    old = mint(at=INSIDE_STEP - 2 * PERIOD)

    with pytest.raises(TokenExpired) as caught:
        verify(old, INSIDE_STEP)
    assert caught.value.code == "token-stale"


def test_a_token_from_the_next_step_is_rejected_as_from_the_future() -> None:
    early = mint(at=INSIDE_STEP + PERIOD)

    with pytest.raises(TokenExpired) as caught:
        verify(early, INSIDE_STEP)
    assert caught.value.code == "token-from-future"


def test_a_token_is_refused_at_the_exact_instant_its_second_step_ends() -> None:
    token = mint(at=STEP_START)
    expires_at = verify(token, STEP_START).expires_at

    assert verify(token, expires_at - TICK).expires_at == expires_at
    with pytest.raises(TokenExpired) as caught:
        verify(token, expires_at)
    assert caught.value.code == "token-stale"


def test_at_the_instant_the_step_changes_the_new_token_is_current_and_the_old_one_previous() -> (
    None
):
    old = mint(at=STEP_START - TICK)
    new = mint(at=STEP_START)

    assert old != new
    assert verify(new, STEP_START).step == verify(old, STEP_START).step + 1
    with pytest.raises(TokenExpired) as caught:
        verify(new, STEP_START - TICK)
    assert caught.value.code == "token-from-future"


def test_verifying_with_a_naive_instant_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        verify(mint(), datetime(2026, 3, 7, 9, 0, 7))
    assert caught.value.code == "naive-datetime"


# refusals


def test_a_token_with_a_changed_tag_is_rejected_as_forged() -> None:
    token = mint()
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    with pytest.raises(TokenForged) as caught:
        verify(forged)
    assert caught.value.code == "token-forged"


def test_a_token_minted_with_another_secret_is_rejected_as_forged() -> None:
    with pytest.raises(TokenForged):
        verify(mint(secret=OTHER_SECRET))


def test_a_genuine_tag_moved_onto_another_subject_is_rejected_as_forged() -> None:
    moved = spliced(mint(ACTIVITY), offset=2, replacement=OTHER_ACTIVITY.id.bytes)

    with pytest.raises(TokenForged):
        verify(moved, expected=OTHER_ACTIVITY)


def test_a_genuine_tag_moved_onto_another_step_is_rejected_as_forged() -> None:
    later_step = step_at(INSIDE_STEP, ROTATION) + 1
    moved = spliced(mint(at=INSIDE_STEP), offset=18, replacement=later_step.to_bytes(5, "big"))

    with pytest.raises(TokenForged):
        verify(moved, INSIDE_STEP + PERIOD)


def test_a_truncated_token_is_malformed() -> None:
    with pytest.raises(TokenMalformed) as caught:
        verify(mint()[:-8])
    assert caught.value.code == "token-wrong-length"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "hello",
        "https://example.org/checkin?code=1",
        "0" * TOKEN_LENGTH,  # 0, 1, 8 and 9 are not base32
        "=" * TOKEN_LENGTH,
        "A" * (TOKEN_LENGTH - 1) + "-",
        "好" * TOKEN_LENGTH,
        "A" * 10_000,
    ],
)
def test_garbage_is_malformed(garbage: str) -> None:
    with pytest.raises(TokenMalformed):
        verify(garbage)


def test_something_other_than_text_is_malformed() -> None:
    with pytest.raises(TokenMalformed) as caught:
        verify(None)  # type: ignore[arg-type]
    assert caught.value.code == "token-not-text"


def test_a_token_with_surrounding_whitespace_is_malformed() -> None:
    # Trimming would let a token with an inserted space verify; the API trims
    # transport whitespace before it gets here if it must.
    with pytest.raises(TokenMalformed):
        verify(mint() + "\n")


def test_a_token_of_an_unknown_version_is_malformed_even_when_correctly_signed() -> None:
    assert verify(raw_token()).subject == ACTIVITY  # the hand-built layout is right

    with pytest.raises(TokenMalformed) as caught:
        verify(raw_token(version=2))
    assert caught.value.code == "token-version-unknown"


def test_a_token_naming_an_unknown_kind_of_subject_is_malformed() -> None:
    with pytest.raises(TokenMalformed) as caught:
        verify(raw_token(kind_code=9))
    assert caught.value.code == "token-kind-unknown"


def test_a_genuine_token_for_another_activity_is_rejected_as_for_another_subject() -> None:
    with pytest.raises(TokenForOtherSubject) as caught:
        verify(mint(OTHER_ACTIVITY))
    assert caught.value.code == "token-other-activity"


def test_a_token_for_a_point_with_the_same_uuid_is_not_accepted_for_the_activity() -> None:
    with pytest.raises(TokenForOtherSubject) as caught:
        verify(mint(SAME_ID_POINT), expected=ACTIVITY)
    assert caught.value.code == "token-other-kind"


def test_a_token_for_an_activity_is_not_accepted_for_a_point_with_the_same_uuid() -> None:
    with pytest.raises(TokenForOtherSubject) as caught:
        verify(mint(ACTIVITY), expected=SAME_ID_POINT)
    assert caught.value.code == "token-other-kind"


def test_a_forged_token_is_reported_as_forged_before_its_subject_or_age() -> None:
    stale_other = mint(OTHER_ACTIVITY, INSIDE_STEP - 5 * PERIOD)
    forged = stale_other[:-1] + ("A" if stale_other[-1] != "A" else "B")

    with pytest.raises(TokenForged):
        verify(forged)


def test_a_stale_token_for_another_subject_is_reported_as_for_another_subject() -> None:
    with pytest.raises(TokenForOtherSubject):
        verify(mint(OTHER_ACTIVITY, INSIDE_STEP - 5 * PERIOD))


def test_a_lowercased_token_is_accepted_because_scanners_may_lowercase_it() -> None:
    assert verify(mint().lower()).subject == ACTIVITY


@pytest.mark.parametrize(
    ("ascii_letter", "lookalike"), [("I", "\u0131"), ("S", "\u017f"), ("K", "\u212a")]
)
def test_a_letter_replaced_by_a_unicode_lookalike_is_malformed(
    ascii_letter: str, lookalike: str
) -> None:
    token = mint()
    index = next((i for i, c in enumerate(token) if c == ascii_letter), 0)
    changed = token[:index] + lookalike + token[index + 1 :]

    with pytest.raises(TokenMalformed):
        verify(changed)


# properties

aware_instants = st.datetimes(
    min_value=datetime(1970, 1, 2),  # hypothesis takes naive bounds
    max_value=datetime(9000, 1, 1),
    timezones=st.sampled_from(
        [
            UTC,
            timezone(timedelta(hours=8)),
            timezone(-timedelta(hours=5, minutes=30)),
            ZoneInfo("Asia/Shanghai"),
            ZoneInfo("America/New_York"),
        ]
    ),
)
subjects = st.builds(QrSubject, st.sampled_from(SubjectKind), st.uuids())
rotations = st.integers(min_value=1, max_value=3600)
secrets = st.binary(min_size=16, max_size=64)


@given(subject=subjects, at=aware_instants, rotation=rotations, secret=secrets)
def test_any_minted_token_verifies_at_the_instant_it_was_minted(
    subject: QrSubject, at: datetime, rotation: int, secret: bytes
) -> None:
    token = mint(subject, at, secret=secret, rotation_seconds=rotation)

    verified = verify(token, at, expected=subject, secret=secret, rotation_seconds=rotation)

    assert len(token) == TOKEN_LENGTH
    assert verified.subject == subject
    assert verified.valid_from <= at < verified.expires_at
    assert verified.expires_at - verified.valid_from == 2 * timedelta(seconds=rotation)


def same_token(changed: str, token: str) -> bool:
    return changed.isascii() and changed.upper() == token


@given(
    subject=subjects,
    at=aware_instants,
    index=st.integers(min_value=0, max_value=TOKEN_LENGTH - 1),
    replacement=st.sampled_from(TOKEN_ALPHABET + TOKEN_ALPHABET.lower()) | st.characters(),
)
def test_no_single_character_substitution_of_a_token_verifies(
    subject: QrSubject, at: datetime, index: int, replacement: str
) -> None:
    token = mint(subject, at)
    changed = token[:index] + replacement + token[index + 1 :]
    if same_token(changed, token):
        return  # the same character, or the same letter in lower case: not a change

    with pytest.raises(TokenRejected):
        verify(changed, at, expected=subject)


@given(
    subject=subjects,
    at=aware_instants,
    index=st.integers(min_value=0, max_value=TOKEN_LENGTH - 1),
    replacement=st.sampled_from(TOKEN_ALPHABET),
)
def test_a_substitution_within_the_alphabet_is_caught_by_the_tag_or_the_header(
    subject: QrSubject, at: datetime, index: int, replacement: str
) -> None:
    token = mint(subject, at)
    changed = token[:index] + replacement + token[index + 1 :]
    if changed == token:
        return

    with pytest.raises((TokenForged, TokenMalformed)):
        verify(changed, at, expected=subject)


@given(subject=subjects, at=aware_instants, index=st.integers(0, TOKEN_LENGTH - 1))
def test_no_token_with_a_character_deleted_verifies(
    subject: QrSubject, at: datetime, index: int
) -> None:
    token = mint(subject, at)

    with pytest.raises(TokenRejected):
        verify(token[:index] + token[index + 1 :], at, expected=subject)


@given(
    subject=subjects,
    at=aware_instants,
    index=st.integers(0, TOKEN_LENGTH),
    inserted=st.sampled_from(TOKEN_ALPHABET) | st.characters(),
)
def test_no_token_with_a_character_inserted_verifies(
    subject: QrSubject, at: datetime, index: int, inserted: str
) -> None:
    token = mint(subject, at)

    with pytest.raises(TokenRejected):
        verify(token[:index] + inserted + token[index:], at, expected=subject)


@given(text=st.text(max_size=200))
def test_random_text_never_verifies(text: str) -> None:
    with pytest.raises(TokenRejected):
        verify(text)


@given(
    text=st.text(alphabet=TOKEN_ALPHABET, min_size=TOKEN_LENGTH, max_size=TOKEN_LENGTH),
)
def test_random_text_of_the_right_shape_never_verifies(text: str) -> None:
    with pytest.raises((TokenForged, TokenMalformed)):
        verify(text)


# scanned codes: the URL a venue code encodes and the subject a scanned token names


def test_the_scan_url_is_the_public_url_and_the_token_in_upper_case() -> None:
    token = mint()

    url = scan_url("http://127.0.0.1:8000", token.lower())

    assert url == f"HTTP://127.0.0.1:8000/S/{token}"
    assert QR_ALPHANUMERIC.issuperset(url)


def test_a_host_name_is_upper_cased_into_the_url() -> None:
    assert scan_url("https://qn.example.org", mint()).startswith("HTTPS://QN.EXAMPLE.ORG/S/")


@pytest.mark.parametrize(
    "public_url",
    ["", "https://qn.example.org/", "https://qn_1.example.org", "https://例子.cn"],
)
def test_a_public_url_that_would_leave_alphanumeric_mode_is_refused(public_url: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        scan_url(public_url, mint())
    assert refused.value.code == "public-url-not-alphanumeric"


@pytest.mark.parametrize("subject", [ACTIVITY, SAME_ID_POINT], ids=["activity", "point"])
def test_a_scanned_token_names_its_subject(subject: QrSubject) -> None:
    assert scanned_subject(mint(subject), secret=SECRET) == subject


def test_a_scanned_token_names_its_subject_long_after_it_expired() -> None:
    # Expiry is judged when the scan is recorded, so the page can say "scan again".
    assert scanned_subject(mint(at=INSIDE_STEP - timedelta(days=3)), secret=SECRET) == ACTIVITY


def test_a_scanned_token_minted_with_another_secret_is_forged() -> None:
    with pytest.raises(TokenForged):
        scanned_subject(mint(secret=OTHER_SECRET), secret=SECRET)


def test_a_scanned_token_with_a_changed_subject_is_forged() -> None:
    changed = spliced(mint(), offset=2, replacement=OTHER_ACTIVITY.id.bytes)
    with pytest.raises(TokenForged):
        scanned_subject(changed, secret=SECRET)


@pytest.mark.parametrize("text", ["", "hello", "A" * (TOKEN_LENGTH - 1), "1" * TOKEN_LENGTH])
def test_a_scanned_text_that_is_no_token_is_malformed(text: str) -> None:
    with pytest.raises(TokenMalformed):
        scanned_subject(text, secret=SECRET)
