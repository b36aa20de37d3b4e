"""The parts of docs/ODD.md that the code decides: the weekly schedule, in the order
`VraemModel.step` and `Faction.step` run it, and the parameter table of every config field.

    python -m sim.report.odd            # rewrite the generated blocks of docs/ODD.md
    python -m sim.report.odd --check    # exit 1 if docs/ODD.md is out of date

The schedule is read from the source of the two step methods (statement by statement, with the
standard library's `ast`), and each statement is described by the first entry of its step's
table whose pattern it contains. A statement that no entry describes is an error, so a new step
cannot go undocumented.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.agents.faction import Faction
from sim.config.reference import render as render_parameters
from sim.model import VraemModel

ODD_FILE = Path("docs/ODD.md")
BEGIN, END = "<!-- generated: {name} -->", "<!-- end generated: {name} -->"

#: (pattern in the statement's source, what it does), for VraemModel.step, in no special order
MODEL_STEPS: tuple[tuple[str, str], ...] = (
    (
        "self._new_week()",
        "New week: each armed group books last week's income; escorts are "
        "re-matched to the groups now active; the week's army orders and transit tallies reset.",
    ),
    (
        "self.schedule.step(",
        "Interventions that end this week are undone (their levers "
        "restored), then those that start this week are applied (`sim/interventions`).",
    ),
    (
        "self._produce()",
        "Growers (vectorised households) harvest, pay the armed groups' leaf "
        "tax, decide what to plant or abandon from the leaf price, taxes, grievance and "
        "subsidies; leaf becomes cocaine in each district's producer stock.",
    ),
    (
        "self._agents_do(PoliceUnit)",
        "Police units (random order) move presence toward the route legs where they seized most.",
    ),
    (
        "self.transit.update_risk(",
        "The week's detection hazard of every edge is set from police "
        "presence, interdiction capacity and security effectiveness.",
    ),
    (
        "self._agents_do(ArmyUnit)",
        "Army units (random order) patrol where the groups are strong "
        "(clashes where patrols find fighters, helped by informers), mount operations against the "
        "cadres they locate, and eradicate when ordered or equipped.",
    ),
    (
        "self.growers.record_eradication(",
        "Eradicated hectares are taken from the growers' fields and raise their grievance.",
    ),
    (
        "self.civilians.update(",
        "Civilians (per household) decide whether to inform, from state "
        "presence, armed control, fear, resentment, grievance and coca dependence.",
    ),
    ("self._agents_do(Faction)", "Armed groups (random order) each run their own week (below)."),
    (
        "self._act_on_defections()",
        "Commanders who chose to leave split off with their columns "
        "as new gangs; a group left with nobody who could lead breaks up into its columns.",
    ),
    (
        "self._contest_turf()",
        "Groups attack rivals in districts they share or border; weak "
        "gangs merge into a neighbour or turn to trafficking; each group sets its tax rates.",
    ),
    (
        "self._traffickers_buy()",
        "Trafficking organisations buy from the producer stocks of their districts.",
    ),
    (
        "self._value_routes()",
        "Every route is valued by its expected margin: exit price less "
        "VRAEM price, transport, perceived seizure risk and escort fees.",
    ),
    (
        "self._ship()",
        "Trafficking organisations send lots on routes chosen by a logit "
        "over their route values, hiring armed escorts where groups control the origin (all "
        "organisations' lots drawn together, vectorised; no lot depends on another's).",
    ),
    (
        "self.transit.move(",
        "Shipments move along their legs (vectorised): seizures, losses and "
        "exports at the exits; edge flows are tallied by reporting year.",
    ),
    (
        "self.beliefs.learn(",
        "Traffickers update their perceived risk of each edge from the "
        "seizures and safe passages they saw.",
    ),
    (
        "self._update_prices(",
        "Exit prices respond to what arrived and was seized; the VRAEM "
        "prices clear against traffickers' bids and the unsold stock.",
    ),
    (
        "self._record(",
        "The week is recorded (`timeseries`, `exits`, events), with the mass "
        "balance of every kilogram.",
    ),
    ("self.week += 1", "The week counter advances."),
)

#: (pattern, what it does) for Faction.step
FACTION_STEPS: tuple[tuple[str, str], ...] = (
    ("if not self.active", "A dissolved group does nothing."),
    ("world = self.world", ""),
    (
        "self.cadres.age_one_week(",
        "Cadres age a week; some die of natural causes (Gompertz "
        "risk), and a dead leader's post goes to the strongest claimant.",
    ),
    (
        "self.cadres.refill(",
        "Vacant posts are refilled by promotion (by rank, kinship and "
        "seniority), each with a weekly chance; new heirs only as they come of age.",
    ),
    (
        "self.claim_the_empty_lead()",
        "A group without a leader but with cadres is led again by its strongest claimant.",
    ),
    ("if taken is not None", ""),  # its event is logged
    (
        "self.cadres.drift_loyalty()",
        "Loyalty moves toward what the leader's legitimacy warrants (kin stay loyal).",
    ),
    (
        "choose_violence(",
        "Violence is chosen from four motives (threat, revenge, visibility, "
        "outbidding): ambushes, selective killings of informers and massacres, by columns whose "
        "commander is in post; sizes follow from the fighters committed and the target.",
    ),
    (
        "self._membership()",
        "Members are recruited or lost as income allows (growers' grievance "
        "brings cheaper recruits); the group arms the share of members the threat calls for.",
    ),
    ("self._territory()", "Control of each district follows the group's fighting strength."),
    ("self._remember()", "The threat it faced and its kin's desire for revenge decay."),
    (
        "self.review_loyalties(",
        "Every review (13 weeks) and whenever the leadership changed, "
        "each commander weighs staying against leaving with its column.",
    ),
)


def _statements(method: Callable[..., object]) -> list[str]:
    """The source of each top-level statement of a method, docstring left out."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return [ast.unparse(stmt) for stmt in body]


