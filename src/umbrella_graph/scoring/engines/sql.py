"""The evidence features written once as Spark SQL over the case tables.

Each entry of :func:`feature_views` is a named view (``CREATE TEMPORARY VIEW name AS
...``) over the tables of :mod:`umbrella_graph.scoring.engines.tables` and the views
before it. Together they compute every feature of
:data:`umbrella_graph.scoring.FEATURES` per (official, gang) pair, with the definitions
of :mod:`umbrella_graph.scoring.signals` (the memory engine): the same joins, filters,
weights and aggregates, in the same floating-point order where it matters, so the two
engines agree to 1e-9.

The walks are views over the pairs (:func:`walk_views`: a few joins, the walk is cut at a
fixed number of steps), and the one special function (the regularised gamma of the
Poisson surprises), which runs as a vectorised pandas UDF on the executors
(:mod:`umbrella_graph.scoring.engines.spark`). The tip-off pattern is read from the
tip-off table (:func:`umbrella_graph.scoring.tipoff.pattern_scores`), not recomputed.

Only constants of the library are formatted into the SQL (numbers through
:func:`_d`); no case value ever is.
"""

from __future__ import annotations

from typing import Any

from ...domain import CHANNELS

__all__ = ["feature_views", "walk_views", "pair_view"]


def _d(x: float) -> str:
    """A double literal that parses to exactly ``x``."""
    return f"CAST('{float(x)!r}' AS DOUBLE)"


def _q(name: str) -> str:
    return {"LARGE": "q_large", "EVERYDAY": "q_everyday", "BRIBE": "q_bribe", "RELAY": "q_relay",
            "STRUCT": "q_struct"}[name]


