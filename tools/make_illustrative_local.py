"""Write the ILLUSTRATIVE local-issue counts and consultation of the 2025 Leicestershire sample.

Nothing here is real: the counts are Poisson draws (seeded, so the files are reproducible) around a rate per
1,000 residents that is the same in every district, and the survey answers are binomial draws around one share
per issue. They exist only so that the board pack shows how partner data and a residents' survey enter it. The
rates are round figures chosen for the demonstration, not estimates of anything:

* Sexual assault referrals: 0.10 per 1,000 residents a quarter (low volume in every district);
* Domestic abuse incidents: 6 per 1,000 residents a quarter (high volume in every district);
* Hate incidents: 0.08 per 1,000 residents a quarter.

Run from the checkout: ``python tools/make_illustrative_local.py`` (rewrites
``data/raw/leicestershire-2025/local/*.csv`` and ``consultation.csv``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "leicestershire-2025"
#: ONS mid-2023 estimates (mye23tablesew.xlsx, MYE2 - Persons, All ages), with each district's code.
DISTRICTS = {
    "Blaby": ("E07000129", 105_278), "Charnwood": ("E07000130", 188_010), "Harborough": ("E07000131", 102_581),
    "Hinckley and Bosworth": ("E07000132", 114_970), "Melton": ("E07000133", 53_237),
    "North West Leicestershire": ("E07000134", 110_316), "Oadby and Wigston": ("E07000135", 59_623),
}
#: How each file names the districts (all three ways the reader accepts).
NAMING = {"sarc_referrals.csv": "code", "domestic_abuse_incidents.csv": "name", "hate_incidents.csv": "alias"}
ALIASES = {"Hinckley and Bosworth": "Hinckley & Bosworth", "North West Leicestershire": "North West Leics",
           "Oadby and Wigston": "Oadby & Wigston"}
ISSUES = {"sarc_referrals.csv": ("Sexual assault referrals", 0.10),
          "domestic_abuse_incidents.csv": ("Domestic abuse incidents", 6.0),
          "hate_incidents.csv": ("Hate incidents", 0.08)}
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
#: Share of respondents naming each issue a concern (illustrative round figures).
CONCERN = {"Anti-social behaviour": 0.45, "Drugs": 0.35, "Burglary": 0.30, "Vehicle crime": 0.25,
           "Violence and sexual offences": 0.20, "Criminal damage and arson": 0.18, "Domestic abuse incidents": 0.12,
           "Robbery": 0.10, "Shoplifting": 0.05, "Hate incidents": 0.06}


def main() -> None:
    rng = np.random.default_rng(20251231)
    for file, (issue, per_1000_quarter) in ISSUES.items():
        rows = []
        for district, (code, pop) in DISTRICTS.items():
            label = {"code": code, "name": district, "alias": ALIASES.get(district, district)}[NAMING[file]]
            for month in MONTHS:
                rows.append((month, label, issue, int(rng.poisson(per_1000_quarter * pop / 1000 / 3))))
        pd.DataFrame(rows, columns=["month", "district", "issue", "count"]).to_csv(
            SAMPLE / "local" / file, index=False, lineterminator="\n")
    rows = []
    for district, (_code, pop) in DISTRICTS.items():
        respondents = int(round(pop / 250, -1))  # about 1 in 250 residents answered (illustrative)
        for issue, share in CONCERN.items():
            rows.append((district, issue, respondents, int(rng.binomial(respondents, share))))
    pd.DataFrame(rows, columns=["district", "issue", "respondents", "concerned"]).to_csv(
        SAMPLE / "consultation.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
