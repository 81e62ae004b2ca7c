"""Benchmarking CSPs: standing among all CSPs in England and Wales, and comparison with similar peers.

Units are the comparison areas of :func:`csa_analysis.sources.recorded_crime.csp_areas`: one CSP in most of
England and Wales; several CSPs where they make up one district together (East Suffolk = Suffolk Coastal +
Waveney); one CSP covering several districts (Western Suffolk = Babergh + Mid Suffolk + West Suffolk). An area's
characteristics come from the ONS mid-year estimates of its districts: populations, age bands and land areas are
summed, so shares are population-weighted and density is total residents over total land area.

**Standing** (:func:`percentile_standing`). For each offence group, every area with a rate is ranked by its rate
per 1,000 residents. The percentile is ``100 x (average rank - 1) / (n - 1)`` with ranks in ascending order of
rate, i.e. the share of the *other* areas with a lower rate, an equal rate counting half: 0 is the lowest rate in
England and Wales, 100 the highest, 50 the middle. Tied areas get the same percentile. Areas whose count is
``[x]`` (or that lack a population) are left out of the ranking and of ``n``.

**Most similar peers** (:func:`nearest_neighbours`), after the ONS "statistical nearest neighbours" approach: each
characteristic is turned into a z-score across all areas of England and Wales (mean 0, standard deviation 1,
population standard deviation), and areas are ranked by the Euclidean distance between their z-score vectors,
nearest first. The default characteristics, all from the ONS workbook shipped in ``data/raw/ons``:

* ``log10_population``: size (log, because sizes run from 2,000 (Isles of Scilly) to over a million);
* ``log10_density``: residents per square kilometre, the urban-rural gradient (log, from 25 to 16,000);
* ``share_0_15``: children, family areas;
* ``share_16_24``: young adults, the peak ages of offending and victimisation (and students);
* ``share_65_plus``: older residents, retirement and rural areas.

Equal weights; :func:`nearest_neighbours` accepts other variables and weights, and a user-supplied peer list
replaces the computed one (:func:`user_peers`). This does **not** reproduce the Home Office Most Similar Groups
or CIPFA nearest neighbours, whose variables and lists are not available here; it leaves out deprivation,
income, ethnicity, tourism and night-time economy, which drive crime too. :func:`methodology_markdown` gives the
text for the methodology annex.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from csa_analysis.errors import InputError
from csa_analysis.sources.population import aggregate_areas
from csa_analysis.sources.recorded_crime import csp_areas, csp_rates, england_wales_rates, match_districts

#: Default characteristics of the nearest-neighbour method (columns of :func:`area_profiles`).
DEFAULT_VARIABLES = ("log10_population", "log10_density", "share_0_15", "share_16_24", "share_65_plus")
DEFAULT_K = 5


# --------------------------------------------------------------------------------------------------
# Standing among all areas


def percentile_standing(rates: pd.DataFrame, *, value: str = "rate_per_1000") -> pd.DataFrame:
    """Each area's percentile and rank among all areas with a rate, per offence group and period.

    Parameters
    ----------
    rates : pandas.DataFrame
        Columns ``area_code``, ``offence_group``, ``period`` and ``value`` (e.g. from
        :func:`csa_analysis.sources.recorded_crime.csp_rates`); other columns are kept.
    value : str, default ``"rate_per_1000"``
        The column to rank.

    Returns
    -------
    pandas.DataFrame
        ``rates`` with ``areas_ranked`` (n: areas with a value in that offence group and period),
        ``rank_highest`` (Int64, 1 = highest value; tied areas share the better rank) and ``percentile``
        (float, ``100 x (average ascending rank - 1) / (n - 1)``: 0 lowest, 100 highest; missing for an area
        without a value, or when n is 1).

    Examples
    --------
    >>> r = pd.DataFrame({"area_code": list("ABCDE"), "offence_group": "Robbery", "period": "p",
    ...                   "rate_per_1000": [1.0, 2.0, 2.0, 4.0, None]})
    >>> print(percentile_standing(r)[["area_code", "areas_ranked", "rank_highest", "percentile"]]
    ...       .to_string(index=False))
    area_code  areas_ranked  rank_highest  percentile
            A             4             4         0.0
            B             4             2        50.0
            C             4             2        50.0
            D             4             1       100.0
            E             4          <NA>         NaN
    """
    keys = ["offence_group", "period"]
    out = rates.copy()
    grouped = out.groupby(keys, sort=False)[value]
    n = grouped.transform("count").astype("int64")
    average_rank = grouped.rank(method="average", ascending=True)
    out["areas_ranked"] = n
    out["rank_highest"] = grouped.rank(method="min", ascending=False).astype("Int64")
    out["percentile"] = (100 * (average_rank - 1) / (n - 1).where(n > 1)).astype("float64")
    return out


# --------------------------------------------------------------------------------------------------
# Characteristics and nearest neighbours


def area_profiles(areas: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Population characteristics of each comparison area, for the nearest-neighbour method.

    Parameters
    ----------
    areas : pandas.DataFrame
        Columns ``area_code``, ``area_name`` and ``lad_code`` (one row per area x district), e.g. from
        :func:`csa_analysis.sources.recorded_crime.csp_areas`. For district peers, pass one row per district
        with ``area_code = lad_code``.
    population : pandas.DataFrame
        From :func:`csa_analysis.sources.population.read_mid_year_estimates`, same district boundaries.

    Returns
    -------
    pandas.DataFrame
        One row per area (sorted by ``area_code``): ``area_code``, ``area_name`` and the columns of
        :func:`csa_analysis.sources.population.aggregate_areas` (``population``, ``share_*``, ``area_sq_km``,
        ``density_per_sq_km``, ``districts``, ...), plus ``log10_population`` and ``log10_density``.
    """
    names = areas.drop_duplicates("area_code").set_index("area_code")["area_name"]
    members = areas[["area_code", "lad_code"]].rename(columns={"lad_code": "code"})
    out = aggregate_areas(population, members)
    out.insert(1, "area_name", out["area_code"].map(names))
    out["log10_population"] = np.log10(out["population"].astype("float64"))
    out["log10_density"] = np.log10(out["density_per_sq_km"].astype("float64"))
    return out