def feature_views(c: dict[str, Any]) -> list[tuple[str, str]]:
    """The feature views, in dependency order, for the constants ``c``
    (:func:`umbrella_graph.scoring.engines.tables.constants`)."""
    one, zero = _d(1.0), _d(0.0)
    lo_share, hi_share = c["RELAY_SHARE"]
    money_sums = ",\n".join(
        [f"sum(CASE WHEN relation IN ({rels}) THEN w * amount ELSE {zero} END) AS money_{r}_raw"
         for r, rels in (("self", "'self'"), ("spouse", "'spouse'"), ("kin", "'kin', 'extended'"))]
        + [f"sum(CASE WHEN side_kind IN ({kinds}) THEN w * amount ELSE {zero} END) AS money_{name}_raw"
           for name, kinds in (("listed", "'listed'"), ("company", "'company'"),
                               ("front", "'front_man', 'inferred'"))]
        + [f"sum(CASE WHEN channel = '{ch}' THEN w * amount ELSE {zero} END) AS money_{ch}_raw" for ch in CHANNELS])
    levels = ", ".join(_d(v) for v in c["LEVEL_VALUE"])
    v: list[tuple[str, str]] = []

    # -- the case's amount quantiles, exactly as numpy's linear method
    v.append(("ordinary", "SELECT amount FROM tx WHERE NOT kin AND NOT wage AND amount > 0 AND NOT isnan(amount)"))
    v.append(("amount_ranks", """
        SELECT amount, run - c AS first, run - 1 AS last FROM (
          SELECT amount, c, sum(c) OVER (ORDER BY amount ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
          FROM (SELECT amount, count(*) AS c FROM ordinary GROUP BY amount))"""))
    qs = {"q_large": c["LARGE_QUANTILE"], "q_everyday": c["EVERYDAY_QUANTILE"], "q_bribe": c["BRIBE_QUANTILE"],
          "q_relay": c["RELAY_MIN_QUANTILE"], "q_struct": 0.7}
    points = " UNION ALL ".join(f"SELECT '{k}' AS name, {_d(q)} AS q" for k, q in qs.items())
    v.append(("quantile_points", f"""
        SELECT name, q, n, vi, CAST(floor(vi) AS BIGINT) AS lo,
               least(CAST(floor(vi) AS BIGINT) + 1, n - 1) AS hi, vi - floor(vi) AS g
        FROM (SELECT p.name, p.q, k.n, CAST(k.n - 1 AS DOUBLE) * p.q AS vi
              FROM ({points}) p CROSS JOIN (SELECT count(*) AS n FROM ordinary) k)"""))
    v.append(("quantiles", f"""
        SELECT p.name, CASE WHEN p.n = 0 THEN {one}
                            WHEN p.g >= {_d(0.5)} THEN b.amount - (b.amount - a.amount) * ({one} - p.g)
                            ELSE a.amount + (b.amount - a.amount) * p.g END AS value
        FROM quantile_points p
        LEFT JOIN amount_ranks a ON p.lo BETWEEN a.first AND a.last
        LEFT JOIN amount_ranks b ON p.hi BETWEEN b.first AND b.last"""))
    v.append(("qs", "SELECT " + ", ".join(f"max(CASE WHEN name = '{k}' THEN value END) AS {k}" for k in qs)
              + " FROM quantiles"))

    # -- money from the gang side to an official's circle
    v.append(("tx_ok", "SELECT * FROM tx WHERE NOT kin AND NOT wage"))
    discount = (f"CASE WHEN c.relation = 'self' THEN {one} ELSE "
                f"least(greatest({one} - {_d(2.0)} * coalesce(rc.conf_core, {zero}), {zero}), {one}) END")
    v.append(("money_records", f"""
        SELECT * FROM (
          SELECT c.off, s.gang, t.amount, t.channel, c.relation, s.kind AS side_kind,
                 s.conf * c.weight * {discount} AS w
          FROM tx_ok t JOIN side s ON t.src = s.node JOIN circle c ON t.dst = c.person
          LEFT JOIN side rc ON rc.node = t.dst AND rc.gang = s.gang)
        WHERE w > {zero}"""))
    v.append(("money_pairs", f"""
        SELECT m.off, m.gang, sum(m.w * m.amount) AS money_amount_raw, sum(m.w) AS money_count,
               sum(m.w * CASE WHEN m.amount >= q.q_large THEN {one} ELSE {zero} END) AS money_large,
               {money_sums}
        FROM money_records m CROSS JOIN qs q GROUP BY m.off, m.gang"""))

    # -- pass-throughs: gang side -> intermediary -> official's circle
    v.append(("relay_tx", f"SELECT t.* FROM tx_ok t CROSS JOIN qs q WHERE t.amount >= q.q_relay * {_d(lo_share)}"))
    v.append(("relay_leg1", """
        SELECT t.dst AS mid, t.amount AS a1, t.t AS t1, t.pos AS pos1, s.gang, s.conf
        FROM relay_tx t CROSS JOIN qs q JOIN side s ON t.src = s.node JOIN nodes n ON n.node = t.dst
        WHERE NOT n.is_official AND t.amount >= q.q_relay"""))
    v.append(("relay_leg2", """
        SELECT t.src AS mid, t.amount AS a2, t.t AS t2, t.pos AS pos2, c.off, c.weight
        FROM relay_tx t JOIN circle c ON t.dst = c.person"""))
    v.append(("relay_joined", f"""
        SELECT l1.mid, l1.a1, l1.t1, l1.pos1, l1.gang, l1.conf, l2.a2, l2.t2, l2.pos2, l2.off, l2.weight
        FROM relay_leg1 l1 JOIN relay_leg2 l2 ON l1.mid = l2.mid
        LEFT ANTI JOIN side ms ON ms.node = l1.mid AND ms.gang = l1.gang
        LEFT ANTI JOIN circle mc ON mc.person = l1.mid AND mc.off = l2.off
        WHERE l2.t2 - l1.t1 >= 0 AND l2.t2 - l1.t1 <= {int(c["RELAY_WINDOW_NS"])}
          AND l2.a2 / l1.a1 >= {_d(lo_share)} AND l2.a2 / l1.a1 <= {_d(hi_share)}"""))
    v.append(("relay_records", """
        SELECT off, gang, conf * weight AS w, least(a1, a2) AS amount FROM (
          SELECT *, row_number() OVER (PARTITION BY off, gang, pos2 ORDER BY t2 - t1, pos1) AS k FROM relay_joined)
        WHERE k = 1"""))
    v.append(("relay_pairs", """
        SELECT off, gang, sum(w * amount) AS relay_amount_raw, sum(w) AS relay_count
        FROM relay_records GROUP BY off, gang"""))

    # -- contracts the official answers for, to gang companies
    unit = _d(c["UNIT_CONTRACT_WEIGHT"])
    v.append(("unit_issuers", """
        SELECT DISTINCT off, issuer FROM (SELECT off, unit AS issuer FROM posts UNION ALL
                                          SELECT off, place AS issuer FROM posts) WHERE issuer >= 0"""))
    v.append(("responsibility", f"""
        SELECT pos, off, max(resp) AS resp FROM (
          SELECT k.pos, o.off, {one} AS resp FROM contracts k JOIN officials o ON k.approver = o.node
          UNION ALL SELECT k.pos, o.off, {one} AS resp FROM contracts k JOIN officials o ON k.issuer = o.node
          UNION ALL SELECT k.pos, u.off, {unit} AS resp FROM contracts k JOIN unit_issuers u ON k.issuer = u.issuer)
        GROUP BY pos, off"""))
    v.append(("gang_companies", "SELECT node AS company, gang, conf FROM side WHERE kind = 'company'"))
    v.append(("contract_records", f"""
        SELECT r.off, gc.gang, gc.conf, r.resp, coalesce(k.amount, {zero}) AS amount, r.resp >= {one} AS direct
        FROM contracts k JOIN responsibility r ON k.pos = r.pos JOIN gang_companies gc ON k.company = gc.company"""))
    v.append(("contract_pairs", f"""
        SELECT off, gang,
               sum(CASE WHEN direct THEN conf ELSE {zero} END) AS contract_count,
               sum(CASE WHEN direct THEN conf * amount ELSE {zero} END) AS contract_amount_raw,
               sum(CASE WHEN direct THEN {zero} ELSE conf * resp END) AS contract_unit
        FROM contract_records GROUP BY off, gang"""))
    v.append(("contract_total", f"""
        SELECT o.off, CAST(count(r.pos) AS DOUBLE) AS contract_total
        FROM officials o LEFT JOIN responsibility r ON r.off = o.off AND r.resp >= {one} GROUP BY o.off"""))
    v.append(("contract_to_gang", """
        SELECT gc.gang, sum(gc.conf) AS to_gang FROM contracts k JOIN gang_companies gc ON k.company = gc.company
        GROUP BY gc.gang"""))
    v.append(("contract_n", "SELECT CAST(count(*) AS DOUBLE) AS n_con FROM contracts"))

    # -- contacts of an official's circle with the gang side, and the raid windows
    v.append(("ct_ok", "SELECT * FROM ct WHERE NOT kin"))
    meet = f"CASE WHEN e.kind = 'meeting' THEN {_d(2.0)} ELSE {one} END"
    v.append(("contact_records0", f"""
        SELECT * FROM (
          SELECT c.off, s.gang, e.me, e.other, e.pos, s.conf, s.weight AS sw, s.kind AS side_kind,
                 e.t_latest div 60000000000 AS rmin,
                 c.weight * s.weight * {meet} * {discount} AS w
          FROM (SELECT src AS me, dst AS other, kind, t_latest, pos FROM ct_ok
                UNION ALL SELECT dst AS me, src AS other, kind, t_latest, pos FROM ct_ok) e
          JOIN circle c ON e.me = c.person JOIN side s ON e.other = s.node
          LEFT JOIN side rc ON rc.node = e.me AND rc.gang = s.gang)
        WHERE w > {zero}"""))
    v.append(("event_minutes", "SELECT row, gang, t div 60000000000 AS emin FROM events WHERE t IS NOT NULL"))
    v.append(("record_windows", """
        SELECT k.gang, k.rmin,
               max(CASE WHEN e.emin < k.rmin THEN struct(e.emin AS emin, e.row AS row) END) AS prv
        FROM (SELECT DISTINCT gang, rmin FROM contact_records0) k JOIN event_minutes e ON k.gang = e.gang
        GROUP BY k.gang, k.rmin"""))
    # pre-raid: the contacts the tip-off test reads before an event (the pre_raid table)
    v.append(("contact_records", """
        SELECT r.*,
               CASE WHEN pr.event IS NOT NULL THEN 'pre'
                    WHEN w.prv IS NOT NULL AND r.rmin - w.prv.emin <= p.follow_up_minutes THEN 'post'
                    ELSE '' END AS window,
               CASE WHEN pr.event IS NOT NULL THEN pr.event
                    WHEN w.prv IS NOT NULL AND r.rmin - w.prv.emin <= p.follow_up_minutes THEN w.prv.row
                    ELSE -1 END AS event
        FROM contact_records0 r CROSS JOIN params p
        LEFT JOIN record_windows w ON w.gang = r.gang AND w.rmin = r.rmin
        LEFT JOIN pre_raid pr ON pr.off = r.off AND pr.gang = r.gang AND pr.pos = r.pos"""))
    v.append(("contact_pairs", f"""
        SELECT off, gang,
               sum(CASE WHEN window != 'post' THEN w ELSE {zero} END) AS contact_weight,
               sum(CASE WHEN window != 'post' AND side_kind = 'listed' AND conf >= {one} AND sw >= {_d(0.8)}
                        THEN w ELSE {zero} END) AS contact_core,
               sum(CASE WHEN window = 'post' THEN w ELSE {zero} END) AS contact_post,
               CAST(count(DISTINCT CASE WHEN window != 'post' AND conf >= {_d(0.5)} THEN other END) AS DOUBLE)
                 AS contact_people,
               CAST(count(DISTINCT CASE WHEN window = 'post' THEN event END) AS DOUBLE) AS tipoff_post_raids
        FROM contact_records GROUP BY off, gang"""))
    v.append(("contact_degree", """
        SELECT node, CAST(count(*) AS DOUBLE) AS deg FROM (SELECT src AS node FROM ct_ok UNION ALL
                                                         SELECT dst AS node FROM ct_ok) GROUP BY node"""))
    v.append(("contact_volume", f"""
        SELECT o.off, coalesce(sum(c.weight * coalesce(d.deg, {zero})), {zero}) AS contact_volume
        FROM officials o LEFT JOIN circle c ON c.off = o.off LEFT JOIN contact_degree d ON c.person = d.node
        GROUP BY o.off"""))
    v.append(("contact_rate", f"""
        SELECT g.gang, coalesce(sum(p.contact_weight), {zero})
                       / greatest((SELECT sum(contact_volume) FROM contact_volume), {one}) AS rate
        FROM gangs g LEFT JOIN contact_pairs p ON p.gang = g.gang GROUP BY g.gang"""))

    # -- tip-offs (the per-event test is the tipoff table)
    # events at the threshold (strong) and events that count only inside a pattern at the
    # threshold (mid: PATTERN_EVENT_MIN_SCORE <= score < threshold); the pattern is the
    # table's own (scoring.tipoff.pattern_scores, one value per pair), the rule
    # scoring.tipoff.is_tipoff
    m, pm = _d(c["TIPOFF_MIN_SCORE"]), _d(min(c["PATTERN_EVENT_MIN_SCORE"], c["TIPOFF_MIN_SCORE"]))
    v.append(("tipoff_pairs", f"""
        SELECT off, gang,
               CAST(sum(CASE WHEN score >= {m} THEN 1 ELSE 0 END) AS DOUBLE) AS tipoff_strong,
               CAST(sum(CASE WHEN score >= {pm} AND score < {m} THEN 1 ELSE 0 END) AS DOUBLE) AS tipoff_mid,
               CAST(sum(CASE WHEN score >= {m} AND relay_surprise >= {m} THEN 1 ELSE 0 END) AS DOUBLE)
                 AS spread_strong,
               CAST(sum(CASE WHEN score >= {pm} AND score < {m} AND relay_surprise >= {m} THEN 1 ELSE 0 END)
                 AS DOUBLE) AS spread_mid,
               greatest(max(least(score, {_d(30.0)})), {zero}) AS tipoff_best,
               greatest(max(pattern_score), {zero}) AS tipoff_pattern
        FROM tipoff GROUP BY off, gang"""))

    # -- kinship and membership
    kin_rel = ", ".join(f"'{r}'" for r in c["KINSHIP_RELATIONS"])
    v.append(("relatives", f"SELECT off, person FROM circle WHERE relation IN ({kin_rel})"))
    v.append(("kin_side", f"""
        SELECT r.off, s.gang,
               max(CASE WHEN s.kind = 'listed' THEN {_d(0.4)} * s.weight
                        WHEN s.kind = 'front_man' THEN {_d(0.6)} * s.conf ELSE {_d(0.2)} * s.conf END) AS kin_side
        FROM relatives r JOIN side s ON r.person = s.node WHERE s.kind != 'company' GROUP BY r.off, s.gang"""))
    v.append(("kin_employed", f"""
        SELECT r.off, gc.gang, max(gc.conf * ({one} - coalesce(p.conf_core, {zero}))) AS kin_employed
        FROM relatives r JOIN roles ro ON ro.person = r.person AND ro.role = 'employee'
        JOIN gang_companies gc ON gc.company = ro.company
        LEFT JOIN side p ON p.node = r.person AND p.gang = gc.gang AND p.kind != 'company'
        GROUP BY r.off, gc.gang"""))
    v.append(("member_pairs", f"""
        SELECT o.off, m.gang, max(CASE WHEN m.weight >= {_d(0.8)} THEN {one} ELSE {_d(0.9)} END) AS member
        FROM members m JOIN officials o ON m.person = o.node GROUP BY o.off, m.gang"""))

    # -- jurisdiction: the official's post above the gang's places (or its trade's regulator)
    v.append(("gang_places", f"""
        SELECT DISTINCT gang, place FROM (
          SELECT g.gang, l.place FROM gangs g JOIN located l ON g.node = l.node
          UNION ALL SELECT s.gang, l.place FROM side s JOIN located l ON s.node = l.node
                    WHERE s.kind = 'company' AND s.conf >= {_d(0.5)})
        WHERE place >= 0"""))
    v.append(("gang_ancestors0", "SELECT gang, place, 0 AS depth FROM gang_places"))
    for d in range(1, len(c["LEVEL_VALUE"])):
        v.append((f"gang_ancestors{d}", f"""
            SELECT a.gang, p.parent AS place, {d} AS depth FROM gang_ancestors{d - 1} a JOIN parent p
            ON a.place = p.node WHERE p.parent >= 0"""))
    union = " UNION ALL ".join(f"SELECT * FROM gang_ancestors{d}" for d in range(len(c["LEVEL_VALUE"])))
    v.append(("gang_ancestors", f"SELECT gang, place, min(depth) AS depth FROM ({union}) GROUP BY gang, place"))
    v.append(("gang_sectors", f"""
        SELECT gang, array_distinct(flatten(collect_list(sectors))) AS sectors FROM (
          SELECT gang, sectors FROM gangs
          UNION ALL SELECT s.gang, cs.sectors FROM side s JOIN company_sectors cs ON s.node = cs.node
                    WHERE s.kind = 'company' AND s.conf >= {_d(0.5)})
        GROUP BY gang"""))
    v.append(("jurisdiction_pairs", f"""
        SELECT p.off, a.gang,
               max(CASE WHEN p.area_wide OR size(array_intersect(p.regs, coalesce(gs.sectors, array()))) > 0
                        THEN greatest(element_at(array({levels}), a.depth + 1), {_d(0.8)})
                        ELSE element_at(array({levels}), a.depth + 1) END) AS jurisdiction
        FROM posts p JOIN gang_ancestors a ON p.place = a.place LEFT JOIN gang_sectors gs ON gs.gang = a.gang
        WHERE p.place >= 0 GROUP BY p.off, a.gang"""))

    # -- leads
    v.append(("lead_pairs", """
        SELECT o.off, l.gang, CAST(count(*) AS DOUBLE) AS leads_gang FROM leads l JOIN officials o
        ON l.subject = o.node WHERE l.gang >= 0 GROUP BY o.off, l.gang"""))
    v.append(("lead_other", """
        SELECT o.off, CAST(count(*) AS DOUBLE) AS leads_other FROM leads l JOIN officials o
        ON l.subject = o.node WHERE l.gang < 0 GROUP BY o.off"""))

    # -- the structural graph and what walks on it
    v.append(("structure_records", f"""
        SELECT src, dst, {one} + log10({one} + t.amount / q.q_struct) AS w FROM tx t CROSS JOIN qs q
        UNION ALL SELECT src, dst, CASE WHEN kind = 'meeting' THEN {_d(2.0)} ELSE {one} END AS w FROM ct
        UNION ALL SELECT src, dst, CASE WHEN kin THEN {_d(c["KIN_TIE_WEIGHT"])} ELSE {one} END AS w FROM ties
        UNION ALL SELECT person AS src, company AS dst, {_d(c["ROLE_EDGE_WEIGHT"])} AS w FROM roles
        UNION ALL SELECT issuer AS src, company AS dst, {_d(c["CONTRACT_EDGE_WEIGHT"])} AS w FROM contracts
                  WHERE issuer >= 0
        UNION ALL SELECT approver AS src, company AS dst, {_d(c["CONTRACT_EDGE_WEIGHT"])} AS w FROM contracts
                  WHERE approver >= 0"""))
    v.append(("structure_edges", """
        SELECT u, v, sum(w) AS w FROM (SELECT src AS u, dst AS v, w FROM structure_records WHERE src != dst
                                       UNION ALL SELECT dst AS u, src AS v, w FROM structure_records
                                       WHERE src != dst) GROUP BY u, v"""))
    v.append(("strength", "SELECT u AS node, sum(w) AS s, CAST(count(*) AS DOUBLE) AS deg FROM structure_edges GROUP BY u"))
    v.append(("transition", f"SELECT e.u, e.v, e.w * ({one} / s.s) AS p FROM structure_edges e JOIN strength s ON e.u = s.node"))
    v.append(("seeds0", f"""
        SELECT gang, node, conf AS x FROM side
        UNION ALL SELECT g.gang, g.node, {one} AS x FROM gangs g
                  LEFT ANTI JOIN (SELECT gang FROM side GROUP BY gang HAVING sum(conf) > {zero}) s ON s.gang = g.gang"""))
    v.append(("seed_mass", "SELECT gang, sum(x) AS mass FROM seeds0 GROUP BY gang"))
    v.append(("seeds", f"SELECT s.gang, s.node, s.x * ({one} / m.mass) AS p FROM seeds0 s JOIN seed_mass m ON s.gang = m.gang"))
    v.append(("dangling", f"SELECT n.node FROM nodes n LEFT ANTI JOIN strength s ON s.node = n.node AND s.s > {zero}"))
    # communities: the gang side's share of each official's community
    v.append(("community_mass", """
        SELECT s.gang, l.label, sum(s.x) AS mass FROM seeds0 s JOIN communities l ON s.node = l.node
        GROUP BY s.gang, l.label"""))
    v.append(("community_pairs", f"""
        SELECT o.off, m.gang, m.mass / greatest(t.mass, {_d(1e-12)}) AS community
        FROM officials o JOIN communities l ON o.node = l.node JOIN community_mass m ON m.label = l.label
        JOIN seed_mass t ON t.gang = m.gang"""))
    # link prediction: Adamic-Adar and resource allocation with the strong gang side
    v.append(("link_weights", f"""
        SELECT node, CASE WHEN deg > {one} THEN {one} / ln(deg) ELSE {zero} END AS aa,
               CASE WHEN deg > {zero} THEN {one} / deg ELSE {zero} END AS ra FROM strength"""))
    v.append(("strong_side", f"SELECT node, gang, conf FROM side WHERE conf >= {_d(0.5)}"))
    v.append(("strong_size", "SELECT gang, sum(conf) AS size FROM strong_side GROUP BY gang"))
    v.append(("link_common", """
        SELECT o.off, s.gang, s.node, s.conf, sum(w.aa) AS aa, sum(w.ra) AS ra
        FROM officials o JOIN structure_edges e1 ON e1.u = o.node JOIN link_weights w ON w.node = e1.v
        JOIN structure_edges e2 ON e2.u = e1.v JOIN strong_side s ON s.node = e2.v
        GROUP BY o.off, s.gang, s.node, s.conf"""))
    v.append(("link_pairs", f"""
        SELECT l.off, l.gang, sum(l.conf * l.aa / greatest(z.size, {_d(1e-12)})) AS link_aa,
               sum(l.conf * l.ra / greatest(z.size, {_d(1e-12)})) AS link_ra
        FROM link_common l JOIN strong_size z ON z.gang = l.gang GROUP BY l.off, l.gang"""))
    return v


