"""People from another workspace or tenant: refused, told why, and audited. Their platform
profile may carry a district email; it proves nothing outside the district's own tenant."""

from __future__ import annotations

from workflows.kernel.commands import RefuseOutsider
from workflows.kernel.events import OutsiderRefused
from workflows.kernel.handling import Context, Handled, Outcome


async def refuse_outsider(command: RefuseOutsider, ctx: Context) -> Handled:
    event = OutsiderRefused(
        command.where or "unknown",
        f"{command.platform}:{command.who}",
        ctx.clock.now(),
        command.platform,
    )
    reply = ctx.refusal(
        f"This Pagekeeper serves {ctx.config.name} only, and your {command.platform} account is "
        f"not part of the district's {command.platform}. Nothing was done. If you work for the "
        f"district, sign in with your district account or ask {ctx.config.contact_person.name} "
        f"({ctx.config.contact}).",
        title="Not the district's account",
    )
    return Handled(Outcome(events=(event,), reply=reply))
