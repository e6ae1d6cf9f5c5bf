"""`commonground audit`: check the append-only audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonground.terminal import console, fail, out, require_schema, setup_django

app = typer.Typer(
    help="Check the append-only audit log and sign checkpoints of its head.", no_args_is_help=True, add_completion=False
)


@app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        list[Path], typer.Option(help="A signed checkpoint the log must still contain (repeatable).")
    ] = [],  # noqa: B006
    trust: Annotated[str | None, typer.Option(help="Only accept checkpoints signed by this key fingerprint.")] = None,
) -> None:
    """Recompute the audit hash chain and check it holds every checkpointed head; exit 1 naming the first
    broken record, or the checkpoint whose record is missing (truncation) or changed (rewrite)."""
    setup_django()
    require_schema()
    from commonground.audit.service import verify_against

    with console.status("Checking the audit chain…"):
        count, problems = verify_against(checkpoint, trust)
    if problems:
        fail(
            f"{problems[0]} (checked {count} records"
            + (f"; {len(problems) - 1} more problems)" if len(problems) > 1 else ")")
        )
    held = f"; it holds all {len(checkpoint)} checkpoint{'s' if len(checkpoint) != 1 else ''}" if checkpoint else ""
    out.print(f"Audit chain intact: {count} records checked{held}")


@app.command("checkpoint")
def audit_checkpoint(
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the signed checkpoint (JSON).")],
) -> None:
    """Sign the log's head (sequence number, head hash, time) with the key in COMMONGROUND_AUDIT_KEY;
    publish the file or keep it where the database's users cannot change it."""
    setup_django()
    require_schema()
    from commonground.audit import checkpoints
    from commonground.audit.service import checkpoint

    try:
        point = checkpoint()
        out_path.write_text(point.as_json() + "\n", encoding="utf-8")
    except checkpoints.CheckpointError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {out_path}: {exc.strerror}")
    out.print(
        f"Checkpoint of record {point.seq} (head {point.head[:16]}…) signed by key {point.key_fingerprint}: {out_path}"
    )


@app.command("keygen")
def audit_keygen(
    out_path: Annotated[Path | None, typer.Option("--out", help="Key file (default: COMMONGROUND_AUDIT_KEY).")] = None,
) -> None:
    """Make the Ed25519 key that signs checkpoints (mode 0600); keep it outside the data directory."""
    from commonground.audit import checkpoints

    path = out_path or checkpoints.key_path()
    try:
        printed = checkpoints.make_key(path)
    except checkpoints.CheckpointError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror}")
    out.print(f"Wrote {path}; its public key's fingerprint is {printed} (give it to whoever checks checkpoints)")
