"""``flask --app wsgi tracker import-figures FILE --programme SLUG [--dry-run] [--as EMAIL]`` and
``flask --app wsgi tracker export-results --programme SLUG --format csv|xlsx --output FILE``."""

import sys
from pathlib import Path

import click
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.models import User
from tracker.cli import tracker_cli
from tracker.extensions import db
from tracker.programmes.models import Membership, Programme, Role


def _programme(slug: str) -> Programme:
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if programme is None:
        raise click.ClickException(f"No programme with the slug {slug!r}")
    return programme


def _acting_user(programme: Programme, email: str | None) -> User:
    """The person the import acts as: ``email``'s account, or the programme's first facilitator. Their
    role in the programme decides which organisations' figures they may change."""
    stmt = select(User).join(Membership, Membership.user_id == User.id).where(Membership.programme_id == programme.id)
    if email:
        user = db.session.scalar(stmt.where(func.lower(User.email) == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"{email} has no role in the programme {programme.slug!r}")
    else:
        user = db.session.scalar(stmt.where(Membership.role == Role.FACILITATOR).order_by(Membership.id))
        if user is None:
            raise click.ClickException(f"The programme {programme.slug!r} has no facilitator; use --as EMAIL")
    if not user.is_active:
        raise click.ClickException(f"The account {user.email} is disabled")
    return user


@tracker_cli.command("import-figures")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--programme", "slug", required=True, help="The programme's slug (from its address).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--as", "email", default=None,
              help="Act as this member of the programme (default: its first facilitator).")
def import_figures(file: Path, slug: str, dry_run: bool, email: str | None) -> None:
    """Import indicator figures from a .csv or .xlsx FILE: every row, or none when any row is an error
    (exit code 1)."""
    from tracker.board.services import today
    from tracker.exchange import imports
    from tracker.results.services import ResultsError

    programme = _programme(slug)
    user = _acting_user(programme, email)
    try:
        parsed = imports.parse(file.name, file.read_bytes())
    except imports.ImportFileError as error:
        raise click.ClickException(str(error)) from error
    day = today()
    results = imports.preview(programme, parsed, user, day)
    click.echo(f"{'Row':>5}  {'Status':<10} Reason")
    for result in results:
        click.echo(f"{result.row:>5}  {result.status:<10} {result.reason}".rstrip())
    counts = imports.summary(results)
    click.echo(", ".join(f"{n} {status}" for status, n in counts.items()))
    if counts["error"]:
        click.echo("Nothing imported: correct the rows with errors and try again.", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("Dry run: nothing written.")
        return
    try:
        written = imports.commit(programme, parsed, user, day)
        db.session.commit()
    except (imports.ImportRejected, ResultsError, StaleDataError, IntegrityError) as error:
        db.session.rollback()
        raise click.ClickException(f"Nothing imported: {error}") from error
    click.echo(f"{written} figure{'s' if written != 1 else ''} imported as {user.email}.")


@tracker_cli.command("export-results")
@click.option("--programme", "slug", required=True, help="The programme's slug (from its address).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the file ('-' for standard output).")
@click.option("--sheet", type=click.Choice(["tracker", "figures"]), default="tracker", show_default=True,
              help="For .csv: the tracker's layout, or the figures in the import's columns.")
def export_results(slug: str, fmt: str, output: Path, sheet: str) -> None:
    """Export the results tracker of every organisation (.xlsx: the tracker and a "Figures" sheet)."""
    from tracker.board.services import today
    from tracker.exchange import files, tables

    programme = _programme(slug)
    organisations = list(programme.organisations)
    day = today()
    if fmt == "xlsx":
        data = files.to_xlsx(tables.results_tables(programme, organisations, day))
    elif sheet == "figures":
        data = files.to_csv(tables.figures_table(programme, organisations))
    else:
        data = files.to_csv(tables.results_tracker(programme, organisations, day))
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    click.echo(f"Wrote {output} ({len(data):,} bytes)")
