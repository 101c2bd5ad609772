"""Accessibility checks for the browser tests: axe-core's WCAG rules, fitting a narrow screen, and
reaching controls by keyboard with a visible focus indicator.

axe-core comes from the npm registry, pinned in tests/browser/axe/package-lock.json; `./dev test`
installs it there (`npm ci --prefix tests/browser/axe`). It is evaluated through Playwright rather
than added as a <script>: the client's Content-Security-Policy (script-src 'self') would block an
inline script, and the tests keep the product's policy in force instead of bypassing it.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_DIR = ROOT / "tests" / "browser" / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
REPORTS = ROOT / "test-artifacts" / "browser" / "axe"
# The WCAG 2.0, 2.1 and 2.2 level A and AA rules, plus axe's best practices (landmarks, heading
# order), which are reported but fail a test only where axe rates them serious or critical.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")


@functools.cache
def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        pytest.fail(
            f"axe-core is not installed at {AXE_SCRIPT.relative_to(ROOT)}: ./dev test installs it with "
            f"`npm ci --prefix {AXE_DIR.relative_to(ROOT)}` (it needs Node.js and npm).",
            pytrace=False,
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


async def axe_results(page) -> dict:
    """axe-core's results for the page as it is now (the whole document)."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        # Evaluated as a script of its own (a Playwright evaluation, which CSP does not block).
        await page.evaluate(axe_source() + "\n;undefined")
    return await page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: { type: "tag", values: tags }, resultTypes: ["violations"],
            });
            return { url: results.url, violations: results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
                nodes: v.nodes.map((n) => ({ target: n.target, impact: n.impact, summary: n.failureSummary })),
            })) };
        }""",
        AXE_TAGS,
    )


def _report_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def violation_lines(violations: list[dict]) -> list[str]:
    lines = []
    for violation in violations:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:8])
        more = len(violation["nodes"]) - 8
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}"
            + (f" (and {more} more)" if more > 0 else "")
        )
    return lines


async def assert_accessible(page, *, name: str) -> list[dict]:
    """Fail listing every serious or critical axe-core violation on the page; returns all violations
    (milder ones included) and keeps them in test-artifacts/browser/axe/<name>.json."""
    results = await axe_results(page)
    violations = results["violations"]
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{_report_name(name)}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    if failing:
        listed = "\n  ".join(violation_lines(failing))
        pytest.fail(f"axe-core: {len(failing)} serious or critical violation(s) on {name}:\n  {listed}")
    return violations


OVERFLOWING = """(width) => {
    const tolerance = 0.5;  // sub-pixel rounding
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "")
        + (typeof el.className === "string" && el.className.trim()
            ? "." + el.className.trim().split(/\\s+/).join(".") : "");
    // An element inside a box that clips or scrolls its own overflow does not widen the page.
    const clipped = (el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const overflow = getComputedStyle(p).overflowX;
            if (overflow !== "visible") return p.getBoundingClientRect().right <= width + tolerance;
        }
        return false;
    };
    const offenders = [];
    for (const el of document.body.querySelectorAll("*")) {
        const rect = el.getBoundingClientRect();
        if (!rect.width || !rect.height) continue;
        const right = rect.right + window.scrollX;
        if ((right > width + tolerance || rect.width > width + tolerance) && !clipped(el)) {
            // Name the outermost offender only: its children overflow because it does.
            if (!offenders.some((o) => o.el.contains(el))) offenders.push({ el, right, w: rect.width });
        }
    }
    return {
        scrollWidth: document.scrollingElement.scrollWidth,
        offenders: offenders.map((o) => `${describe(o.el)} (right edge ${Math.round(o.right)} px, `
            + `${Math.round(o.w)} px wide)`),
    };
}"""


async def assert_fits(page, width: int = 375) -> None:
    """No horizontal scrolling at `width` px, and no element reaching past the viewport's right edge."""
    viewport = await page.evaluate("window.innerWidth")
    found = await page.evaluate(OVERFLOWING, width)
    problems = []
    if viewport > width:
        # A phone browser lays out a page that overflows wider, then shrinks it to fit the screen.
        problems.append(f"the layout viewport grew to {viewport} px to hold what is on the page")
    if found["scrollWidth"] > width:
        problems.append(f"the page scrolls sideways: {found['scrollWidth']} px of content in {width} px")
    repeats = Counter(found["offenders"])  # the same card, list item, ... many times over
    problems += [
        f"wider than the viewport: {offender}" + (f" x{count}" if count > 1 else "")
        for offender, count in repeats.items()
    ]
    assert not problems, f"{page.url} does not fit {width} px:\n  " + "\n  ".join(problems)


FOCUSED = """(selectors) => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow && style.boxShadow !== "none";
    const label = (el.getAttribute("aria-label") || el.labels?.[0]?.textContent || el.textContent || "")
        .trim().replace(/\\s+/g, " ").slice(0, 60);
    return {
        element: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${label}"`,
        matches: selectors.map((selector) => el.matches(selector)),
        indicated: Boolean(outline || shadow),
    };
}"""


async def focused(page, selectors: list[str] | tuple[str, ...] = ()) -> dict | None:
    """What has keyboard focus: a description, which selectors it matches, whether it shows focus."""
    return await page.evaluate(FOCUSED, list(selectors))


async def tab_to(page, selector: str, *, max_presses: int = 80, backwards: bool = False) -> list[str]:
    """Press Tab until the element matching `selector` has focus, checking on the way that every
    control focused shows a focus indicator; returns the controls passed (with the target last)."""
    passed, unindicated = [], []
    for _ in range(max_presses):
        await page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = await focused(page, [selector])
        if now is None:
            continue
        passed.append(now["element"])
        if not now["indicated"]:
            unindicated.append(now["element"])
        if now["matches"][0]:
            assert not unindicated, f"focused without a visible focus indicator: {unindicated}"
            return passed
    pytest.fail(f"{selector} never received keyboard focus in {max_presses} Tab presses; passed: {passed}")


async def assert_keyboard_reachable(page, selectors: list[str], *, max_presses: int = 150) -> None:
    """On a freshly loaded page, Tab reaches a control matching each of `selectors`, and every control
    focused on the way shows a visible focus indicator (an outline or a box shadow)."""
    reached = [False] * len(selectors)
    passed, unindicated = [], []
    for _ in range(max_presses):
        await page.keyboard.press("Tab")
        now = await focused(page, selectors)
        if now is None:
            continue
        if passed and now["element"] == passed[0]:
            break  # round the page once
        passed.append(now["element"])
        if not now["indicated"]:
            unindicated.append(now["element"])
        reached = [was or match for was, match in zip(reached, now["matches"], strict=True)]
        if all(reached):
            break
    missing = [selector for selector, ok in zip(selectors, reached, strict=True) if not ok]
    assert not missing, f"never reached by Tab: {missing}; passed: {passed}"
    assert not unindicated, f"focused without a visible focus indicator: {unindicated}"