def walk_views(c: dict[str, Any]) -> list[tuple[str, str]]:
    """The gang-seeded walk cut at ``WALK_STEPS`` steps, read at the pairs (the view
    ``ppr_result``: gang, node, x), as the memory engine computes it
    (:func:`umbrella_graph.walks.truncated_pagerank_many`): ``steps // 2`` steps
    forward from each gang's seeds (``walk_f*``: gang, node, x), the others backward
    from the pairs' officials (``walk_b*``: o, u, q, the probability of reaching ``o``
    from ``u``), met at the forward walk's last step. Reads the view ``pairs``; the
    sums are in the same order as the memory engine's where the order is fixed (the
    forward terms, the backward weights, the normalisation)."""
    steps, alpha = int(c["WALK_STEPS"]), float(c["WALK_ALPHA"])
    fwd, back = steps // 2, steps - steps // 2
    zero = _d(0.0)
    v: list[tuple[str, str]] = [("walk_f0", "SELECT gang, node, p AS x FROM seeds")]
    for k in range(1, fwd + 1):
        v.append((f"walk_f{k}", f"""
            SELECT f.gang, t.v AS node, sum(t.p * f.x) AS x FROM walk_f{k - 1} f JOIN transition t ON f.node = t.u
            GROUP BY f.gang, t.v"""))
    near = f"coalesce(f0.x, {zero})"
    joins = ""
    for k in range(1, fwd + 1):
        near = f"{near} + {_d(alpha ** k)} * coalesce(f{k}.x, {zero})"
        joins += f" LEFT JOIN walk_f{k} f{k} ON f{k}.gang = p.gang AND f{k}.node = p.node"
    v.append(("walk_near", f"""
        SELECT p.gang, p.node, {near} AS near FROM (SELECT DISTINCT gang, node FROM pairs) p
        LEFT JOIN walk_f0 f0 ON f0.gang = p.gang AND f0.node = p.node{joins}"""))
    if back:
        v.append(("walk_b1", """
            SELECT t.v AS o, t.u AS u, t.p AS q FROM transition t SEMI JOIN pairs p ON p.node = t.v"""))
        for j in range(2, back + 1):
            v.append((f"walk_b{j}", f"""
                SELECT b.o, t.u AS u, sum(b.q * t.p) AS q FROM walk_b{j - 1} b JOIN transition t ON t.v = b.u
                GROUP BY b.o, t.u"""))
        z = f"{_d(alpha ** (fwd + 1))} * coalesce(b1.q, {zero})"
        zj = "walk_b1 b1"
        for j in range(2, back + 1):
            z = f"{z} + {_d(alpha ** (fwd + j))} * coalesce(b{j}.q, {zero})"
            zj += f" FULL OUTER JOIN walk_b{j} b{j} ON b{j}.o = b1.o AND b{j}.u = b1.u" if j == 2 else (
                f" FULL OUTER JOIN walk_b{j} b{j} ON b{j}.o = coalesce(b1.o, b2.o) AND b{j}.u = coalesce(b1.u, b2.u)")
        ocol = "coalesce(" + ", ".join(f"b{j}.o" for j in range(1, back + 1)) + ")"
        ucol = "coalesce(" + ", ".join(f"b{j}.u" for j in range(1, back + 1)) + ")"
        if back == 1:
            ocol, ucol = "b1.o", "b1.u"
        v.append(("walk_back", f"SELECT {ocol} AS o, {ucol} AS u, {z} AS z FROM {zj}"))
        v.append(("walk_far", f"""
            SELECT p.gang, p.node, sum(w.z * f.x) AS far FROM (SELECT DISTINCT gang, node FROM pairs) p
            JOIN walk_back w ON w.o = p.node JOIN walk_f{fwd} f ON f.gang = p.gang AND f.node = w.u
            GROUP BY p.gang, p.node"""))
        far = f"coalesce(r.far, {zero})"
        fj = " LEFT JOIN walk_far r ON r.gang = n.gang AND r.node = n.node"
    else:
        far, fj = zero, ""
    norm = (1.0 - alpha) / (1.0 - alpha ** (steps + 1))
    v.append(("ppr_result", f"SELECT n.gang, n.node, (n.near + {far}) * {_d(norm)} AS x FROM walk_near n{fj}"))
    return v


