"""The app's Flask class: Flask's behaviour, with what never changes looked up once."""

from __future__ import annotations


def test_sync_functions_run_as_they_are_and_coroutines_are_still_recognised(app):
    def page() -> str:
        return "ok"

    async def later() -> str:
        return "ok"

    assert app.ensure_sync(page) is page
    assert app.ensure_sync(page) is page  # asked again: the remembered answer
    # Asked twice, a coroutine is never handed back as if it were a plain function:
    # Flask wraps it (with its "async" extra) or refuses it (without).
    for _ in range(2):
        try:
            wrapped = app.ensure_sync(later)
        except RuntimeError as refused:
            assert "async" in str(refused)
        else:
            assert wrapped is not later
