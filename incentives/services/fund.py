"""The rebate fund: approved settlements credit it, orders use it within the programme's limit, a
cancelled order gives back what it used, the owner adjusts or expires credit. Every change is an
entry in an append-only ledger and an audit record; the balance is always the ledger's sum and never
goes below zero, however many orders use it at once.

Orders pay from it through ordering's ``BuyerFund`` port (``OrderFund`` here, installed by
``provide``): in the transaction that places the order, and given back in the one that cancels or
rejects it (docs/incentives.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from channel.roles import Permission
from channel.services.activity import record_change
from channel.transactions import is_postgres, read_transaction, write_transaction
from channel.visibility import Actor
from core.clock import Clock
from core.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from incentives import fund as rules
from incentives import repository, schemas
from incentives.fund import EntryKind
from incentives.services.programmes import require
from ordering.orders import OrderStatus
from ordering.payments import FundPayment, provide_buyer_fund
from ordering.services import orders

_ENDED = frozenset({OrderStatus.CANCELLED.value, OrderStatus.REJECTED.value})


async def _partner(actor: Actor, partner_id: UUID) -> tuple[str, str, str]:
    """The partner's path, name and currency, if the actor sees it."""
    found = await repository.partner_facts(partner_id)
    if found is None or not actor.sees(found[0].path):
        raise NotFoundError("partner_not_found")
    facts, name, currency = found
    return facts.path, name, currency


async def use_percent(partner_id: UUID) -> Decimal:
    """The most of an order the fund may pay: the highest limit among the programmes that credited it."""
    definitions = await repository.definitions(await repository.settlement_programme_ids(partner_id))
    return max((d.fund_use_percent for d in definitions), default=Decimal(0))


async def _post(
    actor: Actor,
    clock: Clock,
    account: dict[str, Any],
    kind: EntryKind,
    amount: Decimal,
    *,
    order_reference: str = "",
    settlement_id: UUID | None = None,
    reason: str = "",
    usable_until: date | None = None,
) -> Decimal | None:
    """Move the balance and write the ledger entry and the audit record; ``None`` (nothing written)
    when the balance would go below zero."""
    now = clock.now()
    balance = await repository.change_balance(account["id"], amount, now, exact=is_postgres())
    if balance is None:
        return None
    await repository.insert_fund_entry(
        {
            "account_id": account["id"],
            "partner_id": account["partner_id"],
            "occurred_at": now,
            "kind": kind.value,
            "amount": amount,
            "balance_after": balance,
            "settlement_id": settlement_id,
            "order_reference": order_reference,
            "reason": reason,
            "actor_label": actor.label,
            "usable_until": usable_until,
        }
    )
    await record_change(
        actor,
        clock,
        action=f"fund.{kind.value}",
        object_type="rebate_fund",
        object_id=account["id"],
        object_label=order_reference or reason[:80],
        organisation_id=account["partner_id"],
        organisation_path=account["partner_path"],
        after={"amount": amount, "balance": balance, "order_reference": order_reference}
        | ({"usable_until": usable_until} if usable_until else {}),
    )
    return balance


async def _lots(account: dict[str, Any]) -> list[rules.Lot]:
    """The credit in the fund by lot, from its whole ledger."""
    return rules.lots_of(await repository.ledger_lines(account["id"]))


async def _lapse(actor: Actor, clock: Clock, account: dict[str, Any]) -> Decimal:
    """Write off the credit whose last day has passed, and note when the next lapses; returns what
    was written off. Runs before anything takes from a fund that ever held dated credit, and after
    anything gives back to it, so that lapsed credit never pays for an order, whether or not the
    expiry job has been by yet."""
    if not account["credits_lapse"]:
        return Decimal(0)
    await repository.lock_account(account["id"], postgres=is_postgres())
    today = clock.now().date()
    lots = await _lots(account)
    lapsed = rules.lapsed(lots, today)
    if lapsed:
        until = rules.lapsed_until(lots, today)
        posted = await _post(actor, clock, account, EntryKind.EXPIRY, -lapsed, usable_until=until)
        assert posted is not None, "lapsed credit is part of the balance"
    following = [day for day, _left in rules.lapsing(lots) if day >= today]
    next_lapse = following[0] + timedelta(days=1) if following else None
    if next_lapse != account["next_lapse_on"]:
        await repository.set_next_lapse(account["id"], next_lapse)
    return lapsed