def _z_scores(profiles: pd.DataFrame, variables: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    missing_cols = [v for v in variables if v not in profiles.columns]
    if missing_cols:
        raise ValueError(f"profiles lack the variables {missing_cols}")
    values = profiles[list(variables)].astype("float64")
    usable = values.notna().all(axis=1) & np.isfinite(values).all(axis=1)
    pool = profiles[usable].sort_values("area_code", ignore_index=True)
    x = pool[list(variables)].astype("float64")
    sd = x.std(ddof=0)
    constant = sd[sd == 0]
    if len(constant):
        raise ValueError(f"variable {constant.index[0]!r} has the same value in every area: no z-score")
    return pool, (x - x.mean()) / sd


def nearest_neighbours(profiles: pd.DataFrame, *, variables: Sequence[str] = DEFAULT_VARIABLES,
                       weights: Mapping[str, float] | None = None, k: int = DEFAULT_K,
                       targets: Sequence[str] | None = None) -> pd.DataFrame:
    """Most similar areas by Euclidean distance between z-scored characteristics.

    Every variable is standardised across all areas in ``profiles`` with a value for every variable (the pool;
    ``z = (x - mean) / sd``, population sd), and the distance between areas ``i`` and ``j`` is
    ``sqrt(sum_v w_v (z_iv - z_jv)^2)`` (weights 1 unless given). An area is never its own peer. Equal
    distances are ordered by area code, so the result is deterministic.

    Parameters
    ----------
    profiles : pandas.DataFrame
        ``area_code``, ``area_name`` and the ``variables`` (e.g. from :func:`area_profiles`), one row per area:
        all of England and Wales, so that the z-scores are national.
    variables : sequence of str
        Columns to use (default :data:`DEFAULT_VARIABLES`).
    weights : mapping, optional
        Weight per variable (default 1 each).
    k : int, default 5
        Peers per area (fewer if the pool is smaller).
    targets : sequence of str, optional
        Area codes to find peers for (default: every area in the pool).

    Returns
    -------
    pandas.DataFrame
        One row per target x peer: ``area_code``, ``area_name``, ``peer_rank`` (1 = most similar),
        ``peer_code``, ``peer_name``, ``distance`` (float, in standard deviations), ``method``.

    Raises
    ------
    ValueError
        A target not in the pool (unknown, or missing a variable), or a variable that is constant.

    Examples
    --------
    Four areas on two variables. ``x`` has mean 4 and sd sqrt(2), so z = (-sqrt(2), 0, 0, sqrt(2)); ``y`` has
    mean 1 and sd 1, so z = (-1, -1, 1, 1). From A: B is sqrt(2) = 1.4142 away, C sqrt(2 + 4) = 2.4495, D
    sqrt(8 + 4) = 3.4641.

    >>> p = pd.DataFrame({"area_code": ["A", "B", "C", "D"], "area_name": ["A", "B", "C", "D"],
    ...                   "x": [2.0, 4.0, 4.0, 6.0], "y": [0.0, 0.0, 2.0, 2.0]})
    >>> nn = nearest_neighbours(p, variables=["x", "y"], k=2, targets=["A"])
    >>> print(nn[["area_code", "peer_rank", "peer_code", "distance"]].round(4).to_string(index=False))
    area_code  peer_rank peer_code  distance
            A          1         B    1.4142
            A          2         C    2.4495
    """
    pool, z = _z_scores(profiles, variables)
    w = np.array([1.0 if weights is None else float(weights.get(v, 1.0)) for v in variables])
    codes = pool["area_code"].to_numpy()
    if targets is None:
        target_idx = np.arange(len(pool))
    else:
        position = pd.Index(codes).get_indexer(list(targets))
        if (position < 0).any():
            bad = [t for t, p in zip(targets, position, strict=True) if p < 0]
            raise ValueError(f"areas {bad} are not in the pool (unknown, or a characteristic is missing)")
        target_idx = position
    zt = z.to_numpy()
    diff = zt[target_idx][:, None, :] - zt[None, :, :]
    dist = np.sqrt((w * diff**2).sum(axis=2))
    dist[np.arange(len(target_idx)), target_idx] = np.inf  # never one's own peer
    k = int(min(k, len(pool) - 1))
    order = np.argsort(dist, axis=1, kind="stable")[:, :k]  # pool is sorted by code: ties go by code
    rows = np.repeat(target_idx, k)
    peers = order.ravel()
    out = pd.DataFrame({
        "area_code": codes[rows], "area_name": pool["area_name"].to_numpy()[rows],
        "peer_rank": np.tile(np.arange(1, k + 1), len(target_idx)),
        "peer_code": codes[peers], "peer_name": pool["area_name"].to_numpy()[peers],
        "distance": dist[np.repeat(np.arange(len(target_idx)), k), peers],
        "method": "nearest neighbours (z-scores, Euclidean distance)",
    })
    return out


def user_peers(peers: Mapping[str, Sequence[str]] | pd.DataFrame, areas: pd.DataFrame,
               profiles: pd.DataFrame | None = None, *, variables: Sequence[str] = DEFAULT_VARIABLES,
               file: str | Path | None = None) -> pd.DataFrame:
    """A user-supplied peer list in the shape of :func:`nearest_neighbours`.

    Parameters
    ----------
    peers : mapping or pandas.DataFrame
        ``{district: [peer, ...]}`` or a frame with columns ``area`` and ``peer``; each a district or CSP code
        or name, resolved with :func:`csa_analysis.sources.recorded_crime.match_districts`. Order is kept as
        ``peer_rank``.
    areas : pandas.DataFrame
        From :func:`csa_analysis.sources.recorded_crime.csp_areas`.
    profiles : pandas.DataFrame, optional
        From :func:`area_profiles` (all of England and Wales): when given, ``distance`` is computed as in
        :func:`nearest_neighbours`, for information; otherwise it is missing.
    variables : sequence of str
        For ``distance``.
    file : str or Path, optional
        The peer list's file, named in errors.

    Raises
    ------
    InputError
        A name that matches no CSP or two, or a peer in the same comparison area as the district itself.
    """
    if isinstance(peers, pd.DataFrame):
        pairs = peers[["area", "peer"]].astype(str).reset_index(drop=True)
    else:
        pairs = pd.DataFrame([(a, p) for a, ps in peers.items() for p in ps], columns=["area", "peer"])
    target = match_districts(pairs["area"].tolist(), areas, file=file, where="column 'area'")
    peer = match_districts(pairs["peer"].tolist(), areas, file=file, where="column 'peer'")
    same = target["area_code"] == peer["area_code"]
    if same.any():
        i = int(same.idxmax())
        raise InputError(f"peer '{pairs.loc[i, 'peer']}' of '{pairs.loc[i, 'area']}' is in the same CSP area "
                         f"({target.loc[i, 'area_name']})", file=file, where=f"row {i + 2}",
                         expected="peers outside the district's own Community Safety Partnership")
    out = pd.DataFrame({"area_code": target["area_code"], "area_name": target["area_name"],
                        "peer_code": peer["area_code"], "peer_name": peer["area_name"]})
    out = out.drop_duplicates(["area_code", "peer_code"]).reset_index(drop=True)
    out.insert(2, "peer_rank", out.groupby("area_code").cumcount() + 1)
    out["distance"] = np.nan
    if profiles is not None:
        pool, z = _z_scores(profiles, variables)
        zi = z.set_index(pool["area_code"])
        known = out["area_code"].isin(zi.index) & out["peer_code"].isin(zi.index)
        a = zi.reindex(out["area_code"]).to_numpy()
        b = zi.reindex(out["peer_code"]).to_numpy()
        out["distance"] = np.where(known, np.sqrt(((a - b) ** 2).sum(axis=1)), np.nan)
    out["method"] = "user-supplied"
    return out


# --------------------------------------------------------------------------------------------------
# Against the peers


def peer_comparison(rates: pd.DataFrame, peers: pd.DataFrame) -> pd.DataFrame:
    """Each area's rate beside its peers' rates, per offence group and period.

    Parameters
    ----------
    rates : pandas.DataFrame
        From :func:`csa_analysis.sources.recorded_crime.csp_rates` (``area_code``, ``offence_group``,
        ``period``, ``count``, ``population``, ``rate_per_1000``).
    peers : pandas.DataFrame
        From :func:`nearest_neighbours` or :func:`user_peers`.

    Returns
    -------
    pandas.DataFrame
        One row per target area x offence group x period: ``area_code``, ``offence_group``, ``period``,
        ``rate_per_1000``, ``peers_rate_per_1000`` (the peers pooled: their counts summed over their
        populations summed, x 1,000), ``peers_median_rate_per_1000``, ``peers_with_rate``,
        ``rank_among_peers`` (Int64, 1 = highest rate among the area and its peers with a rate; missing if the
        area has none), ``peer_group_size`` (the area and its peers with a rate) and ``peers`` (names,
        ``;``-joined, in peer order).

    Examples
    --------
    >>> rates = pd.DataFrame({"area_code": ["A", "B", "C"], "offence_group": "Robbery", "period": "p",
    ...                       "count": [10, 30, 5], "population": [1000, 2000, 1000],
    ...                       "rate_per_1000": [10.0, 15.0, 5.0]})
    >>> peers = pd.DataFrame({"area_code": ["A", "A"], "peer_rank": [1, 2], "peer_code": ["B", "C"],
    ...                       "peer_name": ["Bee", "Sea"]})
    >>> out = peer_comparison(rates, peers)
    >>> print(out[["rate_per_1000", "peers_rate_per_1000", "rank_among_peers", "peers"]].to_string(index=False))
     rate_per_1000  peers_rate_per_1000  rank_among_peers   peers
              10.0            11.666667                 2 Bee;Sea
    """
    keys = ["offence_group", "period"]
    r = rates[["area_code", *keys, "count", "population", "rate_per_1000"]]
    ordered = peers.sort_values(["area_code", "peer_rank"])
    names = ordered.groupby("area_code", sort=False)["peer_name"].agg(";".join).rename("peers")
    pairs = ordered[["area_code", "peer_code"]].merge(
        r.rename(columns={"area_code": "peer_code", "count": "p_count", "population": "p_pop",
                          "rate_per_1000": "p_rate"}), on="peer_code")
    own = r.rename(columns={"count": "o_count", "population": "o_pop", "rate_per_1000": "o_rate"})
    pairs = pairs.merge(own[["area_code", *keys, "o_rate"]], on=["area_code", *keys], how="left")
    valid = pairs[pairs["p_rate"].notna()].assign(_above=lambda d: (d["p_rate"] > d["o_rate"]).fillna(False))
    g = valid.groupby(["area_code", *keys], sort=False)
    stats = pd.DataFrame({
        "peers_count": g["p_count"].sum(), "peers_population": g["p_pop"].sum(),
        "peers_median_rate_per_1000": g["p_rate"].median(),
        "peers_with_rate": g.size(),
        "peers_above": g["_above"].sum(),
    })
    out = own[own["area_code"].isin(set(ordered["area_code"]))].merge(
        stats.reset_index(), on=["area_code", *keys], how="left")
    out["peers_with_rate"] = out["peers_with_rate"].fillna(0).astype("int64")
    out["peers_rate_per_1000"] = (out["peers_count"].astype("Float64") / out["peers_population"].astype("Float64")
                                  * 1000).astype("float64")
    has_rate = out["o_rate"].notna()
    out["rank_among_peers"] = (out["peers_above"].fillna(0) + 1).astype("Int64").where(has_rate)
    out["peer_group_size"] = out["peers_with_rate"] + has_rate.astype("int64")
    out["peers"] = out["area_code"].map(names)
    out = out.rename(columns={"o_rate": "rate_per_1000"})
    cols = ["area_code", *keys, "rate_per_1000", "peers_rate_per_1000", "peers_median_rate_per_1000",
            "peers_with_rate", "rank_among_peers", "peer_group_size", "peers"]
    return out[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# One call for the pipeline


def recorded_crime_table(districts: Sequence[str], c2: pd.DataFrame, population: pd.DataFrame, *,
                         peers: pd.DataFrame | None = None, k: int = DEFAULT_K,
                         file: str | Path | None = None, where: str | None = None) -> pd.DataFrame:
    """The ``tables/recorded_crime.csv`` rows: each district x offence group with its standing and peers.

    Parameters
    ----------
    districts : sequence of str
        The county's districts (official names or ONS codes).
    c2 : pandas.DataFrame
        One edition of Table C2 (:func:`csa_analysis.sources.recorded_crime.read_table_c2`).
    population : pandas.DataFrame
        ONS estimates on the same district boundaries (for the 2025 table, ``mye23tablesew.xlsx``).
    peers : pandas.DataFrame, optional
        A peer list (:func:`user_peers`); default: the ``k`` nearest neighbours of each district's area.
    file, where : optional
        Where the district names came from, named in errors.

    Returns
    -------
    pandas.DataFrame
        One row per district x offence group (district order as given, then the table's offence order):
        ``district``, ``offence_group``, ``period``, ``count`` (the CSP area's count; missing for ``[x]``),
        ``population`` (the area's ONS population), ``population_year``, ``rate_per_1000``,
        ``england_wales_rate_per_1000`` (all CSP areas with a rate), ``rank_england_wales`` (1 = highest),
        ``areas_ranked``, ``percentile_england_wales``, ``peers_rate_per_1000``, ``rank_among_peers``,
        ``peer_group_size``, ``peers``, ``peer_method``, ``area_code``, ``area_name``, ``count_shared``
        (true when the area's count covers other districts too), ``area_district_names``.
        **A district in a multi-district CSP shows the CSP's count and the CSP's rate** (per 1,000 of the
        CSP's population), never a share of it.
    """
    keys = ["area_code", "offence_group", "period"]
    areas = csp_areas(c2)
    placed = match_districts(districts, areas, file=file, where=where)
    rates = csp_rates(c2, population, areas=areas)
    standing = percentile_standing(rates)
    ew = england_wales_rates(c2, rates)[["period", "offence_group", "rate_per_1000"]].rename(
        columns={"rate_per_1000": "england_wales_rate_per_1000"})
    if peers is None:
        profiles = area_profiles(areas, population)
        peers = nearest_neighbours(profiles, k=k, targets=sorted(set(placed["area_code"])))
    versus = peer_comparison(rates, peers)
    method = peers.groupby("area_code")["method"].first() if "method" in peers else pd.Series(dtype=str)
    table = (placed[["district", "area_code", "area_name", "shared", "area_district_names"]]
             .assign(_order=range(len(placed)))
             .merge(standing[[*keys, "count", "population", "population_year", "rate_per_1000", "areas_ranked",
                              "rank_highest", "percentile"]], on="area_code", how="left")
             .merge(ew, on=["period", "offence_group"], how="left")
             .merge(versus.drop(columns="rate_per_1000"), on=keys, how="left"))
    order = pd.Series(range(len(pd.unique(c2["offence_group"]))), index=pd.unique(c2["offence_group"]))
    table = (table.assign(_o=table["offence_group"].map(order)).sort_values(["_order", "_o"], ignore_index=True))
    table["peer_method"] = table["area_code"].map(method)
    table = table.rename(columns={"rank_highest": "rank_england_wales", "percentile": "percentile_england_wales",
                                  "shared": "count_shared"})
    cols = ["district", "offence_group", "period", "count", "population", "population_year", "rate_per_1000",
            "england_wales_rate_per_1000", "rank_england_wales", "areas_ranked", "percentile_england_wales",
            "peers_rate_per_1000", "rank_among_peers", "peer_group_size", "peers", "peer_method", "area_code",
            "area_name", "count_shared", "area_district_names"]
    return table[cols]


def methodology_markdown(*, variables: Sequence[str] = DEFAULT_VARIABLES, k: int = DEFAULT_K,
                         user_supplied: bool = False, population_year: int | None = None,
                         period: str | None = None) -> str:
    """The benchmarking method and its limits, as Markdown for the methodology annex.

    Examples
    --------
    >>> text = methodology_markdown(population_year=2023, period="year ending June 2025")
    >>> text.splitlines()[0]
    '### Benchmarking against Community Safety Partnerships in England and Wales'
    >>> "Most Similar Groups" in text
    True
    """
    labels = {
        "log10_population": "population (log scale)",
        "log10_density": "residents per square kilometre (log scale)",
        "share_0_15": "share of residents aged 0-15",
        "share_16_24": "share aged 16-24",
        "share_25_64": "share aged 25-64",
        "share_65_plus": "share aged 65 and over",
    }
    listed = "; ".join(labels.get(v, v) for v in variables)
    pop = f"mid-{population_year}" if population_year else "the latest"
    crimes = f" ({period})" if period else ""
    peers = (
        "The peers were supplied by the partnership (a declared list); the distances shown are the statistical "
        "distances of the method below, for information."
        if user_supplied else
        f"The {k} most similar areas were computed as statistical nearest neighbours, after the ONS approach: "
        f"each characteristic ({listed}) is turned into a z-score across all CSP areas of England and Wales, "
        "and areas are ranked by the Euclidean distance between their z-scores, with equal weights. "
        "A distance of 1 is one standard deviation on one characteristic."
    )
    return "\n".join([
        "### Benchmarking against Community Safety Partnerships in England and Wales",
        "",
        f"**Counts.** Police recorded crime by Community Safety Partnership, Home Office Table C2{crimes}, as "
        "published. A CSP that covers several districts (for example Western Suffolk: Babergh, Mid Suffolk and "
        "West Suffolk) has one count for all of them: each of its districts shows the CSP's count and rate. "
        "Where several CSPs make up one district (East Suffolk: Suffolk Coastal and Waveney) or CSP and "
        "district boundaries cross (Bournemouth, Poole and Dorset), the CSPs are combined into one comparison "
        "area. Figures shown as [x] in the table are unavailable and left blank.",
        "",
        f"**Rates** are crimes per 1,000 residents, using ONS {pop} population estimates summed over each area's "
        "districts. The England and Wales rate is the sum of all areas' counts over the sum of their "
        "populations; crimes that forces did not assign to any CSP (the table's \"Unassigned\" rows) are not in "
        "it, as they are in no area's rate.",
        "",
        "**Standing in England and Wales.** The percentile is the share of the other areas with a lower rate "
        "(an equal rate counting half): 0 is the lowest rate in England and Wales, 100 the highest. Areas whose "
        "figure is unavailable are left out of the ranking.",
        "",
        f"**Most similar peers.** {peers} Characteristics of a multi-district area are sums (population, "
        "land area) and population-weighted shares.",
        "",
        "**Limits.** These peers do not reproduce the Home Office Most Similar Groups or the CIPFA nearest "
        "neighbours, whose lists and current variables were not available: they use only size, density and age "
        "structure, and leave out deprivation, income, ethnicity, tourism and the night-time economy, which also "
        "drive recorded crime. Population estimates may be a year or two older than the crime figures. Recorded "
        "crime depends on reporting and recording practice, which differ between forces.",
    ])