def pair_view(features: list[str]) -> str:
    """The final per-pair view over ``pairs`` (off, gang and the ids) joining every
    feature view; the special functions are applied afterwards."""
    del features
    zero, one = _d(0.0), _d(1.0)

    def z(col: str) -> str:
        return f"coalesce({col}, {zero})"

    return f"""
SELECT p.off, p.gang, p.official_id, p.gang_id,
  {z('m.money_amount_raw')} AS money_amount_raw, {z('m.money_count')} AS money_count,
  {z('m.money_large')} AS money_large,
  {', '.join(z(f'm.money_{k}_raw') + f' AS money_{k}_raw' for k in ('self', 'spouse', 'kin', 'listed', 'company', 'front', *CHANNELS))},
  {z('r.relay_amount_raw')} AS relay_amount_raw, {z('r.relay_count')} AS relay_count,
  {z('k.contract_count')} AS contract_count, {z('k.contract_amount_raw')} AS contract_amount_raw,
  {z('k.contract_unit')} AS contract_unit, ct.contract_total,
  {z('kg.to_gang')} AS contract_to_gang, kn.n_con AS contract_n,
  {z('c.contact_weight')} AS contact_weight, {z('c.contact_core')} AS contact_core,
  {z('c.contact_people')} AS contact_people, {z('c.contact_post')} AS contact_post,
  {z('c.tipoff_post_raids')} AS tipoff_post_raids, cv.contact_volume, {z('cr.rate')} AS contact_rate,
  {z('t.tipoff_strong')} AS tipoff_strong, {z('t.tipoff_mid')} AS tipoff_mid,
  {z('t.spread_strong')} AS spread_strong, {z('t.spread_mid')} AS spread_mid,
  {z('t.tipoff_best')} AS tipoff_best, {z('t.tipoff_pattern')} AS tipoff_pattern,
  {z('ks.kin_side')} AS kin_side, {z('ke.kin_employed')} AS kin_employed, {z('mp.member')} AS member,
  {z('j.jurisdiction')} AS jurisdiction, {z('lp.leads_gang')} AS leads_gang, {z('lo.leads_other')} AS leads_other,
  {z('cm.community')} AS community, {z('b.brokerage')} AS brokerage,
  {z('lk.link_aa')} AS link_aa, {z('lk.link_ra')} AS link_ra,
  {z('pr.x')} AS ppr_visit, {z('st.s')} AS ppr_strength, {one} AS one
FROM pairs p
LEFT JOIN money_pairs m ON m.off = p.off AND m.gang = p.gang
LEFT JOIN relay_pairs r ON r.off = p.off AND r.gang = p.gang
LEFT JOIN contract_pairs k ON k.off = p.off AND k.gang = p.gang
LEFT JOIN contract_total ct ON ct.off = p.off
LEFT JOIN contract_to_gang kg ON kg.gang = p.gang
CROSS JOIN contract_n kn
LEFT JOIN contact_pairs c ON c.off = p.off AND c.gang = p.gang
LEFT JOIN contact_volume cv ON cv.off = p.off
LEFT JOIN contact_rate cr ON cr.gang = p.gang
LEFT JOIN tipoff_pairs t ON t.off = p.off AND t.gang = p.gang
LEFT JOIN kin_side ks ON ks.off = p.off AND ks.gang = p.gang
LEFT JOIN kin_employed ke ON ke.off = p.off AND ke.gang = p.gang
LEFT JOIN member_pairs mp ON mp.off = p.off AND mp.gang = p.gang
LEFT JOIN jurisdiction_pairs j ON j.off = p.off AND j.gang = p.gang
LEFT JOIN lead_pairs lp ON lp.off = p.off AND lp.gang = p.gang
LEFT JOIN lead_other lo ON lo.off = p.off
LEFT JOIN community_pairs cm ON cm.off = p.off AND cm.gang = p.gang
LEFT JOIN brokerage b ON b.off = p.off
LEFT JOIN link_pairs lk ON lk.off = p.off AND lk.gang = p.gang
LEFT JOIN ppr_result pr ON pr.gang = p.gang AND pr.node = p.node
LEFT JOIN strength st ON st.node = p.node
"""
