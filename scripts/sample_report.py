"""A sample deployment report from the shipped data pack, with PNG page previews, for the docs.

Run from the repository root:
    .venv/bin/python scripts/sample_report.py [--dpi 100] [--out docs/sample-report]

It runs the stable headless commands (``workstation plan --officers 850 --out
previous.json`` as "the last plan", then ``workstation report --compare-to previous.json``,
baseline scenario, partner-safe), then renders every page to ``page-NN.png`` with ``pdftoppm`` (poppler) or,
if that is not installed, ``pypdfium2``; keeps the PDF beside them when it is under 3 MB;
and writes ``README-snippet.md`` (markdown with the previews, paths relative to the
repository root) for the project README. Nothing here is imported by the app.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "docs" / "sample-report"
MAX_PDF_BYTES = 3 * 1024 * 1024
# Pages shown large in the snippet: cover, commander summary, what changed, the first map.
FEATURED = 4
# "The last plan" the sample compares with: the baseline scenario with fewer officers.
PREVIOUS_OFFICERS = 850


def render_pages(pdf: Path, out: Path, dpi: int) -> list[Path]:
    """Render every page of ``pdf`` to ``out/page-NN.png``; returns the files in order."""
    for old in out.glob("page-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), f"{tmp}/p"],
                           check=True)
            rendered = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem[2:]))
        else:
            try:
                import pypdfium2 as pdfium
            except ImportError:
                raise SystemExit("need pdftoppm (poppler-utils) or pypdfium2 to render pages")
            rendered = []
            document = pdfium.PdfDocument(str(pdf))
            for index in range(len(document)):
                target = Path(tmp) / f"p-{index + 1}.png"
                document[index].render(scale=dpi / 72).to_pil().save(target)
                rendered.append(target)
        files = []
        for number, source in enumerate(rendered, start=1):
            target = out / f"page-{number:02d}.png"
            _save_small(source, target)
            files.append(target)
    return files


def _save_small(source: Path, target: Path) -> None:
    """Quantised to 256 colours: text pages and flat maps lose nothing visible, size halves."""
    from PIL import Image

    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                      dither=Image.Dither.NONE).save(target, optimize=True)


def page_titles(pdf: Path) -> list[str]:
    """Each page's section from the PDF outline; pages that continue a section say so."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    starts = {}
    for item in reader.outline:
        starts.setdefault(reader.get_destination_page_number(item), item.title)
    titles: list[str] = []
    current = ""
    for index in range(len(reader.pages)):
        if index in starts:
            current = starts[index]
            titles.append(current)
        else:
            titles.append(f"{current} (continued)")
    return titles


def write_snippet(out: Path, pages: list[Path], titles: list[str], pdf_kept: bool) -> Path:
    rel = out.relative_to(REPO).as_posix()
    lines = [
        "## Sample deployment report",
        "",
        "Generated headless from the shipped data pack with the baseline scenario "
        "(`workstation report --out report.pdf --compare-to previous.json`, partner-safe by "
        f"default; the previous plan is the baseline with {PREVIOUS_OFFICERS} officers on "
        "duty); regenerate with `.venv/bin/python scripts/sample_report.py`. "
        + (f"[The PDF]({rel}/report.pdf) has selectable text; " if pdf_kept else "")
        + f"{len(pages)} A4 pages: cover, commander summary, what changed since the last "
          "plan, maps, the top 20 hotspots by name, a borough map for each borough with a "
          "HIGH-risk shift, 24-hour profiles per borough, shift plan and lending tables, "
          "impact versus static staffing per borough, method with every assumption and "
          "weight, data sources and licences.",
        "",
        "<p>",
    ]
    for page, title in list(zip(pages, titles))[:FEATURED]:
        lines.append(f'  <a href="{rel}/{page.name}"><img src="{rel}/{page.name}" '
                     f'width="24%" alt="{title}"></a>')
    lines += ["</p>", "", "All pages:", ""]
    lines += [f"{number}. [{title or 'page ' + str(number)}]({rel}/{page.name})"
              for number, (page, title) in enumerate(zip(pages, titles), start=1)]
    target = out / "README-snippet.md"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    from workstation.cli import main as workstation
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report.pdf"
        previous = Path(tmp) / "previous.json"
        code = workstation(["plan", "--officers", str(PREVIOUS_OFFICERS), "--out",
                            str(previous)])
        if code:
            return code
        code = workstation(["report", "--out", str(pdf), "--compare-to", str(previous)])
        if code:
            return code
        pages = render_pages(pdf, out, args.dpi)
        titles = page_titles(pdf)
        kept = pdf.stat().st_size < MAX_PDF_BYTES
        if kept:
            shutil.copyfile(pdf, out / "report.pdf")
        else:
            (out / "report.pdf").unlink(missing_ok=True)
    snippet = write_snippet(out, pages, titles, kept)
    print(f"{len(pages)} page previews, {'PDF kept' if kept else 'PDF over 3 MB, not kept'}; "
          f"snippet: {snippet.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
