"""How long each page of the app takes to render on a published center (not a test).

    .venv/bin/python benchmarks/app_pages.py [--home DIR] [--repeat 5]

Renders every page with Streamlit's AppTest (the app's own script, in process, no
browser): the first render of a page (its queries not cached yet) and the median of the
following ones (cached: what a manager gets when coming back to a page or changing a
widget on another). The baseline, measured in the same run, is the same script with an
empty page: what Streamlit itself costs per rerun.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def empty_page() -> None:
    import streamlit as st

    st.title("empty")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("CSOPS_HOME", REPO_ROOT / "data")))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ["CSOPS_HOME"] = str(args.home.resolve())

    from streamlit.testing.v1 import AppTest

    from csops.app.streamlit_app import PAGES
    from csops.kernel.paths import CsopsHome
    from csops.kernel.publication import read_current

    publication = read_current(CsopsHome(args.home.resolve()))
    if publication is None:
        raise SystemExit(f"Nothing published in {args.home}: run `csops run` first.")
    entry = str(REPO_ROOT / "csops" / "app" / "streamlit_app.py")

    def timed(app: AppTest) -> float:
        started = time.perf_counter()
        app.run()
        if app.exception:
            raise SystemExit(f"the page raised: {[e.value for e in app.exception]}")
        return time.perf_counter() - started

    baseline = AppTest.from_function(empty_page, default_timeout=120)
    baseline_s = statistics.median(timed(baseline) for _ in range(args.repeat))
    print(f"publication: {publication.path.name} (as of {publication.as_of})")
    print(f"{'page':<28} {'first s':>8} {'cached s':>9} {'x empty page':>13}")
    # The first run of a session: imports, the sidebar and the default page, nothing cached yet.
    cold_s = timed(AppTest.from_file(entry, default_timeout=120))
    print(f"{'(a new session, cold)':<28} {cold_s:8.3f}")
    for view in PAGES:
        app = AppTest.from_file(entry, default_timeout=120).run()
        app.switch_page(str(Path(view.__file__).relative_to(REPO_ROOT / "csops" / "app")))
        first_s = timed(app)
        cached_s = statistics.median(timed(app) for _ in range(args.repeat))
        print(f"{view.TITLE:<28} {first_s:8.3f} {cached_s:9.3f} {cached_s / baseline_s:13.1f}")
    print(f"{'(empty page, baseline)':<28} {'':>8} {baseline_s:9.3f} {1.0:13.1f}")


if __name__ == "__main__":
    main()
