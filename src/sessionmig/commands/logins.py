"""`sessionmig logins` and `sessionmig whoami`: who is connected, and the operator's
links from PostgreSQL roles to users (SPEC, "Identity on a shared store")."""

from typing import Annotated

import typer

from sessionmig.commands._common import ShowFormatOpt, listing_options, state
from sessionmig.i18n import N_, _
from sessionmig.render import Col, ListingSpec, ListOptions, ShowFormat

app = typer.Typer(
    help=_("Link PostgreSQL logins to users (operator only, PostgreSQL stores)."),
    no_args_is_help=True,
)

LOGINS = ListingSpec(
    title=N_("Logins"),
    columns=(
        Col("email", N_("E-mail"), text=True),
        Col("name", N_("Name"), text=True),
        Col("client_id", N_("Client"), "right"),
        Col("login", N_("Login"), text=True),
    ),
    default=("email", "name", "client_id", "login"),
    empty=N_("no linked logins"),
)

EmailArg = Annotated[str, typer.Argument(metavar="EMAIL", help=_("The user's e-mail address."))]


def _write(ctx: typer.Context, what: str | None) -> None:
    from sessionmig.render import notice

    state(ctx).committed(what)
    notice(what or _("nothing to change: already so"))


@app.command(
    "link",
    help=_(
        "Bind the PostgreSQL role ROLE to the user EMAIL: that login then acts as that "
        "user, and only as them. --create makes ROLE a LOGIN role without a password "
        "(authentication is the server's: pg_hba, ALTER ROLE ... PASSWORD). Idempotent.\n\n"
        "Example: sessionmig --db postgresql+psycopg://owner@host/db logins link "
        "ana@acme.test ana --create"
    ),
)
def link(
    ctx: typer.Context,
    email: EmailArg,
    role: Annotated[str, typer.Argument(metavar="ROLE", help=_("The PostgreSQL role."))],
    create: Annotated[
        bool, typer.Option("--create", help=_("Create ROLE (LOGIN, no password) if absent."))
    ] = False,
) -> None:
    from sessionmig.context import require_text
    from sessionmig.store import identity
    from sessionmig.store.engine import translate_errors, writing

    app_ctx = state(ctx)
    require_text("EMAIL", email)
    require_text("ROLE", role)
    engine = app_ctx.engine()
    app_ctx.require_operator("logins link")
    with translate_errors(engine.url), writing(engine) as conn:
        what = identity.link(conn, email, role, create=create)
    _write(ctx, what)


@app.command(
    "unlink",
    help=_(
        "Remove the link of the user EMAIL to their PostgreSQL role (the role stays). "
        "Idempotent.\n\n"
        "Example: sessionmig --db postgresql+psycopg://owner@host/db logins unlink ana@acme.test"
    ),
)
def unlink(ctx: typer.Context, email: EmailArg) -> None:
    from sessionmig.context import require_text
    from sessionmig.store import identity
    from sessionmig.store.engine import translate_errors, writing

    app_ctx = state(ctx)
    require_text("EMAIL", email)
    engine = app_ctx.engine()
    app_ctx.require_operator("logins unlink")
    with translate_errors(engine.url), writing(engine) as conn:
        what = identity.unlink(conn, email)
    _write(ctx, what)


@app.command(
    "list",
    help=_(
        "List the users linked to a PostgreSQL role.\n\n"
        "Example: sessionmig --db postgresql+psycopg://owner@host/db logins list --format json"
    ),
)
@listing_options(LOGINS)
def list_logins(ctx: typer.Context, out: ListOptions) -> None:
    from sessionmig.render import listing
    from sessionmig.store import identity
    from sessionmig.store.queries import reading

    app_ctx = state(ctx)
    engine = app_ctx.engine()
    with reading(engine) as conn:
        identity.require_postgresql(conn)
    app_ctx.require_operator("logins list")
    listing(identity.list_logins(engine, out.window()), LOGINS, out)


def whoami(ctx: typer.Context, fmt: ShowFormatOpt = ShowFormat.table) -> None:
    from sessionmig import render
    from sessionmig.store import identity
    from sessionmig.store.queries import reading

    app_ctx = state(ctx)
    login = app_ctx.login()
    # The operator without --as, and a login linked to nobody, act as nobody.
    actor = app_ctx.actor() if (app_ctx.actor_email or login.user_id is not None) else None
    with reading(app_ctx.engine()) as conn:
        data = identity.whoami(conn, login, actor)
    if fmt is ShowFormat.json:
        render.dump_json(data)
        return
    who = data["actor"]
    grants = ", ".join(
        g["role"] + "@" + g["scope"] + ("" if g["scope_id"] is None else f" {g['scope_id']}")
        for g in data["grants"]
    )
    render.details(
        [
            (N_("Login"), data["login"]),
            (N_("Operator"), data["operator"]),
            (N_("Acting as"), None if who is None else f"{who['name']} <{who['email']}>"),
            (N_("Client"), None if who is None else f"{who['client_name']} (#{who['client_id']})"),
            (N_("Grants"), grants or None),
        ],
        title=_("Who am I"),
    )


WHOAMI_HELP = _(
    "Show who is connected: the login (PostgreSQL's session_user, the OS user on SQLite), "
    "whether it is the operator, the user it acts as and their grants.\n\n"
    "Example: sessionmig whoami --format json"
)
