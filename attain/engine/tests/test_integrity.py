"""The integrity detectors on small hand-made data: each pattern is found, honest data
and odd data (three orders, no coordinates, no photos, empty frames) raise nothing."""

from __future__ import annotations

import datetime
import random

import polars as pl
import pytest

from attain.engine.integrity import (
    DETECTORS,
    Records,
    ScanPeriod,
    hamming,
    perceptual_hash,
    poisson_tail,
    scan,
)

Q4 = ScanPeriod("2025-Q4", datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
Q3 = ScanPeriod("2025-Q3", datetime.date(2025, 7, 1), datetime.date(2025, 9, 30))
D = datetime.date


def honest(seed: int = 1, people: int = 12) -> dict[str, pl.DataFrame]:
    rng = random.Random(seed)
    orders, customers, contacts, payments, acts = [], [], [], [], []
    n = 0
    for p in range(people):
        owner = f"E{p:03d}"
        for c in range(8):
            cid = f"C{p:03d}{c}"
            customers.append(
                {
                    "id": cid,
                    "owner": owner,
                    "created": D(2025, 1, 5),
                    "phone": f"021-{p:03d}{c:04d}",
                }
            )
            contacts.append({"customer": cid, "phone": f"139{p:04d}{c:04d}", "email": ""})
        for _ in range(60):
            n += 1
            day = D(2025, 7, 1) + datetime.timedelta(days=rng.randrange(184))
            cid = f"C{p:03d}{rng.randrange(8)}"
            orders.append(
                {
                    "id": f"O{n}",
                    "date": day,
                    "owner": owner,
                    "customer": cid,
                    "amount": round(rng.lognormvariate(9, 1.2), 2),
                    "status": "confirmed",
                    "status_changed_on": None,
                }
            )
            payments.append({"id": f"P{n}", "date": day, "order": f"O{n}", "customer": cid})
            acts.append(
                {
                    "id": f"A{n}",
                    "owner": owner,
                    "customer": cid,
                    "at": datetime.datetime.combine(day, datetime.time(9 + rng.randrange(8))),
                    "lat": 31 + p * 0.01 + rng.random() * 0.002,
                    "lon": 121 + rng.random() * 0.002,
                    "summary": "visit",
                }
            )
    people_frame = pl.DataFrame(
        {"code": [f"E{p:03d}" for p in range(people)], "unit": ["T1"] * people}
    )
    return {
        "orders": pl.DataFrame(orders),
        "customers": pl.DataFrame(customers),
        "contacts": pl.DataFrame(contacts),
        "payments": pl.DataFrame(payments),
        "activities": pl.DataFrame(acts),
        "people": people_frame,
    }


def test_honest_data_raises_nothing() -> None:
    found = scan(Records(honest()), [Q3, Q4])
    assert found.alerts == []


@pytest.mark.parametrize("frames", [{}, {"orders": pl.DataFrame({"id": ["O1"]})}])
def test_empty_or_odd_frames(frames: dict[str, pl.DataFrame]) -> None:
    assert scan(Records(frames), [Q4]).alerts == []


def test_three_orders_say_not_enough_data() -> None:
    orders = pl.DataFrame(
        {
            "id": ["O1", "O2", "O3"],
            "date": [D(2025, 12, 30)] * 3,
            "owner": ["E1"] * 3,
            "amount": [1000.0, 2000.0, 3000.0],
            "status": ["cancelled"] * 3,
            "status_changed_on": [D(2026, 1, 3)] * 3,
        }
    )
    found = scan(Records({"orders": orders}), [Q4], detectors=["wash_orders", "timing"])
    assert found.alerts == []
    assert any("Not enough data" in note.reason_en for note in found.notes)


def test_wash_orders() -> None:
    frames = honest()
    orders = (
        frames["orders"]
        .with_columns(
            pl.when(
                (pl.col("owner") == "E003")
                & (pl.col("date") >= D(2025, 12, 1))
                & (pl.col("date") < D(2026, 1, 1))
            )
            .then(pl.lit("cancelled"))
            .otherwise(pl.col("status"))
            .alias("status"),
        )
        .with_columns(
            pl.when(pl.col("status") == "cancelled")
            .then(pl.lit(D(2026, 1, 10)))
            .otherwise(None)
            .alias("status_changed_on")
        )
    )
    frames["orders"] = orders
    found = scan(Records(frames), [Q4])
    assert [(a.detector, a.people) for a in found.alerts] == [("wash_orders", ("E003",))]
    alert = found.alerts[0]
    assert 0.5 <= alert.score <= 1 and "cancelled" in alert.reason_en and "取消" in alert.reason_zh
    assert alert.records[0][0] == "orders"


def test_timing_pull_in() -> None:
    frames = honest()
    frames["orders"] = frames["orders"].with_columns(
        pl.when((pl.col("owner") == "E005") & (pl.col("date") >= Q4.start))
        .then(pl.lit(D(2025, 12, 29)))
        .otherwise(pl.col("date"))
        .alias("date")
    )
    found = scan(Records(frames), [Q4], detectors=["timing"])
    assert [(a.detector, a.people, a.period) for a in found.alerts] == [
        ("timing", ("E005",), "2025-Q4")
    ]


def test_reciprocal_credit_pair_and_honest_splits() -> None:
    frames = honest()
    orders = frames["orders"].filter(pl.col("date") >= Q4.start)
    rows = []
    for owner, partner in (("E001", "E002"), ("E002", "E001")):
        for order_id in orders.filter(pl.col("owner") == owner)["id"].head(5):
            rows += [
                {"order": order_id, "person": owner, "share": 0.5},
                {"order": order_id, "person": partner, "share": 0.5},
            ]
    rng = random.Random(3)  # honest: a few splits with random teammates
    for order_id, owner in orders.select("id", "owner").sample(20, seed=4).iter_rows():
        mate = f"E{rng.randrange(12):03d}"
        if mate != owner:
            rows += [{"order": order_id, "person": mate, "share": 0.3}]
    frames["credits"] = pl.DataFrame(rows)
    found = scan(Records(frames), [Q4], detectors=["reciprocal_credit"])
    assert [a.people for a in found.alerts] == [("E001", "E002")]


def test_shell_customers_identity_and_no_trace() -> None:
    frames = honest()
    frames["people"] = frames["people"].with_columns(
        pl.format("{}@corp.example", pl.col("code")).alias("email")
    )
    shells = pl.DataFrame(
        {
            "id": ["S1", "S2"],
            "owner": ["E007", "E008"],
            "created": [D(2025, 10, 2)] * 2,
            "phone": ["", ""],
            "email": ["E007@corp.example", ""],
        }
    )
    frames["customers"] = pl.concat([frames["customers"], shells], how="diagonal_relaxed")
    extra = pl.DataFrame(
        {
            "id": ["X1", "X2"],
            "date": [D(2025, 10, 5)] * 2,
            "owner": ["E007", "E008"],
            "customer": ["S1", "S2"],
            "amount": [5000.5, 7000.25],
            "status": ["confirmed"] * 2,
        }
    )
    frames["orders"] = pl.concat([frames["orders"], extra], how="diagonal_relaxed")
    found = scan(Records(frames), [Q4], detectors=["shell_customers"])
    patterns = sorted((a.people, a.pattern) for a in found.alerts)
    assert (("E007",), "identity") in patterns
    assert (("E008",), "no_trace") in patterns


def test_fake_activities_photo_travel_minute() -> None:
    frames = honest()
    grey = [[(r * 9 + c) * 3 % 256 for c in range(9)] for r in range(8)]
    h = perceptual_hash(grey)
    near = f"{int(h, 16) ^ 0b101:016x}"
    assert hamming(h, near) == 2
    high, high_near = "ccfaa11ec662eaae", "ccfaa11ec662ebae"  # above 2**63: unsigned
    frames["evidence"] = pl.DataFrame(
        {
            "activity": ["A100", "A200", "A300", "A400", "A500"],
            "hash": [h, near, "0" * 16, high, high_near],
        }
    )
    acts = pl.DataFrame(
        {
            "id": ["T1", "T2"] + [f"M{i}" for i in range(4)],
            "owner": ["E009", "E009"] + ["E010"] * 4,
            "customer": ["C0090", "C0091"] + ["C0100"] * 4,
            "at": [datetime.datetime(2025, 11, 3, 10, 0), datetime.datetime(2025, 11, 3, 10, 20)]
            + [datetime.datetime(2025, 11, 4, 18, 5)] * 4,
            "lat": [31.2, 39.9] + [None] * 4,
            "lon": [121.5, 116.4] + [None] * 4,
            "summary": ["visit"] * 6,
        }
    )
    frames["activities"] = pl.concat([frames["activities"], acts], how="diagonal_relaxed")
    found = scan(Records(frames), [Q3, Q4], detectors=["fake_activities"])
    patterns = {a.pattern for a in found.alerts}
    assert {"photo_reuse", "impossible_travel", "same_minute"} <= patterns
    reused = [set(a.records) for a in found.alerts if a.pattern == "photo_reuse"]
    assert {("activities", "A400"), ("activities", "A500")} in reused


def test_same_spot_is_one_person_in_one_period() -> None:
    """Four customers visited from one spot by one rep in a quarter is a case; the same
    spot used by two reps (a shared office) or months apart is not one case."""
    frames = honest()
    office = (30.274085, 120.15507)

    def visits(owner: str, customers: list[str], day: datetime.date, prefix: str) -> list[dict]:
        return [
            {
                "id": f"{prefix}{i}",
                "owner": owner,
                "customer": customer,
                "at": datetime.datetime.combine(day, datetime.time(15)),
                "lat": office[0],
                "lon": office[1],
                "summary": "visit",
            }
            for i, customer in enumerate(customers)
        ]

    rows = (
        visits("E001", ["C0010", "C0011", "C0012", "C0013"], D(2025, 8, 4), "S")  # a case
        + visits("E002", ["C0020", "C0021"], D(2025, 11, 4), "X")  # two people, two
        + visits("E003", ["C0030", "C0031"], D(2025, 11, 5), "Y")  # customers each
        + visits("E004", ["C0040", "C0041"], D(2025, 8, 5), "Z")  # one quarter, then
        + visits("E004", ["C0042", "C0043"], D(2025, 11, 5), "W")  # the next
    )
    frames["activities"] = pl.concat(
        [frames["activities"], pl.DataFrame(rows)], how="diagonal_relaxed"
    )
    found = scan(Records(frames), [Q3, Q4], detectors=["fake_activities"])
    spots = [(a.people, a.period) for a in found.alerts if a.pattern == "same_spot"]
    assert spots == [(("E001",), "2025-Q3")]


def test_amounts_round_and_duplicates() -> None:
    frames = honest()
    extra = pl.DataFrame(
        {
            "id": [f"R{i}" for i in range(8)] + ["D1", "D2"],
            "date": [D(2025, 11, 1 + i) for i in range(8)] + [D(2025, 11, 20)] * 2,
            "owner": ["E011"] * 8 + ["E004"] * 2,
            "customer": ["C0110"] * 8 + ["C0040"] * 2,
            "amount": [20000.0 + 10000 * (i % 3) for i in range(8)] + [1234.56] * 2,
            "status": ["confirmed"] * 10,
        }
    )
    frames["orders"] = pl.concat([frames["orders"], extra], how="diagonal_relaxed")
    found = scan(Records(frames), [Q4], detectors=["amounts"])
    got = {(a.people, a.pattern) for a in found.alerts}
    assert (("E011",), "round") in got and (("E004",), "duplicate") in got


def test_rating_rings_mutual_and_proxy() -> None:
    frames = honest()
    rows = []
    rng = random.Random(5)
    n = 0
    for quarter in (D(2025, 3, 25), D(2025, 6, 25), D(2025, 9, 25), D(2025, 12, 25)):
        for p in range(12):
            for r in rng.sample([x for x in range(12) if x != p], 2):
                n += 1
                rows.append(
                    {
                        "id": f"R{n}",
                        "date": quarter,
                        "owner": f"E{p:03d}",
                        "rater": f"E{r:03d}",
                        "score": 3.5,
                    }
                )
        for a, b in (("E001", "E002"), ("E002", "E001")):
            n += 1
            rows.append({"id": f"R{n}", "date": quarter, "owner": a, "rater": b, "score": 5.0})
    frames["peer_ratings"] = pl.DataFrame(rows)
    found = scan(Records(frames), [Q4], detectors=["rating_rings"])
    assert ("E001", "E002") in [a.people for a in found.alerts]


def test_a_ring_that_starts_after_honest_ratings_is_found_in_its_periods() -> None:
    """E001 and E002 rated each other like everybody else for a year, then inflate each
    other for three quarters, one of them with an honest rating in the same quarter
    too: those quarters are found, the honest year is not."""
    frames = honest()
    rows = []
    rng = random.Random(7)
    quarters = [D(2024, 3 * q + 3, 25) for q in range(4)] + [
        D(2025, 3, 25),
        D(2025, 6, 25),
        D(2025, 9, 25),
        D(2025, 12, 25),
    ]
    for index, day in enumerate(quarters):
        for p in range(12):
            raters = rng.sample([x for x in range(12) if x != p], 3)
            if index < 4 and p in (1, 2):
                raters[0] = 3 - p  # the pair rate each other in 2024 as others do
            for r in raters:
                score = 4.0 if r == 3 - p and p in (1, 2) else rng.choice((3.5, 4.0, 4.5))
                rows.append(
                    {"date": day, "owner": f"E{p:03d}", "rater": f"E{r:03d}", "score": score}
                )
        if index >= 5:
            for a, b in (("E001", "E002"), ("E002", "E001")):
                rows.append({"date": day, "owner": a, "rater": b, "score": 5.0})
    rows = [{"id": f"R{n}", **row} for n, row in enumerate(rows)]
    frames["peer_ratings"] = pl.DataFrame(rows)
    honest_year = [
        ScanPeriod(f"2024-Q{q + 1}", D(2024, 3 * q + 1, 1), D(2024, 3 * q + 3, 28))
        for q in range(4)
    ]
    found = scan(Records(frames), [*honest_year, Q3, Q4], detectors=["rating_rings"])
    pairs = sorted((a.period, a.people) for a in found.alerts)
    assert pairs == [("2025-Q3", ("E001", "E002")), ("2025-Q4", ("E001", "E002"))]


def test_poisson_tail() -> None:
    assert poisson_tail(0, 3) == 1.0
    assert poisson_tail(1, 1) == pytest.approx(1 - 0.36787944, rel=1e-6)
    assert poisson_tail(40, 2) < 1e-20


def test_every_detector_is_named() -> None:
    assert len(DETECTORS) == 7


def test_a_cancelled_order_booked_again_is_no_duplicate() -> None:
    """A rep cancels a mistyped order and books it again the same day (same customer
    and amount): one order counts, nothing is duplicated; two standing copies are."""
    frames = honest()
    extra = pl.DataFrame(
        {
            "id": ["X1", "X2", "Y1", "Y2", "Y3"],
            "date": [D(2025, 11, 20)] * 2 + [D(2025, 12, 1)] * 3,
            "owner": ["E004"] * 2 + ["E006"] * 3,
            "customer": ["C0040"] * 2 + ["C0060"] * 3,
            "amount": [1234.56] * 2 + [88000.0] * 3,
            "status": ["cancelled", "confirmed", "returned", "confirmed", "confirmed"],
            "status_changed_on": [D(2025, 11, 20), None, D(2025, 12, 2), None, None],
        }
    )
    frames["orders"] = pl.concat([frames["orders"], extra], how="diagonal_relaxed")
    found = scan(Records(frames), [Q4], detectors=["amounts"])
    duplicates = [a for a in found.alerts if a.pattern == "duplicate"]
    assert [(a.people, a.records) for a in duplicates] == [
        (("E006",), (("orders", "Y2"), ("orders", "Y3")))
    ]


def test_customers_imported_today_without_creation_dates_are_no_burst() -> None:
    """The customer file had no creation dates, so every customer reads "created" on the
    import's day (in Q4); E005's twenty one-order customers ordered in 2024. They are old
    customers, not a burst of new ones in Q4; a real burst (E007's, created and ordered
    in Q4) still is one."""
    frames = honest()
    imported = D(2025, 12, 1)
    frames["customers"] = frames["customers"].with_columns(pl.lit(imported).alias("created"))
    old = [f"OLD{i}" for i in range(20)]
    new = [f"NEW{i}" for i in range(8)]
    customers = pl.DataFrame(
        {
            "id": old + new,
            "owner": ["E005"] * 20 + ["E007"] * 8,
            "created": [imported] * 20 + [D(2025, 11, 1 + i) for i in range(8)],
        }
    )
    orders = pl.DataFrame(
        {
            "id": [f"Z{i}" for i in range(28)],
            "date": [D(2024, 1 + i % 12, 10) for i in range(20)]
            + [D(2025, 11, 2 + i) for i in range(8)],
            "owner": ["E005"] * 20 + ["E007"] * 8,
            "customer": old + new,
            "amount": [5000.0] * 28,
            "status": ["confirmed"] * 28,
        }
    )
    frames["customers"] = pl.concat([frames["customers"], customers], how="diagonal_relaxed")
    frames["orders"] = pl.concat([frames["orders"], orders], how="diagonal_relaxed")
    frames["contacts"] = pl.concat(
        [frames["contacts"], pl.DataFrame({"customer": old + new})], how="diagonal_relaxed"
    )
    found = scan(Records(frames), [Q4], detectors=["shell_customers"], as_of=D(2025, 12, 20))
    bursts = [a.people for a in found.alerts if a.pattern == "burst"]
    assert bursts == [("E007",)]


def test_no_trace_says_nothing_where_the_company_keeps_no_traces() -> None:
    """A company that imports only customers and orders (no contacts, activities or
    payments): every customer lacks a trace, so nobody is a shell for it; a note
    explains. Where the others have traces, two bare customers still are found."""
    frames = honest()
    bare = {k: v for k, v in frames.items() if k in ("orders", "customers", "people")}
    found = scan(Records(bare), [Q3, Q4], detectors=["shell_customers"], as_of=D(2026, 3, 1))
    assert [a for a in found.alerts if a.pattern == "no_trace"] == []
    notes = [n for n in found.notes if n.detector == "shell_customers"]
    assert notes and "no contact, activity or payment" in notes[0].reason_en
    assert "数据不足" in notes[0].reason_zh
    shells = pl.DataFrame(
        {
            "id": ["S1", "S2"],
            "date": [D(2025, 8, 1), D(2025, 8, 2)],
            "owner": ["E003", "E003"],
            "customer": ["SHELL1", "SHELL2"],
            "amount": [30000.0, 30000.0],
            "status": ["confirmed", "confirmed"],
        }
    )
    frames["orders"] = pl.concat([frames["orders"], shells], how="diagonal_relaxed")
    frames["customers"] = pl.concat(
        [frames["customers"], pl.DataFrame({"id": ["SHELL1", "SHELL2"], "owner": ["E003"] * 2})],
        how="diagonal_relaxed",
    )
    found = scan(Records(frames), [Q3, Q4], detectors=["shell_customers"], as_of=D(2026, 3, 1))
    assert [(a.people, a.period) for a in found.alerts if a.pattern == "no_trace"] == [
        (("E003",), "2025-Q3")
    ]


def test_activities_with_a_date_but_no_time_are_no_burst_and_no_impossible_trip() -> None:
    """Visits imported from a system that exports only dates all read 00:00: five visits
    of one day (Shanghai and Suzhou, 85 km apart) are neither a same-minute burst nor an
    impossible trip; the same at 14:03 are a burst."""
    frames = honest()
    places = [(31.23, 121.47), (31.30, 120.58)] * 3
    rows = [
        {
            "id": f"V{i}",
            "owner": "E002",
            "customer": f"C002{i}",
            "at": datetime.datetime(2025, 11, 12),
            "lat": places[i][0] + i * 0.001,
            "lon": places[i][1],
            "summary": "拜访",
        }
        for i in range(5)
    ] + [
        {
            "id": f"W{i}",
            "owner": "E008",
            "customer": f"C008{i}",
            "at": datetime.datetime(2025, 11, 13, 14, 3, 10 + i),
            "summary": "拜访",
        }
        for i in range(5)
    ]
    frames["activities"] = pl.concat(
        [frames["activities"], pl.DataFrame(rows)], how="diagonal_relaxed"
    )
    found = scan(Records(frames), [Q4], detectors=["fake_activities"])
    got = [(a.people, a.pattern) for a in found.alerts]
    assert got == [(("E008",), "same_minute")]


def test_identity_ignores_placeholders_and_shared_lines_but_finds_a_reps_own_phone() -> None:
    """Sloppy CRM data: every rep's customers carry the placeholder phone 0000000 and
    the email "n/a"; a reseller's hotline is on customers of three owners; everyone's
    HR phone is the office line. None of that is an identity. A shell customer whose
    contact phone is E009's own mobile is."""
    frames = honest()
    frames["customers"] = frames["customers"].with_columns(
        pl.when(pl.col("id").str.ends_with("1"))
        .then(pl.lit("0000000"))
        .otherwise("phone")
        .alias("phone"),
        pl.when(pl.col("id").str.ends_with("2")).then(pl.lit("n/a")).otherwise(None).alias("email"),
    )
    reseller = ["C0013", "C0023", "C0033", "C0034"]  # owners E001, E002, E003 (two)
    frames["contacts"] = pl.concat(
        [
            frames["contacts"],
            pl.DataFrame({"customer": reseller, "phone": ["400-820-8820"] * 4}),
            pl.DataFrame({"customer": ["C0095"], "phone": ["+86 139 1111 2222"]}),
        ],
        how="diagonal_relaxed",
    )
    frames["people"] = frames["people"].with_columns(
        pl.when(pl.col("code") == "E009")
        .then(pl.lit("13911112222"))
        .otherwise(pl.lit("021-6888 8888"))
        .alias("phone")
    )
    found = scan(Records(frames), [Q3, Q4], detectors=["shell_customers"], as_of=D(2026, 1, 31))
    identity = [(a.people, a.records[0]) for a in found.alerts if a.pattern == "identity"]
    assert identity == [(("E009",), ("customers", "C0095"))]


def test_a_wash_undone_by_reversal_orders_is_found() -> None:
    """An ERP that records returns as negative orders (红字冲销): E003 books six orders in
    late December and reverses each in January (a wash); E004 reverses six in December
    itself (inside the quarter, no wash). Only E003 is flagged, with the booked orders and
    their reversals as evidence (a clawback stops both counting)."""
    frames = honest()
    rows = []
    for i in range(6):
        for owner, booked, reversed_on in (
            ("E003", D(2025, 12, 20 + i), D(2026, 1, 10 + i)),
            ("E004", D(2025, 12, 1 + i), D(2025, 12, 15 + i)),
        ):
            amount = 48800.0 + i
            rows.append((f"B{owner}{i}", booked, owner, amount))
            rows.append((f"R{owner}{i}", reversed_on, owner, -amount))
    extra = pl.DataFrame(
        {
            "id": [r[0] for r in rows],
            "date": [r[1] for r in rows],
            "owner": [r[2] for r in rows],
            "customer": [f"C{r[2][1:]}0" for r in rows],
            "amount": [r[3] for r in rows],
            "status": ["confirmed"] * len(rows),
        }
    )
    frames["orders"] = pl.concat([frames["orders"], extra], how="diagonal_relaxed")
    found = scan(Records(frames), [Q4], detectors=["wash_orders"])
    booked = tuple(("orders", f"BE003{i}") for i in range(6))
    reversals = tuple(("orders", f"RE003{i}") for i in range(6))  # stop them counting too
    assert [(a.people, a.records) for a in found.alerts] == [(("E003",), booked + reversals)]


def test_a_deal_split_into_orders_of_different_amounts_is_found() -> None:
    """A spiff per order over 10,000: E005 cuts three deals of about 36,000 each into
    three orders of different amounts for one customer on one day. A distributor that
    honestly orders twice on some days (E006, twice in the quarter) is no case."""
    frames = honest()
    rows = []
    for deal in range(3):
        for part, amount in enumerate((12100.0, 11900.0 + deal, 12050.0)):
            rows.append(
                (
                    f"SP{deal}{part}",
                    D(2025, 10, 1) + datetime.timedelta(days=20 * deal),
                    "E005",
                    "C0051",
                    amount,
                )
            )
    for day in (3, 17):
        for part, amount in enumerate((8000.0, 2300.0)):
            rows.append((f"DI{day}{part}", D(2025, 11, day), "E006", "C0061", amount))
    _add_confirmed_orders(frames, rows)
    found = scan(Records(frames), [Q4], detectors=["amounts"])
    splits = [a for a in found.alerts if a.pattern == "split"]
    assert [a.people for a in splits] == [("E005",)]
    assert {i for _t, i in splits[0].records} >= {f"SP{d}{p}" for d in range(3) for p in range(3)}
    assert "split" in splits[0].reason_en and "拆单" in splits[0].reason_zh


def test_teammates_crediting_each_other_far_beyond_the_teams_habit_are_found() -> None:
    """A team of five where everyone splits about one order a quarter: E001 and E002
    credit each other on five Q4 orders each besides. Five of their six splits going to
    one another is no surprise by itself; the volume, against the team's habit, is."""
    frames = honest(people=5)
    orders = frames["orders"].filter(pl.col("date").is_between(Q4.start, Q4.end)).sort("id")

    def first(owner: str, k: int) -> list[str]:
        return orders.filter(pl.col("owner") == owner)["id"].head(k).to_list()

    credits = []
    pairs = (("E001", "E002", 5), ("E002", "E001", 5), ("E000", "E001", 1))
    for owner, mate, k in pairs:
        for order in first(owner, k):
            credits += [
                {"order": order, "person": owner, "share": 0.5},
                {"order": order, "person": mate, "share": 0.5},
            ]
    habit = (("E003", "E004"), ("E004", "E000"), ("E001", "E003"), ("E002", "E003"))
    for owner, mate in habit:  # the team's habit, E001 and E002 included
        for order in orders.filter(pl.col("owner") == owner)["id"].tail(1).to_list():
            credits += [
                {"order": order, "person": owner, "share": 0.5},
                {"order": order, "person": mate, "share": 0.5},
            ]
    frames["credits"] = pl.DataFrame(credits)
    found = scan(Records(frames), [Q3, Q4], detectors=["reciprocal_credit"])
    assert [(a.people, a.period) for a in found.alerts] == [(("E001", "E002"), "2025-Q4")]


def test_a_shell_customers_orders_are_all_named_up_to_the_evidence_limit() -> None:
    """A shell customer carrying 80 orders with no contact, activity or payment: the
    alert names all 80 (confirming it with "stop these records counting" rejects what
    it names; 50 of them were named before)."""
    frames = honest()
    shells = pl.DataFrame(
        {
            "id": [f"SH{i:02d}" for i in range(80)],
            "date": [D(2025, 7, 1) + datetime.timedelta(days=i) for i in range(80)],
            "owner": ["E003"] * 80,
            "customer": ["SHELL"] * 80,
            "amount": [9000.0 + i for i in range(80)],
            "status": ["confirmed"] * 80,
        }
    )
    frames["orders"] = pl.concat([frames["orders"], shells], how="diagonal_relaxed")
    frames["customers"] = pl.concat(
        [frames["customers"], pl.DataFrame({"id": ["SHELL"], "owner": ["E003"]})],
        how="diagonal_relaxed",
    )
    found = scan(Records(frames), [Q3, Q4], detectors=["shell_customers"], as_of=D(2026, 3, 1))
    (alert,) = [a for a in found.alerts if a.pattern == "no_trace"]
    assert len([r for r in alert.records if r[0] == "orders"]) == 80


def test_identity_reads_full_width_contact_details_as_the_crm_does() -> None:
    """A detail typed with a Chinese input method in full-width (１３９…, ＠) is the same
    phone, email or credit code as the half-width one (the CRM's duplicate keys read it
    so, NFKC): a shell whose phone is E009's own mobile in full-width digits, and two of
    E008's customers sharing a credit code, one of them in full-width letters."""
    frames = honest()
    frames["people"] = frames["people"].with_columns(
        pl.when(pl.col("code") == "E009")
        .then(pl.lit("13911112222"))
        .otherwise(None)
        .alias("phone"),
        pl.when(pl.col("code") == "E007")
        .then(pl.lit("e007@corp.example"))
        .otherwise(None)
        .alias("email"),
    )
    frames["customers"] = pl.concat(
        [
            frames["customers"],
            pl.DataFrame(
                {
                    "id": ["S9", "S7", "S8A", "S8B"],
                    "owner": ["E009", "E007", "E008", "E008"],
                    "created": [D(2025, 10, 2)] * 4,
                    "phone": ["１３９ １１１１ ２２２２", None, None, None],
                    "email": [None, "Ｅ007＠corp.example", None, None],
                    "credit_code": [
                        None,
                        None,
                        "91310000MA1FL4XK2P",
                        "９１３１００００ＭＡ１ＦＬ４ＸＫ２Ｐ",
                    ],
                }
            ),
        ],
        how="diagonal_relaxed",
    )
    frames["orders"] = pl.concat(
        [
            frames["orders"],
            pl.DataFrame(
                {
                    "id": ["X9", "X7", "X8A", "X8B"],
                    "date": [D(2025, 10, 5)] * 4,
                    "owner": ["E009", "E007", "E008", "E008"],
                    "customer": ["S9", "S7", "S8A", "S8B"],
                    "amount": [5000.5, 7000.25, 812.4, 913.75],
                    "status": ["confirmed"] * 4,
                }
            ),
        ],
        how="diagonal_relaxed",
    )
    found = scan(Records(frames), [Q4], detectors=["shell_customers"], as_of=D(2025, 10, 31))
    identity = sorted(
        (a.people, [r for r in a.records if r[0] == "customers"])
        for a in found.alerts
        if a.pattern == "identity"
    )
    assert identity == [
        (("E007",), [("customers", "S7")]),
        (("E008",), [("customers", "S8A"), ("customers", "S8B")]),
        (("E009",), [("customers", "S9")]),
    ]


def test_a_burst_across_a_clock_minute_is_a_burst() -> None:
    """Six visits logged 13 seconds apart from 21:00:30 fall on 21:00 and 21:01, three
    each: they were logged within one minute all the same. Four visits a minute apart
    each (21:10, 21:11, …: a rep logging as they go) are no burst."""
    frames = honest()
    start = datetime.datetime(2025, 11, 28, 21, 0, 30)
    rows = [
        {
            "id": f"B{i}",
            "owner": "E004",
            "customer": f"C004{i}",
            "at": start + datetime.timedelta(seconds=13 * i),
            "summary": "拜访",
        }
        for i in range(6)
    ] + [
        {
            "id": f"S{i}",
            "owner": "E005",
            "customer": f"C005{i}",
            "at": datetime.datetime(2025, 11, 28, 21, 10 + i),
            "summary": "拜访",
        }
        for i in range(4)
    ]
    frames["activities"] = pl.concat(
        [frames["activities"], pl.DataFrame(rows)], how="diagonal_relaxed"
    )
    found = scan(Records(frames), [Q4], detectors=["fake_activities"])
    got = [(a.people, a.pattern, a.records) for a in found.alerts]
    assert got == [(("E004",), "same_minute", tuple(("activities", f"B{i}") for i in range(6)))]


def test_a_survey_through_a_customer_with_the_reps_own_phone_or_full_width_email() -> None:
    """A satisfaction survey from a customer whose contact phone is the rated rep's own
    mobile (+86, spaces), or whose email is the rep's typed in full-width, is the rep
    rating themself through a proxy, as is the email written plainly."""
    frames = honest()
    frames["people"] = frames["people"].with_columns(
        pl.format("{}@corp.example", pl.col("code")).alias("email"),
        pl.format("1390{}0000", pl.col("code").str.slice(1)).alias("phone"),
    )
    frames["contacts"] = pl.concat(
        [
            frames["contacts"],
            pl.DataFrame(
                {
                    "customer": ["C0031", "C0041", "C0051"],
                    "phone": ["+86 139 0003 0000", None, None],
                    "email": [None, "Ｅ004＠corp.example", "e005@corp.example"],
                }
            ),
        ],
        how="diagonal_relaxed",
    )
    frames["surveys"] = pl.DataFrame(
        {
            "id": ["V3", "V4", "V5", "V6"],
            "date": [D(2025, 11, 3)] * 4,
            "owner": ["E003", "E004", "E005", "E006"],
            "customer": ["C0031", "C0041", "C0051", "C0061"],
            "score": [5.0] * 4,
        }
    )
    found = scan(Records(frames), [Q4], detectors=["rating_rings"])
    got = sorted((a.people, a.pattern, a.records[0]) for a in found.alerts)
    assert got == [
        (("E003",), "proxy", ("surveys", "V3")),
        (("E004",), "proxy", ("surveys", "V4")),
        (("E005",), "proxy", ("surveys", "V5")),
    ]


def test_a_pair_is_judged_by_the_units_they_were_in_during_the_period() -> None:
    """Two teams of six (T1: E000…E005, T2: E006…E011) whose members split an order
    with two teammates each quarter. E001 and E002 split two orders each way in 2025-Q3
    as teammates of T1 do; E002 moved to T2 on 1 October. The people frame gives the
    unit on the scan's last day (T2); the assignments say where each sat when: in Q3
    they were teammates, no case. Had E002 been in T2 all along, the same splits across
    units are one."""
    frames = honest()
    frames["people"] = frames["people"].with_columns(
        pl.when(pl.col("code").is_in(["E002", *(f"E{i:03d}" for i in range(6, 12))]))
        .then(pl.lit("T2"))
        .otherwise(pl.lit("T1"))
        .alias("unit")
    )
    rows = []
    for period in (Q3, Q4):
        orders = frames["orders"].filter(pl.col("date").is_between(period.start, period.end))
        for i in range(12):
            if i in (1, 2):
                continue
            team = 0 if i < 6 else 6
            owner = f"E{i:03d}"
            ids = orders.filter(pl.col("owner") == owner)["id"].head(2)
            for step, order_id in enumerate(ids, start=1):
                mate = f"E{team + (i - team + step) % 6:03d}"
                rows += [
                    {"order": order_id, "person": owner, "share": 0.5},
                    {"order": order_id, "person": mate, "share": 0.5},
                ]
    q3 = frames["orders"].filter(pl.col("date").is_between(Q3.start, Q3.end))
    for owner, partner in (("E001", "E002"), ("E002", "E001")):
        for order_id in q3.filter(pl.col("owner") == owner)["id"].head(2):
            rows += [
                {"order": order_id, "person": owner, "share": 0.5},
                {"order": order_id, "person": partner, "share": 0.5},
            ]
    frames["credits"] = pl.DataFrame(rows)
    units = dict(frames["people"].select("code", "unit").iter_rows())
    history = pl.DataFrame(
        {
            "person": [*units, "E002"],
            "unit": [("T1" if code == "E002" else unit) for code, unit in units.items()] + ["T2"],
            "valid_from": [D(2024, 1, 1)] * len(units) + [D(2025, 10, 1)],
            "valid_to": [D(2025, 10, 1) if code == "E002" else None for code in units] + [None],
        }
    )
    found = scan(
        Records({**frames, "assignments": history}), [Q3, Q4], detectors=["reciprocal_credit"]
    )
    assert found.alerts == []
    always = history.filter(pl.col("valid_to").is_null())
    found = scan(
        Records({**frames, "assignments": always}), [Q3, Q4], detectors=["reciprocal_credit"]
    )
    assert [(a.people, a.period) for a in found.alerts] == [(("E001", "E002"), "2025-Q3")]


def test_a_pair_who_were_teammates_until_one_moved_mid_period_are_teammates() -> None:
    """The same two splits each way, E002 moving from T1 to T2 on 15 August, in the
    middle of 2025-Q3: they were teammates for half of it, no case."""
    frames = honest()
    people = frames["people"]["code"].to_list()
    q3 = frames["orders"].filter(pl.col("date").is_between(Q3.start, Q3.end))
    rows = []
    for i, owner in enumerate(people):  # everybody splits with the next two teammates
        ids = q3.filter(pl.col("owner") == owner)["id"].head(2)
        for step, order_id in enumerate(ids, start=1):
            mate = people[(i + step) % len(people)] if owner not in ("E001", "E002") else None
            if mate:
                rows += [{"order": order_id, "person": mate, "share": 0.5}]
    for owner, partner in (("E001", "E002"), ("E002", "E001")):
        for order_id in q3.filter(pl.col("owner") == owner)["id"].head(2):
            rows += [{"order": order_id, "person": partner, "share": 0.5}]
    frames["credits"] = pl.DataFrame(rows)
    frames["people"] = frames["people"].with_columns(
        pl.when(pl.col("code") == "E002").then(pl.lit("T2")).otherwise("unit").alias("unit")
    )
    history = pl.DataFrame(
        {
            "person": ["E002", "E002"],
            "unit": ["T1", "T2"],
            "valid_from": [D(2024, 1, 1), D(2025, 8, 15)],
            "valid_to": [D(2025, 8, 15), None],
        }
    )
    records = Records({**frames, "assignments": history})
    assert scan(records, [Q3], detectors=["reciprocal_credit"]).alerts == []


def test_a_scan_of_no_period_finds_nothing() -> None:
    assert scan(Records(honest()), []).alerts == []


def test_an_office_line_everybody_shares_is_nobodys_own_for_a_survey() -> None:
    """Everyone's phone in the people file is the office line, and one customer's
    contact was given the same line: a survey from that customer is no proxy (a detail
    several people share is nobody's own, as in the identity test)."""
    frames = honest()
    frames["people"] = frames["people"].with_columns(pl.lit("021-6888 8888").alias("phone"))
    frames["contacts"] = pl.concat(
        [frames["contacts"], pl.DataFrame({"customer": ["C0031"], "phone": ["02168888888"]})],
        how="diagonal_relaxed",
    )
    frames["surveys"] = pl.DataFrame(
        {"id": ["V3"], "date": [D(2025, 11, 3)], "owner": ["E003"], "customer": ["C0031"]}
    )
    assert scan(Records(frames), [Q4], detectors=["rating_rings"]).alerts == []


def _book(owner: str, customers: list[tuple[str, datetime.date, list[datetime.date]]]) -> tuple:
    """Customers of ``owner`` (id, created, order days) as customer and order rows."""
    rows, orders = [], []
    for cid, created, days in customers:
        rows.append({"id": cid, "owner": owner, "created": created})
        for i, day in enumerate(days):
            orders.append(
                {
                    "id": f"{cid}-{i}",
                    "date": day,
                    "owner": owner,
                    "customer": cid,
                    "amount": 3000.0 + i,
                    "status": "confirmed",
                }
            )
    return rows, orders


def test_a_burst_is_judged_against_the_reps_own_usual_count() -> None:
    """A unit of twelve reps who keep their old accounts (one order a month since
    2024-09); HUN, a hunter who has opened eight one-order customers every quarter since
    2024-Q4 and opens eight again in 2025-Q4; NEW, who joined on 2025-10-03 and opens
    eight (a new rep's first book); E03, who opened one new customer in 2025-Q2 and
    opens nine in 2025-Q4. Only E03's is a burst: HUN's count is his usual one, and NEW
    has no history to compare with (a "not enough data" note, not an alert)."""
    months = [D(2024, 9 + i, 15) if i < 4 else D(2025, i - 3, 15) for i in range(16)]
    rows: list[dict] = []
    orders: list[dict] = []

    def add(owner: str, customers: list[tuple[str, datetime.date, list[datetime.date]]]) -> None:
        r, o = _book(owner, customers)
        rows.extend(r)
        orders.extend(o)

    for p in range(1, 13):
        owner = f"E{p:02d}"
        add(owner, [(f"{owner}-old{c}", D(2024, 8, 1), months) for c in range(3)])
    add("E03", [("E03-q2", D(2025, 5, 6), [D(2025, 5, 6)])])
    add("E03", [(f"E03-new{i}", D(2025, 11, 1 + i), [D(2025, 11, 2 + i)]) for i in range(9)])
    add("HUN", [(f"HUN-old{c}", D(2024, 8, 1), months) for c in range(2)])
    for q, start in enumerate([D(2024, 10, 1), D(2025, 1, 1), D(2025, 4, 1), D(2025, 7, 1)]):
        add(
            "HUN",
            [
                (
                    f"HUN-{q}-{i}",
                    start + datetime.timedelta(days=7 * i),
                    [start + datetime.timedelta(days=7 * i + 1)],
                )
                for i in range(8)
            ],
        )
    add(
        "HUN",
        [
            (
                f"HUN-q4-{i}",
                D(2025, 10, 2) + datetime.timedelta(days=9 * i),
                [D(2025, 10, 3) + datetime.timedelta(days=9 * i)],
            )
            for i in range(8)
        ],
    )
    add(
        "NEW",
        [
            (
                f"NEW-{i}",
                D(2025, 10, 3) + datetime.timedelta(days=10 * i),
                [D(2025, 10, 3) + datetime.timedelta(days=10 * i)],
            )
            for i in range(8)
        ],
    )
    people = [f"E{p:02d}" for p in range(1, 13)] + ["HUN", "NEW"]
    frames = {
        "customers": pl.DataFrame(rows),
        "orders": pl.DataFrame(orders),
        "contacts": pl.DataFrame({"customer": [r["id"] for r in rows]}),
        "people": pl.DataFrame({"code": people, "unit": ["North"] * len(people)}),
    }
    found = scan(Records(frames), [Q4], detectors=["shell_customers"], as_of=D(2025, 12, 31))
    bursts = [
        (a.people, len([r for r in a.records if r[0] == "customers"]))
        for a in found.alerts
        if a.pattern == "burst"
    ]
    assert bursts == [(("E03",), 9)]
    burst = next(a for a in found.alerts if a.pattern == "burst")
    assert "usual" in burst.reason_en and "以往" in burst.reason_zh
    assert [(n.person, n.period) for n in found.notes if n.detector == "shell_customers"] == [
        ("NEW", "2025-Q4")
    ]


def test_identity_reads_chinese_phone_numbers_in_every_written_form() -> None:
    """Phone numbers as Chinese CRMs hold them: a landline with and without its area
    code, with +86 / 0086 before the area code (its trunk 0 dropped), in brackets,
    spaces and dashes; mobiles with +86 and dashes. Each owner's two customers below
    share one number written two ways (and L1 carries the rep's own office line); L9's
    customers have different numbers and share nothing."""
    numbers = {
        "L1": ["010-62345678", "62345678"],
        "L2": ["+86 10 8888 1234", "(010)88881234"],
        "L3": ["0086-755-8765-4321", "0755 87654321"],
        "L4": ["+86 139-1234-5678", "0086 139 1234 5678"],
        "L5": ["021 5566 7788", "86 21 55667788"],
        "L9": ["010-62345679", "0755-87654320"],
    }
    customers, orders = [], []
    for owner, phones in numbers.items():
        for i, phone in enumerate(phones):
            cid = f"{owner}-C{i}"
            customers.append({"id": cid, "owner": owner, "created": D(2025, 10, 6), "phone": phone})
            orders.append(
                {
                    "id": f"{cid}-O",
                    "date": D(2025, 10, 7 + i),
                    "owner": owner,
                    "customer": cid,
                    "amount": 4321.0 + i,
                    "status": "confirmed",
                }
            )
    staff = pl.DataFrame(
        {
            "code": [*numbers, "E9"],
            "unit": ["T"] * 7,
            "phone": ["+86 (571) 8123-4567", None, None, None, None, None, None],
        }
    )
    customers.append(
        {"id": "L1-C9", "owner": "L1", "created": D(2025, 10, 6), "phone": "0571-81234567"}
    )
    orders.append(
        {
            "id": "L1-C9-O",
            "date": D(2025, 10, 9),
            "owner": "L1",
            "customer": "L1-C9",
            "amount": 999.0,
            "status": "confirmed",
        }
    )
    frames = {
        "customers": pl.DataFrame(customers),
        "orders": pl.DataFrame(orders),
        "contacts": pl.DataFrame({"customer": [c["id"] for c in customers]}),
        "people": staff,
    }
    found = scan(Records(frames), [Q4], detectors=["shell_customers"], as_of=D(2025, 12, 1))
    named = {
        a.people: sorted(i for t, i in a.records if t == "customers")
        for a in found.alerts
        if a.pattern == "identity"
    }
    assert named == {
        ("L1",): ["L1-C0", "L1-C1", "L1-C9"],
        ("L2",): ["L2-C0", "L2-C1"],
        ("L3",): ["L3-C0", "L3-C1"],
        ("L4",): ["L4-C0", "L4-C1"],
        ("L5",): ["L5-C0", "L5-C1"],
    }


def test_a_scan_of_the_first_quarter_without_as_of_does_not_overflow() -> None:
    """Orders only in January of year 1 and no ``as_of``: the no-trace test's cutoff
    (the last order less the grace days) lies before the first date there is; no order
    is old enough, so nothing is untraced, and the scan finishes."""
    q1 = ScanPeriod("0001-Q1", D(1, 1, 1), D(1, 3, 31))
    orders = pl.DataFrame(
        {
            "id": ["A1", "A2"],
            "date": [D(1, 1, 5), D(1, 1, 9)],
            "owner": ["E1", "E1"],
            "customer": ["K1", "K2"],
            "amount": [100.0, 200.0],
            "status": ["confirmed", "confirmed"],
        }
    )
    customers = pl.DataFrame({"id": ["K1", "K2"], "owner": ["E1", "E1"]})
    found = scan(Records({"orders": orders, "customers": customers}), [q1])
    assert [a for a in found.alerts if a.detector == "shell_customers"] == []


def test_a_reps_history_starts_when_they_joined_not_at_their_first_order() -> None:
    """SLO joined in 2023 but booked nothing until 2025-09-20; in 2025-Q4 they open
    nine one-order customers: a burst (a long-standing rep, nothing usual about it),
    not a new rep's first book. NEW joined on 2025-10-01 (their assignment) and opens
    eight: no history, a note."""
    months = [D(2024, 9 + i, 15) if i < 4 else D(2025, i - 3, 15) for i in range(16)]
    rows: list[dict] = []
    orders: list[dict] = []
    for owner, customers in [
        *[
            (f"E{p:02d}", [(f"E{p:02d}-old{c}", D(2024, 8, 1), months) for c in range(3)])
            for p in range(1, 11)
        ],
        ("SLO", [("SLO-first", D(2025, 9, 20), [D(2025, 9, 20), D(2025, 12, 1)])]),
        ("SLO", [(f"SLO-{i}", D(2025, 10, 6 + i), [D(2025, 10, 7 + i)]) for i in range(9)]),
        ("NEW", [(f"NEW-{i}", D(2025, 10, 3 + i), [D(2025, 10, 4 + i)]) for i in range(8)]),
    ]:
        r, o = _book(owner, customers)
        rows.extend(r)
        orders.extend(o)
    people = [f"E{p:02d}" for p in range(1, 11)] + ["SLO", "NEW"]
    frames = {
        "customers": pl.DataFrame(rows),
        "orders": pl.DataFrame(orders),
        "contacts": pl.DataFrame({"customer": [r["id"] for r in rows]}),
        "people": pl.DataFrame({"code": people, "unit": ["North"] * len(people)}),
        "assignments": pl.DataFrame(
            {
                "person": people,
                "unit": ["North"] * len(people),
                "valid_from": [D(2023, 3, 1)] * 11 + [D(2025, 10, 1)],
            }
        ),
    }
    found = scan(Records(frames), [Q4], detectors=["shell_customers"], as_of=D(2025, 12, 31))
    assert [a.people for a in found.alerts if a.pattern == "burst"] == [("SLO",)]
    assert [n.person for n in found.notes if n.detector == "shell_customers"] == ["NEW"]


def test_colleagues_who_rate_each_other_every_month_like_everybody_are_no_ring() -> None:
    """Ratings given monthly: a pair's highest of three ratings in a quarter is compared
    with the highest the other raters give in a quarter, not with their average (every
    pair who happened to rate each other would look inflated). A ring is still found."""
    rng = random.Random(3)
    rows = []
    people = [f"E{p:03d}" for p in range(8)]
    for year in (2024, 2025):
        for month in range(1, 13):
            for owner in people:
                for rater in people:
                    if owner != rater and rng.random() < 0.5:
                        rows.append(
                            {
                                "date": D(year, month, 28),
                                "owner": owner,
                                "rater": rater,
                                "score": rng.choice((3.5, 4.0, 4.0, 4.0, 4.5)),
                            }
                        )
    quarters = [
        ScanPeriod(f"{y}-Q{q + 1}", D(y, 3 * q + 1, 1), D(y, 3 * q + 3, 28))
        for y in (2024, 2025)
        for q in range(4)
    ]
    honest_rows = [{"id": f"R{n}", **row} for n, row in enumerate(rows)]
    frames = {"peer_ratings": pl.DataFrame(honest_rows)}
    assert scan(Records(frames), quarters, detectors=["rating_rings"]).alerts == []
    for month in (7, 8, 9, 10, 11, 12):
        for a, b in (("E001", "E002"), ("E002", "E001")):
            rows.append({"date": D(2025, month, 28), "owner": a, "rater": b, "score": 5.0})
    frames = {"peer_ratings": pl.DataFrame([{"id": f"R{n}", **r} for n, r in enumerate(rows)])}
    found = scan(Records(frames), quarters, detectors=["rating_rings"])
    assert {a.people for a in found.alerts} == {("E001", "E002")}


def test_one_shell_customer_is_told_in_the_singular() -> None:
    """The reviewer reads "1 customer shares ...", not "1 customers share ..."."""
    frames = honest()
    frames["contacts"] = pl.concat(
        [frames["contacts"], pl.DataFrame({"customer": ["C0095"], "phone": ["13911112222"]})],
        how="diagonal_relaxed",
    )
    frames["people"] = frames["people"].with_columns(pl.lit("13911112222").alias("phone"))
    frames["people"] = frames["people"].with_columns(
        pl.when(pl.col("code") == "E009").then(pl.col("phone")).otherwise(None).alias("phone")
    )
    found = scan(Records(frames), [Q3, Q4], detectors=["shell_customers"], as_of=D(2026, 1, 31))
    (alert,) = [a for a in found.alerts if a.pattern == "identity"]
    assert alert.reason_en.startswith("1 customer shares contact details with a salesperson")


def test_one_shell_customer_is_told_the_same_in_chinese() -> None:
    """One customer with a salesperson's phone: the Chinese says what the English says
    (shares the salesperson's details), not "or customers of one owner share them"."""
    frames = honest()
    frames["contacts"] = pl.concat(
        [frames["contacts"], pl.DataFrame({"customer": ["C0095"], "phone": ["+86 139-1111 2222"]})],
        how="diagonal_relaxed",
    )
    frames["people"] = frames["people"].with_columns(
        pl.when(pl.col("code") == "E009").then(pl.lit("13911112222")).otherwise(None).alias("phone")
    )
    found = scan(Records(frames), [Q3, Q4], detectors=["shell_customers"], as_of=D(2026, 1, 31))
    (alert,) = [a for a in found.alerts if a.pattern == "identity"]
    assert alert.reason_zh == "1 个客户的联系方式与销售人员相同（13911112222）。"


def test_an_honest_rep_with_a_genuinely_big_month_is_no_split() -> None:
    """E005 has a big October: 60 more orders than usual over the month for their
    eight customers, at random amounts. Busy accounts order twice on some days by
    chance; that is no deal cut into parts (the deal split above still is one)."""
    frames = honest()
    rng = random.Random(9)
    rows = [
        (
            f"BIG{i}",
            D(2025, 10, 1) + datetime.timedelta(days=rng.randrange(31)),
            "E005",
            f"C005{rng.randrange(8)}",
            round(rng.lognormvariate(11, 1.0), 2),
        )
        for i in range(60)
    ]
    _add_confirmed_orders(frames, rows)
    found = scan(Records(frames), [Q4])
    assert found.alerts == []


def _add_confirmed_orders(frames: dict[str, pl.DataFrame], rows: list[tuple]) -> None:
    """Confirmed orders (id, date, owner, customer, amount) added to ``frames``."""
    extra = pl.DataFrame(
        {
            "id": [r[0] for r in rows],
            "date": [r[1] for r in rows],
            "owner": [r[2] for r in rows],
            "customer": [r[3] for r in rows],
            "amount": [r[4] for r in rows],
            "status": ["confirmed"] * len(rows),
        }
    )
    frames["orders"] = pl.concat([frames["orders"], extra], how="diagonal_relaxed")


def test_a_team_of_two_crediting_each_other_is_measured_against_the_company() -> None:
    """E010 and E011 are a unit of their own, a team of two, and credit each other on
    six of their Q4 orders each; the other ten reps (one team) split about one order a
    quarter. With no teammate but the partner, the team's habit was the pair's own
    splitting, so the pair always looked usual; it is compared with how the company's
    teams split instead. A team of two that splits as seldom as everyone else is no
    case."""

    def credited(frames: dict[str, pl.DataFrame], pairs: tuple) -> list[dict[str, object]]:
        orders = frames["orders"].filter(pl.col("date").is_between(Q4.start, Q4.end)).sort("id")
        rows: list[dict[str, object]] = []
        for owner, mate, k in pairs:
            for order in orders.filter(pl.col("owner") == owner)["id"].head(k).to_list():
                rows += [
                    {"order": order, "person": owner, "share": 0.5},
                    {"order": order, "person": mate, "share": 0.5},
                ]
        return rows

    habit = tuple((f"E{p:03d}", f"E{(p + 1) % 10:03d}", 1) for p in range(10))
    for pair, expected in ((6, [(("E010", "E011"), "2025-Q4")]), (1, [])):
        frames = honest(people=12)
        frames["people"] = frames["people"].with_columns(
            pl.when(pl.col("code").is_in(["E010", "E011"]))
            .then(pl.lit("DUO"))
            .otherwise(pl.col("unit"))
            .alias("unit")
        )
        duo = (("E010", "E011", pair), ("E011", "E010", pair))
        frames["credits"] = pl.DataFrame(credited(frames, habit + duo))
        found = scan(Records(frames), [Q3, Q4], detectors=["reciprocal_credit"])
        assert [(a.people, a.period) for a in found.alerts] == expected, pair


def test_identity_reads_each_number_of_a_field_holding_two() -> None:
    """CRMs often keep two numbers in one phone field (a landline and a mobile): a
    shell of E009's whose phone field holds a switchboard and, after a full-width
    semicolon, E009's own mobile; two of E008's customers, one with two numbers
    separated by a slash and the other with one of them. Each number is read on its
    own (the digits of both run together were nobody's number)."""
    frames = honest()
    frames["people"] = frames["people"].with_columns(
        pl.when(pl.col("code") == "E009")
        .then(pl.lit("186 0000 1234"))
        .otherwise(None)
        .alias("phone"),
    )
    frames["customers"] = pl.concat(
        [
            frames["customers"],
            pl.DataFrame(
                {
                    "id": ["S9", "S8A", "S8B"],
                    "owner": ["E009", "E008", "E008"],
                    "created": [D(2025, 10, 2)] * 3,
                    "phone": [
                        "0769-22334455；186-0000-1234",
                        "021-5555 1234 / 137 1234 5678",
                        "+86 13712345678",
                    ],
                }
            ),
        ],
        how="diagonal_relaxed",
    )
    frames["orders"] = pl.concat(
        [
            frames["orders"],
            pl.DataFrame(
                {
                    "id": ["X9", "X8A", "X8B"],
                    "date": [D(2025, 10, 5)] * 3,
                    "owner": ["E009", "E008", "E008"],
                    "customer": ["S9", "S8A", "S8B"],
                    "amount": [5000.5, 812.4, 913.75],
                    "status": ["confirmed"] * 3,
                }
            ),
        ],
        how="diagonal_relaxed",
    )
    found = scan(Records(frames), [Q4], detectors=["shell_customers"], as_of=D(2025, 10, 31))
    identity = sorted(
        (a.people, [r for r in a.records if r[0] == "customers"])
        for a in found.alerts
        if a.pattern == "identity"
    )
    assert identity == [
        (("E008",), [("customers", "S8A"), ("customers", "S8B")]),
        (("E009",), [("customers", "S9")]),
    ]


def test_a_survey_from_a_customer_whose_second_number_is_the_rep_s_is_a_proxy() -> None:
    """E004's top survey comes from a customer whose contact keeps an office line and,
    after a slash, E004's own mobile: the survey is E004 rating themself."""
    frames = honest()
    frames["people"] = frames["people"].with_columns(
        pl.when(pl.col("code") == "E004")
        .then(pl.lit("13811112222"))
        .otherwise(None)
        .alias("phone"),
    )
    frames["contacts"] = pl.concat(
        [
            frames["contacts"],
            pl.DataFrame({"customer": ["C0041"], "phone": ["021-6666 1234 / 138-1111-2222"]}),
        ],
        how="diagonal_relaxed",
    )
    frames["surveys"] = pl.DataFrame(
        {
            "id": ["V1"],
            "date": [D(2025, 11, 3)],
            "owner": ["E004"],
            "customer": ["C0041"],
            "score": [5.0],
        }
    )
    found = scan(Records(frames), [Q4], detectors=["rating_rings"])
    assert [(a.people, a.records) for a in found.alerts] == [
        (("E004",), (("surveys", "V1"), ("customers", "C0041")))
    ]


def test_a_wash_across_a_month_end_inside_the_quarter_is_found() -> None:
    """Paid monthly, E003 books four orders in the last days of November and cancels
    them early in December, once November's payout has closed: inside the quarter, so
    the quarter's end never saw them. Honest reps' cancellations that happen to cross a
    month end are the baseline (E005 cancels one such order: no case)."""
    frames = honest()
    washed = pl.DataFrame(
        {
            "id": ["W0", "W1", "W2", "W3", "H1"],
            "date": [D(2025, 11, d) for d in (26, 28, 29, 30, 20)],
            "owner": ["E003", "E003", "E003", "E003", "E005"],
            "customer": ["C0031", "C0032", "C0033", "C0034", "C0051"],
            "amount": [73400.0, 51980.0, 96120.0, 38800.0, 12000.0],
            "status": ["cancelled"] * 5,
            "status_changed_on": [D(2025, 12, d) for d in (3, 4, 8, 8, 2)],
        }
    )
    frames["orders"] = pl.concat([frames["orders"], washed], how="diagonal_relaxed")
    found = scan(Records(frames), [Q3, Q4], detectors=["wash_orders"])
    assert [(a.people, a.period, a.pattern) for a in found.alerts] == [
        (("E003",), "2025-Q4", "after_month")
    ]
    (alert,) = found.alerts
    assert sorted(i for _t, i in alert.records) == ["W0", "W1", "W2", "W3"]
    assert "month" in alert.reason_en and "当月" in alert.reason_zh


def test_a_team_whose_business_closes_at_quarter_end_is_no_pull_in() -> None:
    """E020 to E023 are a team of their own whose customers (public budgets) sign most
    orders in the quarter's last week: seasonal, the whole team alike. The company's
    other twenty reps spread their orders. The team is compared with its typical member
    too, so nobody in it is a pull-in; E004 and E005, who both move every Q4 order to
    29 December in the other team, still are (two of twenty do not make a team's habit)."""
    frames = honest(people=24)
    seasonal = ["E020", "E021", "E022", "E023"]
    frames["people"] = frames["people"].with_columns(
        pl.when(pl.col("code").is_in(seasonal))
        .then(pl.lit("T2"))
        .otherwise(pl.col("unit"))
        .alias("unit")
    )
    rank = pl.col("id").str.slice(1).cast(pl.Int64)
    frames["orders"] = frames["orders"].with_columns(
        pl.when(pl.col("owner").is_in(seasonal) & (pl.col("date") >= Q4.start) & (rank % 5 < 3))
        .then(pl.lit(D(2025, 12, 25)) + pl.duration(days=rank % 7))
        .when(pl.col("owner").is_in(["E004", "E005"]) & (pl.col("date") >= Q4.start))
        .then(pl.lit(D(2025, 12, 29)))
        .otherwise(pl.col("date"))
        .alias("date")
    )
    found = scan(Records(frames), [Q4], detectors=["timing"])
    assert [(a.people, a.period) for a in found.alerts] == [
        (("E004",), "2025-Q4"),
        (("E005",), "2025-Q4"),
    ]


def test_a_team_whose_customers_order_in_parts_at_quarter_end_is_no_split() -> None:
    """E020 to E023 are a team whose customers (public budgets) place several orders of
    different amounts on the same day in the quarter's last week, every one of them
    alike: the team's typical member sets the expectation too, so none of them is a
    splitter. E004, who alone cuts four deals into three parts each in the other team,
    still is."""
    frames = honest(people=24)
    seasonal = ["E020", "E021", "E022", "E023"]
    frames["people"] = frames["people"].with_columns(
        pl.when(pl.col("code").is_in(seasonal))
        .then(pl.lit("T2"))
        .otherwise(pl.col("unit"))
        .alias("unit")
    )
    rows = []
    for owner in seasonal:
        for c in range(3):
            for day in (26, 28, 30):
                for part in range(2):
                    rows.append(
                        (owner, f"C{owner[1:]}{c}", D(2025, 12, day), 3000 + 977 * part + c)
                    )
    for deal in range(6):
        for part in range(3):
            rows.append(
                (
                    "E004",
                    f"C004{deal}",
                    D(2025, 10, 6) + datetime.timedelta(days=14 * deal),
                    9137 + 1313 * part,
                )
            )
    extra = pl.DataFrame(
        {
            "id": [f"S{i}" for i in range(len(rows))],
            "owner": [r[0] for r in rows],
            "customer": [r[1] for r in rows],
            "date": [r[2] for r in rows],
            "amount": [float(r[3]) for r in rows],
            "status": ["confirmed"] * len(rows),
        }
    )
    frames["orders"] = pl.concat([frames["orders"], extra], how="diagonal_relaxed")
    found = scan(Records(frames), [Q4], detectors=["amounts"])
    assert [(a.people, a.pattern) for a in found.alerts] == [(("E004",), "split")]


def test_teammates_with_a_few_orders_do_not_set_the_team_s_season() -> None:
    """E004 moves most of their Q4 orders into its last week, in a team whose four other
    members booked four orders each, two of them in that week by chance: shares of four
    orders are noise, so they are no team season (only teammates with as many orders as
    the test needs count), and E004 is found."""
    frames = honest(people=24)
    team = ["E004", "N1", "N2", "N3", "N4"]
    frames["people"] = pl.concat(
        [frames["people"], pl.DataFrame({"code": team[1:], "unit": ["T1"] * 4})]
    ).with_columns(
        pl.when(pl.col("code").is_in(team)).then(pl.lit("T2")).otherwise("unit").alias("unit")
    )
    rank = pl.col("id").str.slice(1).cast(pl.Int64)
    frames["orders"] = frames["orders"].with_columns(
        pl.when((pl.col("owner") == "E004") & (pl.col("date") >= Q4.start) & (rank % 5 < 3))
        .then(pl.lit(D(2025, 12, 26)))
        .otherwise(pl.col("date"))
        .alias("date")
    )
    days = [D(2025, 10, 20), D(2025, 11, 10), D(2025, 12, 27), D(2025, 12, 30)]
    few = pl.DataFrame(
        {
            "id": [f"F{who}{i}" for who in team[1:] for i in range(4)],
            "owner": [who for who in team[1:] for _ in range(4)],
            "customer": ["C0000"] * 16,
            "date": days * 4,
            "amount": [1234.5 + i for i in range(16)],
            "status": ["confirmed"] * 16,
        }
    )
    frames["orders"] = pl.concat([frames["orders"], few], how="diagonal_relaxed")
    found = scan(Records(frames), [Q4], detectors=["timing"])
    assert [(a.people, a.period) for a in found.alerts] == [(("E004",), "2025-Q4")]


def test_a_second_wash_is_not_hidden_by_a_bigger_one_in_the_same_period() -> None:
    """E003 washes eight orders at the end of 2025-Q4, E007 four: E007 is compared with
    the ordinary peers, not with a peer rate that E003's own wash inflated (two washers
    in one period do not hide each other, as the timing test says of pull-ins)."""
    frames = honest()
    late = pl.col("date") >= D(2025, 12, 1)
    ranked = pl.col("date").rank("ordinal", descending=True).over("owner", late)
    e003 = (pl.col("owner") == "E003") & late & (ranked <= 8)
    e007 = (pl.col("owner") == "E007") & late & (ranked <= 4)
    frames["orders"] = frames["orders"].with_columns(
        pl.when(e003 | e007).then(pl.lit("cancelled")).otherwise(pl.col("status")).alias("status"),
        pl.when(e003 | e007)
        .then(pl.lit(D(2026, 1, 12)))
        .otherwise(pl.col("status_changed_on"))
        .alias("status_changed_on"),
    )
    washed = frames["orders"].filter(pl.col("status") == "cancelled")
    assert washed.group_by("owner").len().sort("owner").rows() == [("E003", 8), ("E007", 4)]
    found = scan(Records(frames), [Q4], detectors=["wash_orders"])
    assert sorted(a.people for a in found.alerts) == [("E003",), ("E007",)]


def _logged(owner: str, start: datetime.datetime, notes: list[str], **extra: object) -> list:
    """Activities of ``owner`` to different customers, one every 2½ minutes from
    ``start``, with the ``notes`` as their summaries."""
    return [
        {
            "id": f"{owner}-{start:%d%H%M}-{i}",
            "owner": owner,
            "customer": f"C{owner[1:]}{i % 8}",
            "at": start + datetime.timedelta(seconds=150 * i),
            "summary": note,
            **extra,
        }
        for i, note in enumerate(notes)
    ]


def test_notes_copied_onto_a_batch_of_visits_logged_at_night_are_found() -> None:
    """E004 logs six visits to six customers at 23:05 on two nights, minutes apart, each
    with the same note pasted again (only punctuation, spaces and width differ): visits
    that never happened, written up in one sitting. Not a case: a team template many
    people use (E006, E007 and E008 paste the CRM's text), a rep's daytime call round
    with one note, and a rep who writes the same note on visits spread over the day."""
    frames = honest()
    pasted = [
        "客户对产品很满意，下次继续跟进。",
        "客户对产品很满意,下次继续跟进",
        "客户对产品很满意。下次继续跟进！",
        "客户对产品很满意 ，下次继续跟进",
        "客户对产品很满意，下次继续跟进 。",
        "客户对产品很满意，下次继续跟进！！",
    ]
    template = ["已上门拜访，了解设备现状。"] * 5
    call_note = "客户暂无需求，下季度再联系"
    rows = (
        _logged("E004", datetime.datetime(2025, 11, 12, 23, 5), pasted, kind="visit")
        + _logged("E004", datetime.datetime(2025, 11, 19, 23, 5), pasted[::-1], kind="visit")
        + [
            row
            for who in ("E006", "E007", "E008")
            for row in _logged(who, datetime.datetime(2025, 11, 20, 22, 30), template)
        ]
        + _logged("E009", datetime.datetime(2025, 11, 21, 10, 0), [call_note] * 6, kind="call")
        + [
            {
                "id": f"E010-{i}",
                "owner": "E010",
                "customer": f"C010{i}",
                "at": datetime.datetime(2025, 11, 24, 9 + 2 * i, 0),
                "summary": "介绍新款设备，客户表示有兴趣",
                "kind": "visit",
            }
            for i in range(5)
        ]
    )
    frames["activities"] = pl.concat(
        [frames["activities"], pl.DataFrame(rows)], how="diagonal_relaxed"
    )
    found = scan(Records(frames), [Q4], detectors=["fake_activities"])
    got = [(a.people, a.pattern) for a in found.alerts]
    assert got == [(("E004",), "copied_notes")]
    alert = found.alerts[0]
    assert {i for _t, i in alert.records} == {r["id"] for r in rows if r["owner"] == "E004"}
    assert "12" in alert.reason_en and "same note" in alert.reason_en
    assert "相同" in alert.reason_zh


def test_a_same_minute_burst_of_pasted_notes_is_one_alert_not_two() -> None:
    """Four visits logged within one minute with one note pasted: the same-minute alert
    names them; the copied-notes test does not raise them a second time."""
    frames = honest()
    rows = [
        {
            "id": f"M{i}",
            "owner": "E004",
            "customer": f"C004{i}",
            "at": datetime.datetime(2025, 11, 12, 23, 5) + datetime.timedelta(seconds=12 * i),
            "summary": "客户对产品很满意，下次继续跟进。",
            "kind": "visit",
        }
        for i in range(4)
    ]
    frames["activities"] = pl.concat(
        [frames["activities"], pl.DataFrame(rows)], how="diagonal_relaxed"
    )
    found = scan(Records(frames), [Q4], detectors=["fake_activities"])
    assert [(a.people, a.pattern) for a in found.alerts] == [(("E004",), "same_minute")]


def _team_ratings(seed: int, scores: tuple[float, ...]) -> list[dict[str, object]]:
    """Three teams of eight rating three teammates each a quarter, for two years, each
    score drawn from ``scores`` whoever is rated (honest but noisy raters)."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for team in range(3):
        people = [f"E{team}{p}" for p in range(8)]
        for year in (2024, 2025):
            for q in range(4):
                for owner in people:
                    for rater in rng.sample([p for p in people if p != owner], 3):
                        rows.append(
                            {
                                "id": f"R{len(rows)}",
                                "date": D(year, 3 * q + 2, 10),
                                "owner": owner,
                                "rater": rater,
                                "score": rng.choice(scores),
                            }
                        )
    return rows


_QUARTERS = [
    ScanPeriod(f"{y}-Q{q + 1}", D(y, 3 * q + 1, 1), D(y, 3 * q + 3, 28))
    for y in (2024, 2025)
    for q in range(4)
]


def test_noisy_honest_raters_are_no_ring() -> None:
    """Colleagues whose scores are noisy (3, 4 or 5 for anyone) exchange top marks now
    and then by chance: every such company had alerts (5.7 a company on average), each
    accusing an honest pair. A pair is now a ring only when their exchanges are rarer
    than how each rates everybody else makes likely, over all the pairs tested."""
    for seed in range(5):
        frames = {"peer_ratings": pl.DataFrame(_team_ratings(seed, (3.0, 4.0, 5.0)))}
        assert scan(Records(frames), _QUARTERS, detectors=["rating_rings"]).alerts == []


def test_a_pair_who_give_nobody_else_top_marks_is_found_from_one_quarter() -> None:
    rows = _team_ratings(1, (3.0, 3.5, 4.0))
    for a, b in (("E03", "E05"), ("E05", "E03")):
        rows.append({"id": f"X{a}", "date": D(2025, 11, 10), "owner": b, "rater": a, "score": 5.0})
    found = scan(
        Records({"peer_ratings": pl.DataFrame(rows)}), _QUARTERS, detectors=["rating_rings"]
    )
    assert [(a.period, a.people) for a in found.alerts] == [("2025-Q4", ("E03", "E05"))]
    assert "about 1 chance in" in found.alerts[0].reason_en
