"""`python -m bot` serves Pagekeeper; `python -m bot check-config [FILE]` checks a district file;
`python -m bot migrate-data --from PATH` copies a TinyDB data folder into DATABASE_URL;
`python -m bot verify-audit` checks the audit trail's hash chain, while the bot runs or not;
`python -m bot reload` has the running bot read the district file again;
`python -m bot backup` / `restore` back the data up and restore it."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
from importlib import metadata
from pathlib import Path

from aiohttp import web

from adapters.teams.package import write_package
from bot.bootstrap import build
from bot.config import Settings, SettingsError, environment, settings_from
from bot.logs import configure as configure_logs
from bot.reloading import new_reload_key, reload_on_hangup
from bot.web import make_app
from storage.backup import back_up, restore
from storage.files import lock_holder
from storage.integrity import verify_folder
from storage.postgres.backup import back_up_database, restore_database
from storage.postgres.copy_from_tinydb import copy_folder
from storage.postgres.reloads import announce_reload
from storage.postgres.schema import MIGRATIONS
from storage.postgres.store import describe as describe_database
from storage.postgres.store import verify_trail
from storage.tinydb_store import FORMAT as DATA_FORMAT
from workflows.district.config import ConfigError
from workflows.district.loading import load_config
from workflows.district.summary import describe
from workflows.kernel.ports import StorageError

log = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        configure_logs(environment().get("PAGEKEEPER_LOG_FORMAT", "text").strip() or "text")
    except ValueError as error:
        print(f"pagekeeper: cannot start: {error}", file=sys.stderr)
        return 2
    if arguments.command == "check-config":
        return _check_config(arguments.file)
    if arguments.command == "teams-package":
        return _teams_package(arguments.domain, Path(arguments.output))
    if arguments.command == "migrate-data":
        return _migrate_data(Path(arguments.source))
    if arguments.command == "verify-audit":
        return _verify_audit()
    if arguments.command == "reload":
        return _reload()
    if arguments.command in ("backup", "restore"):
        return _backup_or_restore(arguments.command, Path(arguments.file))
    try:
        settings = settings_from(environment(), host=arguments.host, port=arguments.port)
        settings.check()
        load_config(settings.config_path)  # fail fast, before anything is opened
        _serve(settings)
    except (ConfigError, SettingsError, StorageError) as error:
        print(f"pagekeeper: cannot start: {error}", file=sys.stderr)
        return 2
    return 0


def _check_config(file: str | None) -> int:
    path = Path(file) if file else settings_from(environment()).config_path
    try:
        print(describe(load_config(path)))
    except ConfigError as error:
        print(f"pagekeeper: {error}", file=sys.stderr)
        return 2
    return 0


def _teams_package(domain: str, output: Path) -> int:
    teams = settings_from(environment()).of("teams")
    if teams is None:
        print("pagekeeper: set MicrosoftAppId to the bot's app id first", file=sys.stderr)
        return 2
    write_package(output, app_id=teams.app_id, domain=domain)
    print(f"Wrote {output}: upload it in Teams under Apps > Manage your apps > Upload an app.")
    return 0


def _migrate_data(folder: Path) -> int:
    settings = settings_from(environment())
    if not settings.database_url:
        print(
            "pagekeeper: set DATABASE_URL to the PostgreSQL database to copy into first",
            file=sys.stderr,
        )
        return 2
    try:
        report = asyncio.run(copy_folder(folder, settings.database_url))
    except StorageError as error:
        print(f"pagekeeper: cannot copy: {error}", file=sys.stderr)
        return 2
    print(f"Copied {folder} into the database at {describe_database(settings.database_url)}:")
    for kind, tally in report.tallies.items():
        print(f"  {kind}: {tally}")
    return 0


def _backup_or_restore(command: str, file: Path) -> int:
    """Back the data up to `file` (the bot may be running), or restore `file` into an empty
    data folder or database: DATABASE_URL's when it is set, PAGEKEEPER_DATA's otherwise."""
    settings = settings_from(environment())
    url = settings.database_url
    where = f"the database at {describe_database(url)}" if url else str(settings.data_dir)
    parts = "tables" if url else "files"
    try:
        if command == "backup":
            if url:
                report = asyncio.run(back_up_database(url, file))
            else:
                report = back_up(settings.data_dir, file)
            print(
                f"Backed up {where} to {file}: {report.parts} {parts}, "
                f"{report.audit_lines:,} audit entries, {report.size:,} bytes."
            )
        else:
            if url:
                report = asyncio.run(restore_database(file, url))
            else:
                report = restore(file, settings.data_dir)
            print(
                f"Restored {file} into {where}: {report.parts} {parts}, "
                f"{report.audit_lines:,} audit entries, each checked against the hash chain."
            )
    except StorageError as error:
        print(f"pagekeeper: cannot {command}: {error}", file=sys.stderr)
        return 2
    return 0


def _reload() -> int:
    """Have the running bot (every process on a database) read the district file again. The
    file is checked here too: a bad one is reported here at once, and the bot, asked all the
    same, refuses it, logs it and tells the district contact, keeping the one in force."""
    settings = settings_from(environment())
    problem = ""
    try:
        load_config(settings.config_path)
    except ConfigError as error:
        problem = str(error)
    if settings.database_url:
        database = describe_database(settings.database_url)
        where = f"every Pagekeeper process using the database at {database}"
        try:
            asyncio.run(announce_reload(settings.database_url, new_reload_key()))
        except StorageError as error:
            print(f"pagekeeper: cannot reload: {error}", file=sys.stderr)
            return 2
    else:
        pid = lock_holder(settings.data_dir)
        if pid is None:
            print(
                f"pagekeeper: no running Pagekeeper uses {settings.data_dir}; the district file "
                "is read when it starts",
                file=sys.stderr,
            )
            return 2
        os.kill(pid, signal.SIGHUP)
        where = f"the Pagekeeper process {pid}"
    if problem:
        print(
            f"pagekeeper: not reloaded, the file in force stays: {problem} ({where} was told "
            "too: it logs the refusal and tells the district contact)",
            file=sys.stderr,
        )
        return 2
    print(
        f"Asked {where} to read the district file again. It logs the result; the district "
        "contact is told."
    )
    return 0


def _verify_audit() -> int:
    """Exit 0 when the whole trail matches its chain and its recorded end, 1 when not."""
    settings = settings_from(environment())
    try:
        if settings.database_url:
            where = f"the database at {describe_database(settings.database_url)}"
            head = asyncio.run(verify_trail(settings.database_url))
        else:
            where = str(settings.data_dir)
            head = verify_folder(settings.data_dir)
    except StorageError as error:
        print(f"pagekeeper: the audit trail is NOT intact: {error}", file=sys.stderr)
        return 1
    print(
        f"The audit trail in {where} is intact: {head.count} entries, each linked to the one "
        f"before it; the last one's hash is {head.hash or '(none: the trail is empty)'}."
    )
    return 0


def version_line() -> str:
    """This Pagekeeper's version and the data layouts it reads and writes."""
    return (
        f"pagekeeper {metadata.version('pagekeeper')} (TinyDB data format {DATA_FORMAT}, "
        f"PostgreSQL schema {len(MIGRATIONS)})"
    )