def schedule(method: Callable[..., object], steps: Sequence[tuple[str, str]]) -> list[str]:
    """What each statement of `method` does, in the order they run (statements described by
    '' are left out). Raises KeyError naming a statement no entry of `steps` describes."""
    out = []
    for stmt in _statements(method):
        text = next((words for pattern, words in steps if pattern in stmt), None)
        if text is None:
            first = stmt.splitlines()[0]
            raise KeyError(f"no description of the step `{first}` in sim/report/odd.py")
        if text:
            out.append(text)
    return out


def schedule_block() -> str:
    """The generated schedule: the model's week, and an armed group's week inside it."""
    week = schedule(VraemModel.step, MODEL_STEPS)
    group = schedule(Faction.step, FACTION_STEPS)
    lines = ["Each week, in this order (`VraemModel.step`):", ""]
    lines += [f"{i}. {text}" for i, text in enumerate(week, 1)]
    at = 1 + next(i for i, text in enumerate(week) if text.startswith("Armed groups"))
    lines += ["", f"An armed group's own week (`Faction.step`, step {at} above):", ""]
    lines += [f"{i}. {text}" for i, text in enumerate(group, 1)]
    return "\n".join(lines)


def parameters_block() -> str:
    """The generated parameter table: every config field with its default, unit and source."""
    body = render_parameters().split("\n", 1)[1].lstrip("\n")  # without the page's own title
    return body.replace("\n## ", "\n#### ").replace("\n### ", "\n##### ").rstrip("\n")


BLOCKS: dict[str, Callable[[], str]] = {"schedule": schedule_block, "parameters": parameters_block}


def fill(text: str) -> str:
    """`text` (docs/ODD.md) with every generated block rewritten from the code."""
    for name, make in BLOCKS.items():
        begin, end = BEGIN.format(name=name), END.format(name=name)
        head, found, rest = text.partition(begin)
        if not found:
            raise ValueError(f"docs/ODD.md has no `{begin}` marker")
        _, found, tail = rest.partition(end)
        if not found:
            raise ValueError(f"docs/ODD.md has no `{end}` marker")
        text = f"{head}{begin}\n{make()}\n{end}{tail}"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite the generated blocks of docs/ODD.md, or with --check say if they are stale."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if ODD.md is out of date")
    parser.add_argument("--file", type=Path, default=ODD_FILE)
    args = parser.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    new = fill(text)
    if args.check:
        if new != text:
            print(f"{args.file} is out of date: run python -m sim.report.odd", file=sys.stderr)
            return 1
        return 0
    args.file.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