async def expire_credit(actor: Actor, clock: Clock) -> int:
    """The scheduled expiry: every fund holding credit past its last day writes it off, one
    transaction each; returns how many did. Safe to run twice or at once: ``_lapse`` holds the
    account and works from its ledger."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    expired = 0
    for partner_id in await repository.lapsing_partners(clock.now().date()):
        async with write_transaction():
            account = await repository.account_row(partner_id)
            if account is None or not actor.sees(account["partner_path"]):
                continue
            if await _lapse(actor, clock, account):
                expired += 1
    return expired


async def _account(partner_id: UUID, path: str, currency: str, clock: Clock) -> dict[str, Any]:
    await repository.ensure_account(partner_id, path, currency, clock.now())
    account = await repository.account_row(partner_id)
    assert account is not None
    return account


async def credit(actor: Actor, settlement: schemas.Settlement, partner_path: str, clock: Clock) -> Decimal:
    """Credit an approved settlement and return what was credited. A negative settlement takes back
    what a correction says was overpaid as far as the balance allows; the caller records only what
    was taken, so the next settlement nets the rest. Credit of a programme with a validity is usable
    until the end of its last month (``Definition.credit_valid_months``)."""
    account = await _account(settlement.partner_id, partner_path, settlement.currency, clock)
    if account["currency"] != settlement.currency:
        raise ConflictError("fund_currency_mismatch", currency=account["currency"])
    label = f"{settlement.programme_code} {settlement.period_start.isoformat()}"
    until = None
    if settlement.amount > 0:
        [definition] = await repository.definitions({settlement.programme_id})
        if definition.credit_valid_months is not None:
            until = rules.usable_until(clock.now().date(), definition.credit_valid_months)
            if not account["credits_lapse"]:
                await repository.mark_credits_lapse(account["id"])
                account = {**account, "credits_lapse": True}
    if settlement.amount < 0:
        await _lapse(actor, clock, account)  # a correction must not take credit that lapsed already
    for _ in range(5):  # an order may use the fund between reading the balance and taking from it
        amount = settlement.amount
        if amount < 0:
            amount = -min(-amount, repository.money(account["balance"]))
        if not amount:
            return Decimal(0)
        posted = await _post(
            actor,
            clock,
            account,
            EntryKind.CREDIT,
            amount,
            settlement_id=settlement.id,
            reason=label,
            usable_until=until,
        )
        if posted is not None:
            await _lapse(actor, clock, account)  # notes when this credit lapses
            return amount
        fresh = await repository.account_row(settlement.partner_id)
        assert fresh is not None
        account = fresh
    return Decimal(0)


async def get_fund(actor: Actor, partner_id: UUID) -> schemas.Fund:
    """The partner's balance, the limit per order, the credit that will lapse and when, and its
    ledger, newest first."""
    require(actor, Permission.VIEW_ORDERS)
    async with read_transaction():
        _path, name, currency = await _partner(actor, partner_id)
        account = await repository.account_row(partner_id)
        entries = await repository.fund_entries(account["id"]) if account else []
        lapsing: list[schemas.FundLapse] = []
        if account is not None and account["credits_lapse"]:
            lots = await _lots(account)
            lapsing = [
                schemas.FundLapse(usable_until=day, amount=amount) for day, amount in rules.lapsing(lots)
            ]
        return schemas.Fund(
            partner_id=partner_id,
            partner_name=name,
            currency=account["currency"] if account else currency,
            balance=repository.money(account["balance"]) if account else Decimal("0.00"),
            use_percent=await use_percent(partner_id),
            entries=entries,
            lapsing=lapsing,
        )


class OrderFund:
    """Pays orders from their buyer's fund: what ordering's ``BuyerFund`` port asks for. Order
    submission calls ``take`` in its own transaction once the order row exists; cancelling and
    rejecting call ``give_back`` in theirs, approving a return ``give_back_for_return`` (``provide`` installs it; the application does at start)."""

    async def take(self, actor: Actor, payment: FundPayment, clock: Clock) -> Decimal:
        if actor.organisation_id != payment.buyer_id or not actor.can(Permission.PLACE_ORDERS):
            raise PermissionDeniedError("fund_of_another_partner")
        account = await repository.account_row(payment.buyer_id)
        if account is None:
            raise ConflictError("fund_insufficient", balance="0.00", currency=payment.currency)
        if account["currency"] != payment.currency:
            raise ConflictError("fund_currency_mismatch", currency=account["currency"])
        limit = rules.use_limit(payment.order_total, await use_percent(payment.buyer_id))
        if payment.amount > limit:
            raise ConflictError("fund_limit_exceeded", limit=str(limit), currency=payment.currency)
        await _lapse(actor, clock, account)
        balance = await _post(
            actor, clock, account, EntryKind.USE, -payment.amount, order_reference=payment.order_number
        )
        if balance is None:
            fresh = await repository.account_row(payment.buyer_id)
            held = repository.money(fresh["balance"] if fresh else account["balance"])
            raise ConflictError("fund_insufficient", balance=str(held), currency=payment.currency)
        return balance

    async def give_back(self, actor: Actor, payment: FundPayment, clock: Clock) -> Decimal:
        account = await repository.account_row(payment.buyer_id)
        if account is None:
            return Decimal(0)
        used = rules.still_used(await repository.order_fund_amounts(account["id"], payment.order_number))
        if used:
            posted = await _post(
                actor, clock, account, EntryKind.RETURN, used, order_reference=payment.order_number
            )
            assert posted is not None, "giving back only ever adds to the balance"
            await _lapse(actor, clock, account)  # what came back keeps its credit's last day
        return used

    async def give_back_for_return(
        self, actor: Actor, payment: FundPayment, returned_value: Decimal, clock: Clock
    ) -> Decimal:
        account = await repository.account_row(payment.buyer_id)
        if account is None:
            return Decimal(0)
        due = rules.due_for_return(
            await repository.order_fund_amounts(account["id"], payment.order_number),
            payment.order_total,
            returned_value,
        )
        if due:
            posted = await _post(
                actor, clock, account, EntryKind.RETURN, due, order_reference=payment.order_number
            )
            assert posted is not None, "giving back only ever adds to the balance"
            await _lapse(actor, clock, account)
        return due


def provide() -> None:
    """Let order submission, cancelling and rejecting use the rebate fund."""
    provide_buyer_fund(OrderFund())


async def available_for_order(
    actor: Actor, order_total: Decimal, clock: Clock
) -> schemas.FundAvailable | None:
    """What the actor's own fund holds and how much of an order of ``order_total`` it may pay (for
    the cart); ``None`` when the organisation has no fund or may not place orders."""
    if not actor.can(Permission.PLACE_ORDERS):
        return None
    async with read_transaction():
        account = await repository.account_row(actor.organisation_id)
        if account is None:
            return None
        balance = repository.money(account["balance"])
        if account["credits_lapse"]:  # credit past its last day pays for nothing, written off or not
            balance -= rules.lapsed(await _lots(account), clock.now().date())
        percent = await use_percent(actor.organisation_id)
        return schemas.FundAvailable(
            currency=account["currency"],
            balance=balance,
            use_percent=percent,
            limit=rules.use_limit(order_total, percent),
            usable=rules.usable(balance, order_total, percent),
        )


async def use_fund(
    actor: Actor, partner_id: UUID, command: schemas.FundUse, clock: Clock
) -> schemas.FundUseResult:
    """Pay part of the partner's own order, placed and still waiting for the supplier's answer, from
    its fund: atomically and never below zero. Orders usually pay when they are placed
    (``OrderCreate.fund_amount``); this pays one placed without it, through the same order service,
    so the order's amount due follows.

    The same order used again with the same amount answers the first use (a retry); with another
    amount it is refused.
    """
    require(actor, Permission.PLACE_ORDERS)
    async with write_transaction():
        await _partner(actor, partner_id)
        if actor.organisation_id != partner_id:
            raise PermissionDeniedError("fund_of_another_partner")
        order = await repository.order_facts(command.order_reference)
        if order is None or order[0] != partner_id:
            raise InvalidInputError.single("order_reference", "unknown_order", number=command.order_reference)
        await orders.pay_from_fund(actor, order[2], command.amount, clock)
        account = await repository.account_row(partner_id)
        assert account is not None
        return schemas.FundUseResult(
            order_reference=command.order_reference,
            amount=command.amount,
            balance=repository.money(account["balance"]),
        )


async def return_fund(
    actor: Actor, partner_id: UUID, command: schemas.FundReturn, clock: Clock
) -> schemas.FundUseResult:
    """Give back what a cancelled or rejected order still holds from the fund; nothing happens the
    second time. Cancelling and rejecting already give it back in their own transaction, so this only
    finds something for an order ended before they did. Whoever may place or fulfil orders and sees
    the buyer may ask; an order still standing keeps what it used."""
    if not (actor.can(Permission.PLACE_ORDERS) or actor.can(Permission.FULFIL_ORDERS)):
        raise PermissionDeniedError()
    async with write_transaction():
        await _partner(actor, partner_id)
        order = await repository.order_facts(command.order_reference)
        if order is None or order[0] != partner_id or order[1] not in _ENDED:
            raise ConflictError("order_not_cancelled", number=command.order_reference)
        account = await repository.account_row(partner_id)
        if account is None:
            return schemas.FundUseResult(
                order_reference=command.order_reference, amount=Decimal(0), balance=Decimal("0.00")
            )
        used = rules.still_used(await repository.order_fund_amounts(account["id"], command.order_reference))
        balance = repository.money(account["balance"])
        if used:
            posted = await _post(
                actor, clock, account, EntryKind.RETURN, used, order_reference=command.order_reference
            )
            assert posted is not None
            balance = posted - await _lapse(actor, clock, account)
        return schemas.FundUseResult(order_reference=command.order_reference, amount=used, balance=balance)


async def adjust_fund(
    actor: Actor, partner_id: UUID, command: schemas.FundAdjustment, clock: Clock
) -> schemas.FundEntry:
    """A correction or an expiry by someone upstream of the partner who manages promotions."""
    require(actor, Permission.MANAGE_PROMOTIONS)
    async with write_transaction():
        path, _name, currency = await _partner(actor, partner_id)
        if actor.organisation_id == partner_id:
            raise PermissionDeniedError("own_fund")
        account = await _account(partner_id, path, currency, clock)
        kind = EntryKind(command.kind)
        amount = -abs(command.amount) if kind is EntryKind.EXPIRY else command.amount
        await _lapse(actor, clock, account)
        balance = await _post(actor, clock, account, kind, amount, reason=command.reason)
        if balance is None:
            fresh = await repository.account_row(partner_id)
            held = repository.money((fresh or account)["balance"])
            raise ConflictError("fund_insufficient", balance=str(held), currency=currency)
        entries = await repository.fund_entries(account["id"], limit=1)
        return entries[0]


async def check_ledger(partner_id: UUID) -> tuple[Decimal, Decimal]:
    """The stored balance and the ledger's sum (equal unless something is badly wrong)."""
    account = await repository.account_row(partner_id)
    if account is None:
        return Decimal(0), Decimal(0)
    return repository.money(account["balance"]), await repository.ledger_sum(account["id"])
