"""Example customers for local runs; fictitious people on reserved example.com addresses."""

from __future__ import annotations

from ..application.customers import CustomerUseCases
from ..application.dto import CreateCustomer
from ..application.errors import EmailAlreadyRegisteredError
from ..application.security import Principal

EXAMPLES = (
    CreateCustomer(email="ada.lovelace@example.com", first_name="Ada", last_name="Lovelace", phone="+442071234567"),
    CreateCustomer(email="alan.turing@example.com", first_name="Alan", last_name="Turing"),
    CreateCustomer(email="grace.hopper@example.com", first_name="Grace", last_name="Hopper", phone="+12025550123"),
    CreateCustomer(email="edsger.dijkstra@example.com", first_name="Edsger", last_name="Dijkstra"),
    CreateCustomer(email="barbara.liskov@example.com", first_name="Barbara", last_name="Liskov"),
)
SEEDER = Principal(subject="seed", roles=frozenset({"admin"}), scopes=frozenset(), tenant=None)


async def seed_examples(customers: CustomerUseCases) -> int:
    created = 0
    for example in EXAMPLES:
        try:
            await customers.create(SEEDER, example)
        except EmailAlreadyRegisteredError:
            continue  # already seeded by an earlier start
        created += 1
    return created
