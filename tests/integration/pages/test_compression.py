"""Pages and their scripts leave gzip-compressed for a client that accepts it; live
streams and PNGs do not."""

from __future__ import annotations

import gzip

from tests.integration.pages.conftest import Site


def test_a_page_and_a_vendored_script_are_gzipped_for_a_client_that_accepts_it(
    site: Site,
) -> None:
    page = site.client.get("/login", headers={"Accept-Encoding": "gzip"})
    script = site.client.get(
        "/static/pages/vendor/qr-scanner-1.4.2/qr-scanner.umd.min.js",
        headers={"Accept-Encoding": "gzip"},
    )

    for answer in (page, script):
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == "gzip"
    assert "登录" in page.text  # the client decoded it
    assert int(script.headers["content-length"]) < len(script.content) / 2


def test_nothing_is_compressed_for_a_client_that_does_not_ask(site: Site) -> None:
    page = site.client.get("/login", headers={"Accept-Encoding": "identity"})

    assert "content-encoding" not in page.headers
    assert not page.content.startswith(gzip.compress(b"")[:2])
