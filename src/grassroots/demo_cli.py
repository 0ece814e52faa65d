"""``grassroots demo``: load the demo organisation into an empty store, and say how
to log in.

Refused in production mode and on a store that has any event (a real
deployment starts empty and stays real). Run again on the demo's own store, it
writes nothing and prints the accounts again, so ``make demo`` can be run twice.
"""

from __future__ import annotations

import sys
from typing import TextIO

from grassroots.bootstrap import (
    build_application,
    build_read_side,
    event_store_kind,
    prepare_database_files,
)
from grassroots.demo import (
    DEMO_COUNTY_NAME,
    DEMO_PASSWORD,
    DemoAccount,
    DemoRefused,
    demo_accounts,
    is_demo,
    load_demo,
)
from grassroots.migrating import upgrade
from grassroots.settings import Mode, Settings

__all__ = ["load"]


def load(settings: Settings, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Load the demo; 0 when the store holds it afterwards, 1 when refused."""
    if settings.mode is Mode.PRODUCTION:
        print(
            "grassroots demo: refused: GRASSROOTS_MODE=production never holds the demo "
            "organisation",
            file=err,
        )
        return 1
    if event_store_kind(settings) == "memory":
        print("grassroots demo: refused: the demo needs a database, not memory://", file=err)
        return 1
    prepare_database_files(settings)
    upgrade(settings.database_url, schema=settings.database_schema)
    app = build_application(settings)
    try:
        if is_demo(app):
            print(f"This store already holds the demo organisation {DEMO_COUNTY_NAME}.", file=out)
            _print_accounts(demo_accounts(app), out)
            return 0
        try:
            loaded = load_demo(app, production=False)
        except DemoRefused as refused:
            print(
                f"grassroots demo: refused: {refused} ({settings.database_url}).\n"
                "  Point GRASSROOTS_DATA_DIR (or GRASSROOTS_DATABASE_URL) at an empty store "
                "to try the demo.",
                file=err,
            )
            return 1
        # The read models are brought up to date now, so the first page opens at once.
        read_side = build_read_side(settings, app)
        try:
            read_side.catch_up()
        finally:
            read_side.close()
    finally:
        app.close()
    print(
        f"Loaded the demo organisation {DEMO_COUNTY_NAME}: {loaded.events} events in "
        f"{loaded.seconds:.1f} s ({loaded.volunteers} volunteers, {loaded.activities} "
        f"activities, {loaded.cadres} cadres, {loaded.visits} visits, "
        f"{loaded.problems} problems).",
        file=out,
    )
    _print_accounts(loaded.accounts, out)
    print("Start the server with `grassroots serve` (or `make run`).", file=out)
    return 0


def _print_accounts(accounts: list[DemoAccount], out: TextIO) -> None:
    print(f"Demo accounts (password for each: {DEMO_PASSWORD}):", file=out)
    for account in accounts:
        print(f"  {account.phone}  {account.role:<14} {account.name}  {account.shows}", file=out)