def _serve(settings: Settings) -> None:
    if settings.local_mode:
        log.warning(
            "LOCAL MODE: no Slack or Teams credentials are set, so this bot is for trying out "
            "on this machine only. host=%s port=%d",
            settings.host,
            settings.port,
        )

    async def application() -> web.Application:
        pagekeeper = await build(settings)
        reload_on_hangup(pagekeeper.reloader)
        # Everything loaded so far (the TinyDB store keeps its records in memory) lives as
        # long as the process: keep it out of the collector's full passes, which would
        # otherwise pause the event loop for it (385 ms with 5,000 pages and 30,000 sent
        # messages; nothing with this).
        gc.freeze()
        return make_app(pagekeeper)

    web.run_app(application(), host=settings.host, port=settings.port, print=None, access_log=None)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--version", action="version", version=version_line())
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default $PORT or 3978)")
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser("check-config", help="check a district configuration file")
    check.add_argument("file", nargs="?", help="TOML file (default $PAGEKEEPER_CONFIG or built-in)")
    package = commands.add_parser("teams-package", help="write the Teams app package (zip)")
    package.add_argument(
        "--domain", required=True, help="the public host name, e.g. pk.example.org"
    )
    package.add_argument("--output", default="pagekeeper-teams.zip", help="where to write the zip")
    migrate = commands.add_parser(
        "migrate-data", help="copy a TinyDB data folder into the database at DATABASE_URL"
    )
    migrate.add_argument(
        "--from", dest="source", required=True, help="the data folder (PAGEKEEPER_DATA)"
    )
    backup = commands.add_parser(
        "backup",
        help="write a backup of DATABASE_URL or PAGEKEEPER_DATA to a file, while the bot runs",
    )
    backup.add_argument("--to", dest="file", required=True, help="the backup file to write")
    restoring = commands.add_parser(
        "restore", help="restore a backup into an empty DATABASE_URL or PAGEKEEPER_DATA"
    )
    restoring.add_argument("--from", dest="file", required=True, help="the backup file")
    commands.add_parser(
        "reload",
        help="check the district file, then have the running bot read it again (no restart)",
    )
    commands.add_parser(
        "verify-audit",
        help="check the audit trail in PAGEKEEPER_DATA or DATABASE_URL against its hash chain",
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
