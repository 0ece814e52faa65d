"""The ``grassroots`` command: serve the API, migrate, run read models, create users,
load the demo, sweep unnamed photo files."""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Sequence
from typing import Any

from grassroots.settings import Settings, SettingsError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="grassroots", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and pages (GRASSROOTS_HOST/PORT)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API processes (default 1); more than one adds a projection worker process",
    )
    # Set by ``--workers``' supervisor for each API process: the socket it accepts on.
    serve.add_argument("--fd", type=int, default=None, help=argparse.SUPPRESS)
    migrate = commands.add_parser("migrate", help="bring the read-model schema up to date")
    migrate.add_argument("revision", nargs="?", default="head")
    projections = commands.add_parser("projections", help="run, rebuild or inspect read models")
    actions = projections.add_subparsers(dest="action", required=True)
    actions.add_parser("run", help="keep every read model up to date (a worker process)")
    rebuild = actions.add_parser("rebuild", help="rebuild read models from the whole log")
    rebuild.add_argument("name", nargs="?", help="one projection (default: all)")
    actions.add_parser("status", help="each projection's position and lag behind the log")
    actions.add_parser("failures", help="read models stuck before an event, and skipped events")
    retry = actions.add_parser("retry", help="try a failing read model again now")
    retry.add_argument("name")
    skip = actions.add_parser("skip", help="pass over one event in one read model (audited)")
    skip.add_argument("name")
    skip.add_argument("position", type=int)
    skip.add_argument("--reason", required=True)
    skip.add_argument("--operator", help="who decides (default: the OS user)")
    users = commands.add_parser("users", help="accounts of staff, cadres and supervisors")
    user_actions = users.add_subparsers(dest="action", required=True)
    create = user_actions.add_parser(
        "create", help="create an account (the password is read without echo or from stdin)"
    )
    create.add_argument("--phone", required=True)
    create.add_argument("--name", required=True)
    create.add_argument(
        "--grant",
        action="append",
        required=True,
        metavar="ROLE[:ID]",
        help="administrator, or center_staff|cadre|supervisor|volunteer:<record id>; repeatable",
    )
    commands.add_parser(
        "demo", help="load the demo organisation into an empty store (never in production)"
    )
    photos = commands.add_parser("photos", help="the photo files of experience posts")
    photo_actions = photos.add_subparsers(dest="action", required=True)
    sweep = photo_actions.add_parser("sweep", help="remove old photo files no event names")
    sweep.add_argument("--older-than-hours", type=float, default=24.0)
    sweep.add_argument("--dry-run", action="store_true", help="say what would go; remove nothing")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as e:
        print(f"grassroots: {e}", file=sys.stderr)
        return 2
    if args.command == "serve":
        if args.workers < 1:
            print("grassroots: --workers must be at least 1", file=sys.stderr)
            return 2
        if args.workers > 1:
            from grassroots.supervisor import serve_workers

            return serve_workers(settings, args.workers)
        return _serve(settings, fd=args.fd)
    if args.command == "projections":
        from grassroots import projections_cli

        if args.action == "run":
            return projections_cli.run(settings)
        if args.action == "rebuild":
            return projections_cli.rebuild(settings, args.name)
        if args.action == "failures":
            return projections_cli.failures(settings)
        if args.action == "retry":
            return projections_cli.retry(settings, args.name)
        if args.action == "skip":
            return projections_cli.skip(
                settings, args.name, args.position, reason=args.reason, operator=args.operator
            )
        return projections_cli.status(settings)
    if args.command == "demo":
        from grassroots.demo_cli import load

        return load(settings)
    if args.command == "photos":
        from grassroots.photos_cli import sweep as sweep_photos

        return sweep_photos(settings, older_than_hours=args.older_than_hours, dry_run=args.dry_run)
    if args.command == "users":
        from grassroots.users_cli import create_user

        return create_user(settings, phone=args.phone, name=args.name, grants=args.grant)
    from grassroots.bootstrap import prepare_database_files
    from grassroots.migrating import upgrade

    prepare_database_files(settings)
    upgrade(settings.database_url, revision=args.revision, schema=settings.database_schema)
    return 0


def _serve(settings: Settings, fd: int | None = None) -> int:
    import uvicorn

    from grassroots.bootstrap import build_web_app
    from grassroots.serving import settle_heap, uvicorn_options
    from grassroots.supervisor import codes_lead_to

    app = build_web_app(settings)
    base = f"http://{settings.host}:{settings.port}"
    if fd is None:
        print(
            "\n  Grassroots is starting.\n"
            f"    home page       {base}/\n"
            f"    API reference   {base}/schema\n"
            f"    health          {base}/health\n"
            f"    event store     {settings.database_url}\n"
            f"{codes_lead_to(settings)}"
            "  Press Ctrl+C to stop.\n",
            flush=True,
        )
    # Last, once everything the server keeps for its whole life has been built.
    settle_heap()
    # uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1, so anyone on
    # this host could choose the address rate limits count against; the API reads
    # that header itself, from GRASSROOTS_TRUSTED_PROXIES only.
    options: dict[str, Any] = {
        "log_level": "info",
        "proxy_headers": False,
        **uvicorn_options(settings),
    }
    if fd is None:
        uvicorn.run(app, host=settings.host, port=settings.port, **options)
        return 0
    # The supervisor's listening socket. Not uvicorn's own ``fd`` option: it labels the
    # socket AF_UNIX, so asyncio would not set TCP_NODELAY on the connections it
    # accepts, and small answers would wait on delayed ACKs (~40 ms each).
    sock = socket.socket(fileno=fd)
    uvicorn.Server(uvicorn.Config(app, **options)).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
