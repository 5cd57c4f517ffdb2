"""Write data/microdata/synthetic_sample.csv: SYNTHETIC person records for tests.

Not real people and not real statistics: a seeded generator with rough,
plausible dependencies (marital status on age, children on age and marital
status, occupation on sex) so that conditional counts differ from marginal
ones. Run: python data/microdata/make_synthetic.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd


def make(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    country = rng.choice(["US", "GB", "DE"], size=n, p=[0.5, 0.25, 0.25])
    admin1 = np.where(country == "US", rng.choice(["OH", "CA", "TX"], size=n), "")
    place = np.where(admin1 == "OH", rng.choice(["Columbus", "Cleveland", "Dayton"], size=n), "")
    sex = rng.choice(["female", "male"], size=n)
    age = rng.integers(18, 90, size=n)
    p_married = np.clip((age - 20) / 25, 0, 0.65)
    married = rng.random(n) < p_married
    widowed = (~married) & (age > 65) & (rng.random(n) < 0.4)
    marital = np.where(married, "married", np.where(widowed, "widowed", "single"))
    lam = np.where(married, 2.0, 0.4) * np.clip((age - 18) / 20, 0, 1)
    children = rng.poisson(lam)
    retired = age >= 66
    is_rn = (~retired) & (rng.random(n) < np.where(sex == "female", 0.04, 0.006))
    is_dev = (~retired) & (~is_rn) & (rng.random(n) < np.where(sex == "male", 0.03, 0.008))
    soc = np.where(is_rn, "29-1141", np.where(is_dev, "15-1252", ""))
    status = np.where(retired, "retired", "employed")
    pet_cat = (rng.random(n) < 0.25).astype(int) * rng.integers(1, 3, size=n)
    pet_dog = (rng.random(n) < 0.35).astype(int)
    weight = rng.uniform(500, 1500, size=n).round(1)
    return pd.DataFrame({
        "source": "synthetic", "age": age, "sex": sex, "country": country, "admin1": admin1,
        "place": place, "occupation_soc": soc, "employment_status": status,
        "marital_status": marital, "children": children, "pet_cat": pet_cat, "pet_dog": pet_dog,
        "weight": weight,
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("synthetic_sample.csv"))
    args = ap.parse_args()
    df = make(args.rows, args.seed)
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        f.write("# SYNTHETIC records for tests, made by make_synthetic.py; not real people or statistics\n")
        df.to_csv(f, index=False)
    print(f"wrote {len(df)} synthetic rows to {args.out}")


if __name__ == "__main__":
    main()
